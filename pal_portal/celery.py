"""The Celery application of the portal; its settings come from Django's CELERY_* settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pal_portal.settings")

# Every task claims its durable job row before running (pal_portal/jobs.py).
app = Celery("pal_portal", task_cls="pal_portal.jobs:DurableTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
