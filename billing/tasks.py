"""billing Celery tasks — thin: take a primary key, call the service (QUALITY R7: started
from a request with `delay_on_commit`). Celery autodiscovers this module."""

from __future__ import annotations

import gc

from celery import shared_task
from celery.signals import task_postrun, worker_process_init

from billing import print_run_worker


@shared_task(name="billing.build_print_run", acks_late=True, reject_on_worker_lost=True)
def build_print_run(run_id: int) -> str:
    """Request every document of a month print run. Idempotent (see billing.print_run_worker),
    so a message redelivered after a killed worker finishes the run without duplicates."""
    result = print_run_worker.build_run(run_id)
    if result is None:
        return "skipped"
    if print_run_worker.claim_merge(run_id):  # every document was already rendered
        merge_print_run.delay_on_commit(run_id)
    return f"built {result.built}, skipped {result.skipped}, failed {len(result.failed)}"


@shared_task(name="billing.merge_print_run", acks_late=True, reject_on_worker_lost=True)
def merge_print_run(run_id: int) -> str:
    """One merged PDF per care manager once every document of the run is done."""
    created = print_run_worker.merge_run(run_id)
    return "skipped" if created is None else f"merged {created}"


# --- worker memory (measured by bench/month_print.py) -------------------------------------
# A WeasyPrint render leaves ~45 MB of cyclic garbage that only a full collection frees, so
# a child's RSS climbs from ~150 MB to ~390 MB between collections and crosses the 400 MB
# `worker_max_memory_per_child` cap: the child is replaced after most renders and each new
# child pays ~2 s of imports and first render (1.1 documents/s for a 45-client month).
# Freezing what the child imported (so a full collection skips it: ~8 ms instead of ~150 ms)
# and collecting after each task keeps children at ~150 MB and alive.


@worker_process_init.connect
def _freeze_imported_objects(**_kwargs: object) -> None:
    import weasyprint  # noqa: F401 - imported once per child, before the freeze (R16: in the child)

    gc.collect()
    gc.freeze()


@task_postrun.connect
def _collect_after_task(task=None, **_kwargs: object) -> None:  # noqa: ANN001
    if task is not None and not task.request.is_eager:
        gc.collect()


@shared_task(name="billing.generate_next_month_tickets")
def generate_next_month_tickets() -> str:
    """Beat (the 20th, 02:30 JST): next month's missing tickets from the confirmed plans."""
    from django.utils import timezone

    from billing.tickets.month import add_months, first_of_month
    from billing.tickets.month_generation import generate_missing_tickets

    month = add_months(first_of_month(timezone.localdate()), 1)
    outcome = generate_missing_tickets(month)
    return f"{month:%Y-%m}: created {len(outcome.created)}, failed {len(outcome.failed)}"


from billing.tasks_benefit import benefit_batch, benefit_month_start  # noqa: E402, F401
