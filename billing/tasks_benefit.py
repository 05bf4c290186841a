"""Celery tasks of the month-start 給付管理票 batch (ids only in the arguments)."""

from __future__ import annotations

import logging

from celery import shared_task
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

QUEUE_DOWN_MESSAGE = (
    "ジョブキュー（Redis）に接続できないため、給付管理票の作成を開始できませんでした。"
    "作成途中のものはありません。しばらくしてからもう一度実行してください。"
)


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
        started += enqueue_batch(run)
    return f"{month:%Y-%m}: started {started}"


def enqueue_batch(run) -> bool:  # noqa: ANN001 - a started BatchRun
    """Send the started run to the worker (after commit). When the broker is down the run is
    marked failed with QUEUE_DOWN_MESSAGE — never left running with no message behind it, so
    the next start is possible at once (docs/faults.md) — and False is returned."""
    from django.utils import timezone

    from billing.models.benefit import BatchRun, BatchStatus

    try:
        benefit_batch.delay_on_commit(run.pk)
    except BrokerUnavailable as error:
        logger.warning("benefit batch %s not queued: %s", run.pk, type(error).__name__)
        BatchRun.objects.filter(pk=run.pk, status=BatchStatus.RUNNING).update(
            status=BatchStatus.FAILED, error=QUEUE_DOWN_MESSAGE, finished_at=timezone.now()
        )
        return False
    return True
