"""The Celery application of the portal; its settings come from Django's CELERY_* settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pal_portal.settings")

app = Celery("pal_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
