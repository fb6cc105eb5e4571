"""``python manage.py seed_demo``: a lived-in portal to open first.

Oaxaca's co-creation record is complete (tables in every nucleus with approved minutes and
evidence, a public consultation with its call and results, problems traced to their origins, a
computed prioritisation with its methodology, decisions with votes, the facilitator's signed
neutrality); Jalisco's is part-way, so its timeline shows what is missing. Loading it again
changes nothing.
"""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

from cocreation.management.demo import seed_cocreation
from cocreation.selectors import secretariat_timeline
from pal_portal.celery import app as celery_app
from stl.management.demo import DEMO_PASSWORD, seed_registry

# Per-task lines of eager Celery ("… succeeded in 0.001s: False" for an invitation e-mail that
# had nothing to send, since the demo accepts its invitations), kombu's warning that eager tasks
# have no broker, and WeasyPrint's progress: noise around the demo's own report.
QUIET_LOGGERS = ("celery.app.trace", "kombu.connection", "weasyprint.progress")


@contextmanager
def _eager_and_quiet():
    """Run tasks in this process (the methodology PDF is ready when the command ends)."""
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
    help = (
        "Carga datos de demostración: Oaxaca con su registro de co-creación completo y Jalisco a "
        "medio camino, con las cuentas del README."
    )

    def handle(self, *args, **options):
        # One transaction: a demo is loaded whole or not at all. The tasks queued on commit
        # (the methodology PDF, invitation e-mails) run as it ends, still eager and quiet.
        with _eager_and_quiet(), transaction.atomic():
            registry = seed_registry()
            created = registry.created + seed_cocreation(secretariats=registry.secretariats)
        if created:
            self.stdout.write(self.style.SUCCESS("Datos de demostración cargados."))
        else:
            self.stdout.write("Los datos de demostración ya estaban cargados; no cambió nada.")
        for state in ("OAX", "JAL"):
            self._report(registry.secretariats[state])
        self.stdout.write(
            f"Para empezar, entra como revision@inai.demo (contraseña {DEMO_PASSWORD}; las demás "
            "cuentas están en README.md) y abre las dos cronologías."
        )

    def _report(self, secretariat):
        timeline = secretariat_timeline(secretariat=secretariat)
        items, gaps = timeline["items"], timeline["gaps"]
        pending = [item for item in items if item.missing]
        evidence = sum(count for item in items for _label, count in item.evidence)
        url = settings.SITE_URL.rstrip("/") + reverse("cocreation:timeline", args=[secretariat.pk])
        summary = f"{secretariat} ({url}): {len(items)} registros, {evidence} evidencias; "
        if not gaps and not pending:
            self.stdout.write(summary + "no falta nada.")
            return
        self.stdout.write(summary + f"{len(gaps) + len(pending)} pendientes:")
        for gap in gaps:
            self.stdout.write(f"  - {gap}")
        for item in pending:
            self.stdout.write(f"  - {item.kind_label} «{item.title}»: {' '.join(item.missing)}")
