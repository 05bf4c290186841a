"""Celery app. Without REDIS_URL tasks run eagerly in-process (settings.CELERY_TASK_ALWAYS_EAGER)."""

import os

from celery import Celery
from celery.signals import setup_logging, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caremgmt.settings")

app = Celery("caremgmt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _use_django_logging(**_kwargs: object) -> None:
    """The worker logs through settings.LOGGING (its filter withholds exception messages,
    docs/logging.md) instead of Celery's own root handler."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@worker_init.connect
def _yield_cpu_to_people(**_kwargs: object) -> None:
    """Print runs and batches yield the CPU to page requests (caremgmt/priority.py). Sent
    once in the worker's main process, before its pool processes are forked."""
    from django.conf import settings

    from caremgmt.priority import lower_priority

    lower_priority(settings.WORKER_NICE)
