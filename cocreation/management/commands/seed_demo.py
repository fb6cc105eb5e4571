"""``python manage.py seed_demo``: the demo of the README, loaded through the services."""

import logging
from contextlib import contextmanager

from django.core.management.base import BaseCommand
from django.db import transaction

from pal_portal.celery import app as celery_app
from stl.management.demo import DEMO_PASSWORD, seed_registry

# Per-task lines of eager Celery ("… succeeded in 0.001s: False" for an invitation e-mail that
# had nothing to send, since the demo accepts its invitations) and kombu's warning that eager
# tasks have no broker: noise around the demo's own report.
QUIET_LOGGERS = ("celery.app.trace", "kombu.connection")


@contextmanager
def _eager_and_quiet():
    """Run tasks in this process, without a log line per task."""
    eager = celery_app.conf.task_always_eager
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    celery_app.conf.task_always_eager = True
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = eager
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


class Command(BaseCommand):
    help = "Carga datos de demostración: dos STL con sus núcleos, integrantes y personal del INAI."

    def handle(self, *args, **options):
        # One transaction: a demo is loaded whole or not at all. The tasks queued on commit
        # (invitation e-mails) run as it ends, still eager and quiet.
        with _eager_and_quiet(), transaction.atomic():
            registry = seed_registry()
        if registry.created:
            self.stdout.write(self.style.SUCCESS("Datos de demostración cargados."))
        else:
            self.stdout.write("Los datos de demostración ya estaban cargados; no cambió nada.")
        self.stdout.write(f"Cuentas en README.md, contraseña {DEMO_PASSWORD}.")
