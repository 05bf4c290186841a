"""Issue 13 §7 and §8 through a real Redis broker (a private redis-server; database 1, where
no worker listens, so the queue shows exactly what was published).

* a task enqueued inside a rolled-back transaction never reaches the broker, and every
  enqueue in the application is commit-aware (an AST walk refuses bare .delay/apply_async);
* two admins pressing 「給付管理票を作成」 at the same moment: one run starts, the other is told
  「実行中です」, one message is queued and neither request waits forever.
"""

from __future__ import annotations

import ast
import datetime as dt
import threading
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse

from billing import print_run
from billing.benefit import batch
from billing.models import PrintRun
from billing.models.benefit import BatchRun, BatchStatus
from billing.tasks_benefit import enqueue_batch
from caremgmt.access import actor_for
from tests.faults.conftest import celery_on

ROOT = Path(__file__).resolve().parents[2]
APPS = ("caremgmt", "clients", "careplans", "billing", "monitoring")
DECEMBER = dt.date(2026, 12, 1)
NO_WORKER_DB = 1


def test_every_enqueue_in_the_app_waits_for_commit() -> None:
    """`.delay(...)` / `.apply_async(...)` / `send_task(...)` publish at once, even inside a
    transaction that later rolls back; the app uses `delay_on_commit` (or on_commit)."""
    bare: list[str] = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"delay", "apply_async", "send_task"}
                ):
                    bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bare == []


class Boom(Exception):
    pass


def _queued(redis_server) -> int:  # noqa: ANN001
    client = redis_server.client(NO_WORKER_DB)
    return sum(client.llen(queue) for queue in ("celery", "pdf"))


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_task_enqueued_in_a_rolled_back_transaction_never_runs(world, redis_server) -> None:  # noqa: ANN001
    redis_server.client(NO_WORKER_DB).flushdb()
    with celery_on(redis_server.url(NO_WORKER_DB)):
        with pytest.raises(Boom), transaction.atomic():
            print_run.start_print_run(actor=actor_for(world.care_manager), month=DECEMBER)
            run = batch.start_batch(world.office, DECEMBER)
            assert enqueue_batch(run)
            raise Boom
        assert _queued(redis_server) == 0
        assert not PrintRun.objects.exists()
        assert not BatchRun.objects.exists()
        # the same calls, committed, do publish (the check above can see a message)
        with transaction.atomic():
            print_run.start_print_run(actor=actor_for(world.care_manager), month=DECEMBER)
            assert enqueue_batch(batch.start_batch(world.office, DECEMBER))
        assert _queued(redis_server) == 2


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_admins_start_the_same_batch_at_once(world, redis_server) -> None:  # noqa: ANN001
    redis_server.client(NO_WORKER_DB).flushdb()
    url = reverse("billing:benefit_batch")
    barrier = threading.Barrier(2)
    pages: dict[str, str] = {}

    def press(staff) -> None:  # noqa: ANN001
        http = HttpClient()
        http.force_login(staff, backend="caremgmt.auth_backends.LoginIdOrEmailBackend")
        try:
            barrier.wait(timeout=30)
            response = http.post(url, {"month": "2026-12"}, follow=True)
            pages[staff.username] = response.content.decode()
        finally:
            connection.close()

    with celery_on(redis_server.url(NO_WORKER_DB)):
        threads = [
            threading.Thread(target=press, args=(staff,)) for staff in (world.manager, world.clerk)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)  # nobody waits forever
    started = "2026年12月分の給付管理票の作成を開始しました。"
    told = [page for page in pages.values() if batch.RUNNING_MESSAGE in page]
    assert len(pages) == 2
    assert sum(started in page for page in pages.values()) == 1
    assert len(told) == 1
    assert BatchRun.objects.filter(status=BatchStatus.RUNNING).count() == 1
    assert BatchRun.objects.count() == 1
    assert _queued(redis_server) == 1
