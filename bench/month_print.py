"""Benchmark: print a care manager's whole month through real Celery workers on Redis.

Seeds (once, then reuses) an office with one care manager and 45 clients, each with a
confirmed plan (訪問介護 twice a week, 通所介護 once a week, two providers shared by all)
and a generated ticket for 2026-12: 本人用 + 控え + 2 提供票 = 4 documents per client, 180 in
all. Forgets earlier print jobs of that office (so every document really renders), starts
`celery -A caremgmt worker -c 2` on its own Redis database, starts a run as the care manager
and follows it like the progress page does (run_progress every 0.2 s, which also moves the
finished run to merging). Then starts a second run of the unchanged month (everything
reused). Prints documents per second and the peak RSS of each worker child; asserts nothing.

    python bench/month_print.py [--clients 45] [--redis redis://127.0.0.1:6379/12]
                                [--concurrency 2] [--max-memory-kb 400000]

Needs PostgreSQL (DATABASE_URL; the bench migrates it and adds its own office
「ベンチ一括印刷居宅」, whose print jobs it deletes before each run) and Redis (skipped without). Targets (issue 10): >= 8 documents/s
with 2 worker processes, <= 400 MB per child.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MONTH = dt.date(2026, 12, 1)
OFFICE_NUMBER = "1379990001"
OFFICE_NAME = "ベンチ一括印刷居宅"
CARE_MANAGER = "bench-month-print-cm"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=45)
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    )
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--max-memory-kb", type=int, default=400_000)
    parser.add_argument("--timeout", type=float, default=600)
    return parser.parse_args()


ARGS = parse_args()


def redis_reachable(url: str) -> bool:
    import socket
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 1):
            return True
    except OSError:
        return False


if not redis_reachable(ARGS.redis):
    print(f"month_print: SKIPPED - Redis is not reachable at {ARGS.redis} (start redis-server)")
    sys.exit(0)
# Before Django reads its settings: with REDIS_URL set, Celery is not eager.
os.environ["REDIS_URL"] = ARGS.redis
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caremgmt.settings")
os.environ["CELERY_WORKER_MAX_MEMORY_PER_CHILD_KB"] = str(ARGS.max_memory_kb)

import django  # noqa: E402

django.setup()

import psutil  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from billing import print_run as service  # noqa: E402
from billing.models import PrintRun, PrintRunStatus, ServiceTicket  # noqa: E402
from caremgmt.access import actor_for  # noqa: E402
from caremgmt.celery import app  # noqa: E402
from caremgmt.models import Office, PrintJob, Role, Staff  # noqa: E402


def seed(clients: int) -> Staff:
    """The bench office, its care manager and `clients` clients with December tickets."""
    from billing.tickets.generate import generate_ticket
    from careplans.models import WeeklyService
    from clients.models import Client, ServiceProvider
    from tests.factories import (
        BurdenRatioFactory,
        CarePlanFactory,
        CertificationFactory,
        ClientFactory,
        CorporationFactory,
        MembershipFactory,
        OfficeFactory,
        ServiceProviderFactory,
        StaffFactory,
    )

    office = Office.objects.filter(office_number=OFFICE_NUMBER).first()
    if office is None:
        office = OfficeFactory(
            office_number=OFFICE_NUMBER,
            name=OFFICE_NAME,
            corporation=CorporationFactory(name="ベンチ法人"),
        )
    staff = Staff.objects.filter(username=CARE_MANAGER).first()
    if staff is None:
        staff = StaffFactory(username=CARE_MANAGER, full_name="一括 印刷")
        MembershipFactory(staff=staff, office=office, role=Role.CARE_MANAGER)
    providers = list(ServiceProvider.objects.filter(office=office).order_by("pk"))
    if len(providers) < 2:
        providers = [
            ServiceProviderFactory(
                office=office,
                provider_number="1379990101",
                name="ヘルパーステーションベンチ",
                service_types=["11"],
            ),
            ServiceProviderFactory(
                office=office,
                provider_number="1379990102",
                name="デイサービスベンチ",
                service_types=["15"],
            ),
        ]
    home_help, day_service = providers[:2]
    existing = Client.objects.filter(office=office, care_manager=staff).count()
    for index in range(existing, clients):
        client = ClientFactory(
            office=office,
            care_manager=staff,
            name=f"ベンチ 利用者{index:02d}",
            name_kana=f"ベンチ リヨウシャ{index:02d}",
            insured_number=f"{9_100_000_000 + index:010d}",
        )
        certification = CertificationFactory(client=client, care_level="23")
        BurdenRatioFactory(client=client, ratio=1)
        plan = CarePlanFactory(
            client=client,
            certification=certification,
            assessment=None,
            status="confirmed",
            consented_on=dt.date(2026, 4, 8),
            delivered_on=dt.date(2026, 4, 8),
        )
        WeeklyService.objects.create(
            plan=plan,
            weekdays=[1, 4],
            starts_at=dt.time(10),
            ends_at=dt.time(11),
            content="訪問介護（入浴介助）",
            provider=home_help,
            service_code="111211",
        )
        WeeklyService.objects.create(
            plan=plan,
            weekdays=[3],
            starts_at=dt.time(9, 30),
            ends_at=dt.time(16, 30),
            content="通所介護",
            provider=day_service,
            service_code="152443",
        )
    for client in Client.objects.filter(office=office, care_manager=staff).order_by("pk"):
        if not ServiceTicket.objects.filter(client=client, month=MONTH).exists():
            with transaction.atomic():
                generate_ticket(client=client, month=MONTH)
    return staff


def forget_earlier_prints(office_id: int) -> int:
    """Delete the office's earlier runs and print jobs (and their files): a cold month."""
    PrintRun.objects.filter(office_id=office_id).delete()  # items and merges cascade
    jobs = PrintJob.objects.filter(office_id=office_id)
    for job in jobs.exclude(file=""):
        job.file.delete(save=False)
    return jobs.delete()[0]


def start_workers(concurrency: int, max_memory_kb: int) -> subprocess.Popen:
    celery = Path(sys.executable).with_name("celery")
    command = [
        str(celery),
        "-A",
        "caremgmt",
        "worker",
        "-c",
        str(concurrency),
        "-Q",
        "celery,pdf",
        "--max-memory-per-child",
        str(max_memory_kb),
        "-l",
        "WARNING",
        "-n",
        f"bench-month-print-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), start_new_session=True)


def wait_ready(worker: subprocess.Popen, name_part: str, timeout: float = 60) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited with {worker.returncode}")
        replies = app.control.ping(timeout=0.5) or []
        if any(name_part in name for reply in replies for name in reply):
            return time.perf_counter() - started
    raise SystemExit("the worker did not answer a ping in time")


class RssWatch:
    """Peak RSS of every worker child seen (children are replaced past the memory cap)."""

    def __init__(self, pid: int) -> None:
        self.main = psutil.Process(pid)
        self.peak: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self.main_peak = 0

    def sample(self) -> None:
        try:
            self.main_peak = max(self.main_peak, self.main.memory_info().rss)
            children = self.main.children(recursive=True)
        except psutil.NoSuchProcess:
            return
        for child in children:
            try:
                rss = child.memory_info().rss
                times = child.cpu_times()
            except psutil.NoSuchProcess:
                continue
            self.peak[child.pid] = max(self.peak.get(child.pid, 0), rss)
            self.cpu[child.pid] = max(self.cpu.get(child.pid, 0.0), times.user + times.system)

    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())


def follow(run: PrintRun, watch: RssWatch, timeout: float) -> dict[str, float]:
    """Poll like the progress page until done; times since the start for each phase."""
    started = time.perf_counter()
    marks: dict[str, float] = {}
    while True:
        watch.sample()
        run.refresh_from_db()
        progress = service.run_progress(run)
        now = time.perf_counter() - started
        if run.status != PrintRunStatus.QUEUED and "claimed" not in marks:
            marks["claimed"] = now
        if run.status not in (PrintRunStatus.QUEUED, PrintRunStatus.BUILDING):
            marks.setdefault("built", now)
        total = progress.counts.total
        if marks.get("built") and total and progress.counts.done == total:
            marks.setdefault("rendered", now)
        if run.status == PrintRunStatus.DONE:
            marks["done"] = now
            return marks
        if run.status == PrintRunStatus.FAILED or progress.counts.failed:
            raise SystemExit(f"run failed: {run.error or progress.counts}")
        if now > timeout:
            raise SystemExit(f"timed out: {run.status} {progress.counts}")
        time.sleep(0.2)


def run_once(staff: Staff, watch: RssWatch, label: str) -> None:
    actor = actor_for(staff)
    watch.sample()
    cpu_before = watch.cpu_seconds()
    with transaction.atomic():
        run = service.start_print_run(actor=actor, month=MONTH)
    marks = follow(run, watch, ARGS.timeout)
    counts = service.run_progress(run).counts
    renders = PrintJob.objects.filter(
        pk__in=run.items.values("job_id"), finished_at__isnull=False
    ).count()
    rendered = counts.total - counts.reused
    render_seconds = marks["rendered"]
    merges = list(run.merges.all())
    print(f"-- {label}")
    print(
        f"documents: {counts.total} ({counts.tickets} clients), reused {counts.reused}, "
        f"distinct print jobs {renders}"
    )
    print(f"build (snapshots + job requests): {marks['built']:.2f} s")
    print(f"all documents done: {render_seconds:.2f} s; merged: {marks['done']:.2f} s")
    for merge in merges:
        print(
            f"merged PDF: {merge.document_count} documents, {merge.page_count} pages, "
            f"{merge.byte_size / 1024:.0f} KB"
        )
    cpu = watch.cpu_seconds() - cpu_before
    print(
        f"worker CPU (children, user+system): {cpu:.1f} s = "
        f"{cpu * 1000 / counts.total:.0f} ms per document; on {ARGS.concurrency} idle cores "
        f"that is ~{ARGS.concurrency * counts.total / cpu:.1f} documents/s"
    )
    if rendered:
        print(f"documents per second: {counts.total / render_seconds:.1f}")


def main() -> None:
    call_command("migrate", verbosity=0)
    seed_started = time.perf_counter()
    staff = seed(ARGS.clients)
    office_id = actor_for(staff).office.pk
    print(f"seeded/reused {ARGS.clients} clients in {time.perf_counter() - seed_started:.1f} s")
    print(f"forgot {forget_earlier_prints(office_id)} earlier print jobs of the bench office")
    with app.connection_for_write() as connection:  # our Redis database: leftovers only
        for queue in ("celery", "pdf"):
            connection.default_channel.queue_purge(queue)
    worker = start_workers(ARGS.concurrency, ARGS.max_memory_kb)
    try:
        ready = wait_ready(worker, f"bench-month-print-{os.getpid()}")
        print(
            f"worker: celery -c {ARGS.concurrency} -Q celery,pdf, max memory per child "
            f"{ARGS.max_memory_kb // 1000} MB, ready in {ready:.1f} s"
        )
        watch = RssWatch(worker.pid)
        run_once(staff, watch, "cold month (every document rendered)")
        run_once(staff, watch, "same month again (unchanged: every document reused)")
        peaks = sorted(watch.peak.values(), reverse=True)
        print(
            "peak worker child RSS: "
            + ", ".join(f"{rss / 2**20:.0f} MB" for rss in peaks)
            + f" ({len(peaks)} children seen); worker main {watch.main_peak / 2**20:.0f} MB"
        )
    finally:
        worker.terminate()  # warm shutdown of our own worker: it stops its children
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


if __name__ == "__main__":
    main()
