"""Celery: eager in the quick start; a real worker over the real Redis when there is one."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.db import connection

from caremgmt.tasks import health_check
from tests.conftest import require_or_skip

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def redis_is_up(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1
        ):
            return True
    except OSError:
        return False


@pytest.mark.django_db
def test_tasks_run_eagerly_without_redis(settings) -> None:  # noqa: ANN001
    if os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is set: tasks go to the broker")
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert health_check.delay().get()["status"] == "ok"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_real_worker_round_trip_over_redis() -> None:
    """The real task, through a real Redis broker, run by a real worker thread."""
    require_or_skip(redis_is_up(REDIS_URL), f"Redis is not reachable at {REDIS_URL}")
    redis_app = Celery(
        "caremgmt-redis-test", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False
    )
    redis_app.conf.update(task_always_eager=False, worker_hijack_root_logger=False)
    task = redis_app.tasks["caremgmt.health_check"]  # shared tasks register on every app
    try:
        with start_worker(redis_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            result = task.delay().get(timeout=20)
    finally:
        # start_worker made the Redis app the current one: later tests (and their eager
        # `delay`s, e.g. the month-start batch behind a browser test) need the project app.
        from caremgmt.celery import app as project_app

        project_app.set_current()
        project_app.set_default()
    assert result == {"status": "ok", "database": connection.settings_dict["NAME"]}
