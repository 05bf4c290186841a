"""billing Celery tasks — thin: take a primary key, call the service (QUALITY R7: started
from a request with `delay_on_commit`). Celery autodiscovers this module."""

from __future__ import annotations

from celery import shared_task

from billing import print_run_worker


@shared_task(name="billing.build_print_run", acks_late=True, reject_on_worker_lost=True)
def build_print_run(run_id: int) -> str:
    """Request every document of a month print run. Idempotent (see billing.print_run_worker),
    so a message redelivered after a killed worker finishes the run without duplicates."""
    result = print_run_worker.build_run(run_id)
    if result is None:
        return "skipped"
    if print_run_worker.claim_merge(run_id):  # every document was already rendered
        merge_print_run.delay(run_id)
    return f"built {result.built}, skipped {result.skipped}, failed {len(result.failed)}"


@shared_task(name="billing.merge_print_run", acks_late=True, reject_on_worker_lost=True)
def merge_print_run(run_id: int) -> str:
    """One merged PDF per care manager once every document of the run is done."""
    created = print_run_worker.merge_run(run_id)
    return "skipped" if created is None else f"merged {created}"
