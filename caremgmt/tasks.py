"""Core tasks."""

from celery import shared_task
from django.db import connection

# Tasks that live in sub-packages register through this module, which Celery autodiscovers.
from caremgmt.printing.tasks import render_print_job  # noqa: F401


@shared_task(name="caremgmt.health_check")
def health_check() -> dict[str, str]:
    """Round-trip through the broker and the database; used by monitoring and tests."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
    return {"status": "ok", "database": database}
