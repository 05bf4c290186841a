"""monitoring Celery tasks — thin wrappers around monitoring.work (beat: settings)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="monitoring.refresh_work_queues")
def refresh_work_queues() -> str:
    """Nightly (02:30 JST): recompute every office's work queue (months and windows move)."""
    from caremgmt.models import Office
    from monitoring.work.refresh import refresh_office

    total = 0
    offices = list(Office.objects.order_by("pk"))
    for office in offices:
        total += refresh_office(office)
    return f"{len(offices)} offices, {total} items"


@shared_task(name="monitoring.send_morning_digests")
def send_morning_digests() -> str:
    """Every morning (07:00 JST): one e-mail per care manager with counts only."""
    from monitoring.work.digest import send_digests

    return f"sent {send_digests()}"
