"""Issue 13 §6: Redis stopped in the middle of a month-start batch (a private redis-server,
stopped with SIGTERM as a restart would, AOF on as in docker-compose).

The web app keeps serving (sessions and pages need only PostgreSQL); the running batch goes
on (its work is in PostgreSQL); pressing 「作成」 meanwhile answers with a Japanese message,
not a 500, and leaves a failed BatchRun saying why (never a run stuck "running" with no
message behind it); when Redis is back the next start runs to completion with every
給付管理票 once and the same file bytes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from billing.benefit import batch
from billing.models.benefit import (
    BatchRun,
    BatchStatus,
    BenefitManagementSheet,
    ClaimSubmission,
)
from billing.tasks_benefit import QUEUE_DOWN_MESSAGE, enqueue_batch
from tests.faults.conftest import DECEMBER, TableLock, celery_on, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _finished(run: BatchRun):  # noqa: ANN202
    def finished() -> bool:
        run.refresh_from_db()
        return run.status != BatchStatus.RUNNING

    return finished


def test_redis_stopped_during_a_batch(world, tickets, worker, redis_server, locks, login) -> None:  # noqa: ANN001
    index = reverse("billing:benefit_index") + "?month=2026-12"
    start = reverse("billing:benefit_batch")
    http = login(world.manager)
    lock = TableLock(ClaimSubmission)
    locks.append(lock)
    try:
        with celery_on(redis_server.url(0)):
            run = batch.start_batch(world.office, DECEMBER, actor_staff=world.manager)
            assert enqueue_batch(run)
            wait_for(lock.waiting_backend)  # the worker is mid-batch
            redis_server.stop()

            assert http.get(index).status_code == 200
            lock.release()  # the batch needs only PostgreSQL: it finishes with Redis down
            wait_for(_finished(run))
            assert run.status == BatchStatus.DONE, run.error
            expected = bytes(ClaimSubmission.objects.get().content)

            response = http.post(start, {"month": "2026-12"}, follow=True)
            assert response.status_code == 200
            assert QUEUE_DOWN_MESSAGE in response.content.decode()
            refused = BatchRun.objects.latest("pk")
            assert refused.status == BatchStatus.FAILED
            assert refused.error == QUEUE_DOWN_MESSAGE
            assert http.get(index).status_code == 200

            redis_server.start()
            response = http.post(start, {"month": "2026-12"}, follow=True)
            assert "給付管理票の作成を開始しました" in response.content.decode()
            again = BatchRun.objects.latest("pk")
            wait_for(_finished(again))
    finally:
        if redis_server.process is None:
            redis_server.start()
    assert again.status == BatchStatus.DONE, again.error
    assert again.done == again.total == 3
    assert BenefitManagementSheet.objects.count() == 3
    assert ClaimSubmission.objects.count() == 1
    assert bytes(ClaimSubmission.objects.get().content) == expected
