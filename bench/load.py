"""Load benchmark: 50 simulated staff against gunicorn + PostgreSQL while a month-start batch
and a print run go on (issue 13 item 11). Not part of `make test`; `make bench-load`.

1. Seeds (once) the corporation 「負荷試験法人」 — 10 offices × 8 care managers × 45 clients
   with a year of history — in its own database (`bench/load_seed.py`).
2. Starts a private `redis-server`, gunicorn (`caremgmt.wsgi`, as in the Dockerfile, with
   2 × cores workers) and a Celery worker (`-c 2`, queues celery and pdf).
3. Starts the 給付管理票 batch for office 01 and a print run for office 02, then runs Locust
   headless for LOAD_SECONDS (default 60) with 50 users. Each logs in as one of the seeded
   care managers and, with 1–3 s between actions: browses the caseload (work queue, client
   list), opens clients (client page + htmx tabs), toggles days on next month's ticket
   through htmx (with the version token, and back), saves the month's monitoring record
   (the record form, posted back) and writes a 第5表 entry (htmx).
4. Prints p50/p95/p99 per endpoint (partial = htmx request, page = full page), the load
   average and the state of the batch and the print run; the last line is
   `p95 partials <ms> ms, p95 pages <ms> ms, errors <n>`. Asserts nothing.

    python bench/load.py [--seconds 60] [--users 50] [--database postgres://…/cm_load]

Environment: LOAD_SECONDS, LOAD_DATABASE_URL (default: DATABASE_URL with the database name
cm_load), LOAD_REDIS_PORT (default 6413; the system Redis DB 13 if redis-server is missing).
Targets: p95 ≤ 150 ms for partials, ≤ 300 ms for pages, 0 errors.
"""

from __future__ import annotations

# Locust patches the standard library with gevent on import: before anything else. The
# Django work (seeding, starting the batch) runs in subprocesses, never in this process.
from locust import FastHttpUser, between, task  # isort: skip  # noqa: I001

import argparse
import datetime as dt
import html.parser
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "load-bench-2026-pass"  # bench/load_seed.py PASSWORD (not imported: no Django here)
VERSION = re.compile(r'id="grid-version" value="(\d+)"')  # the editor's version token
CELL = re.compile(r'value="(\d+):planned:(\d+)"')
TABS = ("history", "plans", "tickets", "monitoring", "records")


class FormFields(html.parser.HTMLParser):
    """The fields a browser would submit from the first form posting to `action`."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: C901
        a = {k: (v or "") for k, v in attrs}
        if (
            tag == "form"
            and not self.done
            and a.get("method", "").lower() == "post"
            and a.get("action", "").split("?")[0] in ("", self.action)  # "": posts to itself
        ):
            self.inside = True
        if not self.inside or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a["name"], None, False
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a and not self._select_chosen:
                self._select_chosen = True
                self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self.fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)


def form_fields(page: str, action: str) -> list[tuple[str, str]]:
    parser = FormFields(action)
    parser.feed(page)
    return parser.fields


class CareManager(FastHttpUser):
    """One care manager at work. `work` (username → clients with ticket and record ids) and
    `logins` are set by the runner before the users start. FastHttpUser (geventhttpclient):
    the simulated browsers share the server's two cores, so they should cost it little."""

    wait_time = between(1, 3)
    work: dict = {}
    logins = iter(())

    def on_start(self) -> None:
        self.username = next(self.logins)
        self.clients = self.work[self.username]
        self.client.get("/login/", name="login page")
        self.client.post(
            "/login/",
            data=form(
                {
                    "username": self.username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": self.csrf(),
                }
            ),
            headers=FORM,
            name="login",
        )

    def csrf(self) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

    def htmx(self, post: bool = False) -> dict:
        return {"HX-Request": "true", "X-CSRFToken": self.csrf(), **(FORM if post else {})}

    @task(3)
    def browse_caseload(self) -> None:
        self.client.get("/", name="page: work queue")
        self.client.get("/clients/", name="page: client list")

    @task(4)
    def open_client(self) -> None:
        pk = random.choice(self.clients)["client"]
        self.client.get(f"/clients/{pk}/", name="page: client")
        for tab in random.sample(TABS, 2):
            self.client.get(
                f"/clients/{pk}/tabs/{tab}/", headers=self.htmx(), name=f"partial: tab {tab}"
            )

    @task(3)
    def edit_ticket(self) -> None:
        ticket = random.choice(self.clients)["ticket"]
        page = self.client.get(f"/billing/tickets/{ticket}/", name="page: ticket editor")
        cells = CELL.findall(page.text or "")
        version = _version(page.text)
        if not cells or version is None:
            return
        row, day = random.choice(cells)
        for _ in range(2):  # on, then off again: the ticket ends as it was
            response = self.client.post(
                f"/billing/tickets/{ticket}/toggle/",
                data=form({"cell": f"{row}:planned:{day}", "version": version}),
                headers=self.htmx(post=True),
                name="partial: ticket day toggle",
            )
            version = _version(response.text)
            if version is None:
                return

    @task(1)
    def save_monitoring(self) -> None:
        record = random.choice(self.clients)["record"]
        url = f"/monitoring/records/{record}/edit/"
        page = self.client.get(url, name="page: monitoring record form")
        fields = [
            (
                name,
                f"血圧は安定。{dt.datetime.now():%H:%M:%S} 確認。"
                if name == "health_change"
                else value,
            )
            for name, value in form_fields(page.text or "", url)
        ]
        if not fields:
            return
        with self.client.post(
            url,
            data=form(fields),
            headers={"X-CSRFToken": self.csrf(), **FORM},
            name="page: monitoring record save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:  # a re-rendered form = the save was refused
                response.failure(f"record not saved ({response.status_code})")

    @task(2)
    def write_support_log(self) -> None:
        pk = random.choice(self.clients)["client"]
        with self.client.post(
            f"/monitoring/clients/{pk}/log/",
            data=form(
                {
                    "occurred_on": dt.date.today().isoformat(),
                    "occurred_at": "10:30",
                    "kind": "phone",
                    "counterpart": "長女",
                    "content": "長女より電話。変わりなく過ごしているとのこと。",
                }
            ),
            headers=self.htmx(post=True),
            name="partial: 第5表 entry",
            catch_response=True,
        ) as response:
            if response.ok and "errorlist" in (response.text or ""):
                response.failure("entry refused")


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def form(fields: dict | list) -> str:
    return urlencode(fields)


def _version(text: str | None) -> str | None:
    match = VERSION.search(text or "")
    return match.group(1) if match else None


TASKS = [t.__name__ for t in CareManager.tasks]


# --- the run ------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOAD_SECONDS", 60)))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--database", default=os.environ.get("LOAD_DATABASE_URL", ""))
    parser.add_argument("--port", type=int, default=8713)
    parser.add_argument(
        "--redis-port", type=int, default=int(os.environ.get("LOAD_REDIS_PORT", 6413))
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    return parser.parse_args()


def database_url(given: str) -> str:
    if given:
        return given
    base = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/x")
    return urlunparse(base._replace(path="/cm_load"))


def wait_port(port: int, process: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"load: {what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"load: {what} did not listen on {port}")


def django(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "load_seed.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"load: load_seed.py {' '.join(args)} failed")
    return result.stdout


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def priority(pid: int) -> str:
    """The worker's nice value and its session's (autogroup) nice, as the kernel has them."""
    try:
        group = Path(f"/proc/{pid}/autogroup").read_text().split()[-1]
    except OSError:
        group = "?"
    return f"nice {os.getpriority(os.PRIO_PROCESS, pid)}, session nice {group}"


def report(stats, load: tuple[float, float, float], background: str, exceptions: int) -> None:  # noqa: ANN001
    rows = sorted(stats.entries.values(), key=lambda e: e.name)
    print(f"{'endpoint':<38} {'kind':<8} {'n':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'err':>4}")
    partial, page = [], []
    for entry in rows:
        kind = "partial" if entry.name.startswith("partial") else "page"
        if entry.name.startswith("login"):
            kind = "login"
        else:
            (partial if kind == "partial" else page).append(entry)
        pct = entry.get_response_time_percentile
        print(
            f"{entry.name:<38} {kind:<8} {entry.num_requests:>6} {pct(0.5):>6.0f} "
            f"{pct(0.95):>6.0f} {pct(0.99):>6.0f} {entry.num_failures:>4}"
        )
    for error in stats.errors.values():
        print(f"  error: {error.occurrences} × {error.name}: {str(error.error)[:120]}")
    total = stats.total
    rate = total.num_failures / total.num_requests if total.num_requests else 0.0
    print(
        f"requests {total.num_requests} ({total.total_rps:.1f}/s), error rate {rate:.2%}, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
    )
    print(f"background: {background}")

    def p95(entries: list) -> float:
        from locust.stats import StatsEntry

        merged = StatsEntry(stats, "merged", "")
        for entry in entries:
            merged.extend(entry)
        return merged.get_response_time_percentile(0.95) or 0.0

    if exceptions:
        print(f"  {exceptions} exceptions in the simulated users' tasks (counted as errors)")
    print(
        f"p95 partials {p95(partial):.0f} ms, p95 pages {p95(page):.0f} ms, "
        f"errors {total.num_failures + exceptions}"
    )


def main() -> None:  # noqa: PLR0915
    import gevent
    from locust.env import Environment

    args = parse_args()
    env = {**os.environ, "DATABASE_URL": database_url(args.database), "DJANGO_ENV": "development"}
    env.pop("DEBUG", None)
    env.pop("MIGRATION_DATABASE_URL", None)
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    env.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="load-static-"))  # no warning
    processes: list[subprocess.Popen] = []
    try:
        started = time.perf_counter()
        print(django(env).rstrip() or "load_seed: done")
        print(f"seeding (or the check) took {time.perf_counter() - started:.0f} s")
        redis = shutil.which("redis-server")
        if redis:
            server = subprocess.Popen(
                [redis, "--port", str(args.redis_port), "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            )
            processes.append(server)
            wait_port(args.redis_port, server, "redis-server")
            env["REDIS_URL"] = f"redis://127.0.0.1:{args.redis_port}/0"
        else:
            env["REDIS_URL"] = "redis://127.0.0.1:6379/13"
        bin_dir = Path(PYTHON).parent
        worker_log = open(Path(env["STATIC_ROOT"]).parent / f"load-worker-{os.getpid()}.log", "w")  # noqa: SIM115
        web = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "caremgmt.wsgi:application",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        processes.append(web)
        worker = subprocess.Popen(
            [
                str(bin_dir / "celery"),
                "-A",
                "caremgmt",
                "worker",
                "-c",
                "2",
                "-Q",
                "celery,pdf",
                "-l",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"bench-load-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,  # the banner
            stderr=worker_log,  # a run stopped mid-task logs WorkerLostError there
            start_new_session=True,
        )
        processes.append(worker)
        wait_port(args.port, web, "gunicorn")
        work = json.loads(django(env, "--manifest"))
        logins = sorted(work)
        CareManager.work = work
        CareManager.logins = itertools.cycle(logins)
        environment = Environment(user_classes=[CareManager], host=f"http://127.0.0.1:{args.port}")
        runner = environment.create_local_runner()
        started_at = time.perf_counter()
        runner.start(args.users, spawn_rate=args.users)
        # The morning's logins (a deliberately slow password hash each) come first and are
        # reported apart; the batch and the print run start once everyone is at work, so they
        # go on during the whole measured window.
        deadline = time.monotonic() + 120

        def login() -> object:
            return environment.stats.entries.get(("login", "POST"))

        while (login() is None or login().num_requests < args.users) and (
            time.monotonic() < deadline
        ):
            gevent.sleep(0.5)
        logged = login() or environment.stats.total
        print(
            f"logins: {logged.num_requests} in {time.perf_counter() - started_at:.0f} s, "
            f"p50 {logged.get_response_time_percentile(0.5):.0f} ms, "
            f"p95 {logged.get_response_time_percentile(0.95):.0f} ms (not in the figures below)"
        )
        background = json.loads(django(env, "--start-background"))
        print(
            f"load: {args.users} users for {args.seconds} s against {args.workers} gunicorn "
            f"workers; Celery worker at {priority(worker.pid)} "
            f"(batch run {background['batch']}, print run {background['print_run']})"
        )
        environment.stats.reset_all()
        window = time.perf_counter()
        gevent.sleep(args.seconds)
        runner.quit()
        window = time.perf_counter() - window
        load = os.getloadavg()
        status = json.loads(
            django(env, "--status", str(background["batch"]), str(background["print_run"]))
        )
        report(
            environment.stats,
            load,
            f"batch {status['batch']}; print run {status['print_run']}, "
            f"{status['documents'] / window:.1f} documents/s during the window",
            sum(e["count"] for e in runner.exceptions.values()),
        )
    finally:
        for process in reversed(processes):
            stop(process)


if __name__ == "__main__":
    main()
