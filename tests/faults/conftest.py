"""Fixtures of the fault tests: a private redis-server (started, stopped and started again
by the tests; never the system Redis), a real Celery worker in a subprocess (prefork, one
child, so a child can be SIGKILLed and the parent redelivers), and the project's Celery app
pointed at the private Redis for the code under test."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
from celery import Celery
from django.db import connection

from billing.tickets.generate import generate_ticket
from caremgmt.celery import app as project_app
from tests.billing.ticket_world import make_ticket_world
from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[2]
REDIS_PORT = 6391
DECEMBER = dt.date(2026, 12, 1)


def die_with_parent() -> None:
    """preexec_fn: the server dies with the test process even when pytest is killed hard."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def wait_for(predicate, timeout: float = 120, step: float = 0.1):  # noqa: ANN001, ANN201
    """Poll until predicate() is truthy; its value, or AssertionError after `timeout` s (a
    hang guard only: nothing asserts how long anything took)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"gave up waiting for {getattr(predicate, '__name__', predicate)}")


class RedisServer:
    """A redis-server of our own, with an append-only file, so it can be stopped and started
    like production's (AOF on) without touching anyone else's Redis."""

    def __init__(self, port: int, directory: Path) -> None:
        self.port = port
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0):  # noqa: ANN201
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_connect_timeout=1)

    def _up(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:  # noqa: BLE001 - not up yet
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - no threads yet in the fixture
        )
        wait_for(self._up, timeout=20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis flushes its AOF, as on a restart
            self.process.wait(timeout=20)
        self.process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:  # noqa: ANN001
    require_or_skip(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = RedisServer(REDIS_PORT, tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def celery_on(url: str) -> Iterator[Celery]:
    """The code under test publishes (delay_on_commit) to `url` instead of running eagerly."""
    redis_app = Celery("caremgmt-faults", broker=url, set_as_current=False)
    redis_app.conf.update(
        task_always_eager=False,
        task_routes=project_app.conf.task_routes,
        broker_transport_options=project_app.conf.broker_transport_options,
        broker_connection_retry_on_startup=False,
    )
    redis_app.set_current()
    redis_app.set_default()
    try:
        yield redis_app
    finally:
        project_app.set_current()
        project_app.set_default()
        redis_app.close()


def database_url_of_tests() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    socket_dir = (db.get("OPTIONS") or {}).get("host")
    if socket_dir and not db["HOST"]:
        # The embedded server (no DATABASE_URL) listens on a socket directory only.
        return f"postgres://{auth}@/{db['NAME']}?host={socket_dir}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`celery worker --pool=prefork --concurrency=1` as a subprocess on the test database."""

    def __init__(self, redis_url: str, media_root: Path) -> None:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url_of_tests(),
            REDIS_URL=redis_url,
            MEDIA_ROOT=str(media_root),
            FAULTS_FAKE_RENDER="1",
            DB_CONN_MAX_AGE="0",
        )
        env.pop("TEST_DATABASE_NAME", None)
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, str(ROOT / "tests/faults/worker_boot.py"), "celery,pdf"],
            env=env,
            cwd=ROOT,
            preexec_fn=die_with_parent,  # noqa: PLW1509
        )
        pinger = Celery("caremgmt-faults-ping", broker=redis_url, set_as_current=False)
        try:
            wait_for(lambda: pinger.control.ping(timeout=0.5), timeout=120)
        finally:
            pinger.close()

    def children(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []

    def kill_child(self) -> None:
        """SIGKILL the pool process running the task (the OOM killer, a `kill -9`)."""
        for child in self.children():
            os.kill(child.pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def worker(redis_server, tmp_path_factory, django_db_setup, django_db_blocker) -> Iterator[Worker]:  # noqa: ANN001
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock():
        process = Worker(redis_server.url(0), media)
    process.media_root = media
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def tickets(world, settings):  # noqa: ANN001, ANN201
    settings.BENEFIT_BATCH_REQUIRES_CHECK = False  # as in the worker (tests/faults/worker_boot.py)
    out = []
    for level in ("23", "21", "22"):
        tw = make_ticket_world(world.office, world.care_manager, care_level=level)
        out.append(generate_ticket(client=tw.client, month=DECEMBER)[0])
    return out


class TableLock:
    """LOCK TABLE … IN SHARE MODE from a second connection: reads (and foreign-key checks)
    go on, INSERTs wait."""

    def __init__(self, model) -> None:  # noqa: ANN001
        self.table = model._meta.db_table
        self.conn = psycopg.connect(database_url_of_tests(), autocommit=False)
        self.conn.execute(f'LOCK TABLE "{self.table}" IN SHARE MODE')

    def waiting_backend(self) -> int | None:
        # pg_stat_activity is a snapshot per transaction: refresh it inside the lock's one
        self.conn.execute("SELECT pg_stat_clear_snapshot()")
        row = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query ILIKE %s",
            (f'INSERT INTO "{self.table}"%',),
        ).fetchone()
        return row[0] if row else None

    def release(self, terminate: int | None = None) -> None:
        if terminate:  # the dead child's backend (what TCP keepalive does on a real crash)
            self.conn.execute("SELECT pg_terminate_backend(%s)", (terminate,))
        self.conn.rollback()
        self.conn.close()


@pytest.fixture
def locks() -> Iterator[list[TableLock]]:
    held: list[TableLock] = []
    yield held
    for lock in held:
        if not lock.conn.closed:
            lock.release()
