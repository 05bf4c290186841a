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


@shared_task(name="caremgmt.access_log_archive_and_purge")
def access_log_archive_and_purge_task() -> dict[str, object]:
    """Monthly (CELERY_BEAT_SCHEDULE): archive and delete access-log rows past retention."""
    from caremgmt.access_log_retention import access_log_archive_and_purge

    result = access_log_archive_and_purge()
    return {
        "row_count": result.record.row_count,
        "archive_path": result.record.archive_path,
        "sha256": result.record.sha256,
    }
