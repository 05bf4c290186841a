"""Celery tasks of the month-start 給付管理票 batch (ids only in the arguments)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="billing.benefit_batch", acks_late=True, reject_on_worker_lost=True)
def benefit_batch(run_id: int) -> str:
    """Run one started BatchRun. Idempotent: a redelivery after a killed worker completes it."""
    from billing.benefit.batch import run_batch

    outcome = run_batch(run_id)
    if outcome is None:
        return "skipped"
    return f"{outcome.run.status}: {outcome.run.done}/{outcome.run.total}"


@shared_task(name="billing.benefit_month_start")
def benefit_month_start() -> str:
    """Beat (the 1st, 06:00 JST): start the previous month's batch of every active office.
    An office whose batch is already running is skipped (single-flight)."""
    from django.utils import timezone

    from billing.benefit.batch import BatchAlreadyRunning, start_batch
    from billing.tickets.month import add_months, first_of_month
    from caremgmt.models import Office

    month = add_months(first_of_month(timezone.localdate()), -1)
    started = 0
    for office in Office.objects.order_by("pk"):
        try:
            run = start_batch(office, month)
        except BatchAlreadyRunning:
            continue
        benefit_batch.delay(run.pk)
        started += 1
    return f"{month:%Y-%m}: started {started}"
