"""Loaded into the test suite's Celery workers (``--include``): forget cached content types.

Tests with ``transaction=True`` flush the database, and Django then creates the content types
again with new ids; a worker that lives through the whole session would otherwise keep the old
ids in its cache and write rows pointing at content types that no longer exist.
"""

from celery.signals import task_prerun
from django.contrib.contenttypes.models import ContentType


@task_prerun.connect
def forget_content_types(**kwargs):
    ContentType.objects.clear_cache()
