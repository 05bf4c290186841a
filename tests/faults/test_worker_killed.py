"""Issue 13 §5: a worker killed with SIGKILL in the middle of the month-start batch and of a
print run; the message is redelivered (acks_late + reject_on_worker_lost) and the run
completes with every item exactly once, with the bytes of a clean run.

"In the middle" is made deterministic with a table lock held by the test: the worker blocks
on its INSERT of the file row (batch: every 給付管理票 written, the 8222 file not yet; print
run: every document rendered, the merged PDF not yet), and is killed while it waits."""

from __future__ import annotations

import datetime as dt

import pytest

from billing import print_run
from billing.benefit import batch
from billing.models import PrintRun, PrintRunItem, PrintRunMerge, PrintRunStatus
from billing.models.benefit import (
    BatchRun,
    BatchStatus,
    BenefitManagementSheet,
    ClaimSubmission,
)
from billing.tasks_benefit import enqueue_batch
from caremgmt.access import actor_for
from caremgmt.models import PrintJob
from tests.faults.conftest import TableLock, celery_on, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

DECEMBER = dt.date(2026, 12, 1)


def test_month_batch_completes_after_its_worker_is_killed(
    world, tickets, worker, redis_server, locks
) -> None:  # noqa: ANN001
    clean = batch.run_now(world.office, DECEMBER)
    expected = bytes(clean.submission.content)
    BenefitManagementSheet.objects.all().delete()
    ClaimSubmission.objects.all().delete()
    BatchRun.objects.all().delete()

    locks.append(TableLock(ClaimSubmission))
    with celery_on(redis_server.url(0)):
        run = batch.start_batch(world.office, DECEMBER)
        assert enqueue_batch(run)
        backend = wait_for(locks[0].waiting_backend)
        # mid-batch: every sheet is written, the file is not
        assert BenefitManagementSheet.objects.count() == 3
        assert not ClaimSubmission.objects.exists()
        worker.kill_child()
        locks[0].release(terminate=backend)

        def finished() -> bool:
            run.refresh_from_db()
            return run.status != BatchStatus.RUNNING

        wait_for(finished)
    assert run.status == BatchStatus.DONE, run.error
    assert run.done == run.total == 3
    assert BenefitManagementSheet.objects.count() == 3
    assert ClaimSubmission.objects.count() == 1
    assert bytes(ClaimSubmission.objects.get().content) == expected
    assert BatchRun.objects.count() == 1


def test_print_run_completes_after_its_worker_is_killed(
    world, tickets, worker, redis_server, locks, settings
) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = worker.media_root
    actor = actor_for(world.care_manager)

    def run_through_worker(run: PrintRun) -> PrintRun:
        def finished() -> bool:
            run.refresh_from_db()
            print_run.run_progress(run)  # the page's poll: moves a finished render to merging
            return run.status in (PrintRunStatus.DONE, PrintRunStatus.FAILED)

        wait_for(finished, step=0.2)
        return run

    with celery_on(redis_server.url(0)):
        clean = run_through_worker(print_run.start_print_run(actor=actor, month=DECEMBER))
        assert clean.status == PrintRunStatus.DONE, clean.error
        documents = PrintRunItem.objects.filter(run=clean).count()
        jobs = PrintJob.objects.count()
        with PrintRunMerge.objects.get(run=clean).file.open("rb") as handle:
            expected = handle.read()

        locks.append(TableLock(PrintRunMerge))
        run = print_run.start_print_run(actor=actor, month=DECEMBER)
        backend = wait_for(lambda: (print_run.run_progress(run), locks[0].waiting_backend())[1])
        run.refresh_from_db()
        assert run.status == PrintRunStatus.MERGING
        worker.kill_child()
        locks[0].release(terminate=backend)
        run = run_through_worker(run)
    assert run.status == PrintRunStatus.DONE, run.error
    assert documents > 0
    assert PrintRunItem.objects.filter(run=run).count() == documents
    assert PrintJob.objects.count() == jobs  # every document once (content-hash cached)
    merge = PrintRunMerge.objects.get(run=run)
    with merge.file.open("rb") as handle:
        assert handle.read() == expected


def test_the_real_worker_runs_below_the_web_servers_priority(worker, settings) -> None:  # noqa: ANN001
    """Print runs and batches yield the CPU to page requests (caremgmt/priority.py): the
    worker and its pool processes run at WORKER_NICE above the test process."""
    import os

    import psutil

    mine = os.getpriority(os.PRIO_PROCESS, 0)
    expected = min(mine + settings.WORKER_NICE, 19)
    assert psutil.Process(worker.process.pid).nice() == expected
    assert worker.children()
    assert {child.nice() for child in worker.children()} == {expected}
