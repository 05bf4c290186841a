"""Benchmark of the home page (the work queue): server time of GET / for a care manager and
for the office manager of an office with 8 care managers × 45 clients.

Builds (inside a transaction that is rolled back) the office: every client has a confirmed
plan (this month's monitoring due), three in four last month's visit, every third an open
hospital stay without its 入院時情報提供書, every fifth a 認定 ending within 60 days; then
refreshes the queue (`refresh_office`, timed once) and requests the page `--runs` times per
role through Django's test client (middleware, templates, access log included).

Prints the queries per page and p50/p95 ms per role; the last line is the manager's p95 as
`worklist: <ms> ms`. Target (issue 12): under 150 ms. Asserts nothing.

    DATABASE_URL=postgres://... python bench/worklist.py [--runs 30] [--per-cm 45] [--cms 8]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caremgmt.settings")
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.utils import timezone  # noqa: E402


class Rollback(Exception):
    pass


def build(per_cm: int, cms: int):  # noqa: ANN201
    from caremgmt.models import Role
    from clients.models import HospitalStay
    from monitoring.models import MonitoringRecord
    from tests.factories import (
        CarePlanFactory,
        CertificationFactory,
        ClientFactory,
        OfficeFactory,
        staff_in,
    )

    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    office = OfficeFactory(name="ベンチやること居宅")
    manager = staff_in(office, Role.OFFICE_MANAGER, full_name="ベンチ 管理者")
    care_managers = [
        staff_in(office, Role.CARE_MANAGER, full_name=f"ベンチ 担当{n}") for n in range(cms)
    ]
    index = 0
    for cm in care_managers:
        for _ in range(per_cm):
            index += 1
            client = ClientFactory(office=office, care_manager=cm)
            cert = CertificationFactory(
                client=client,
                application_kind="new",
                valid_from=dt.date(2026, 1, 1),
                valid_to=today + dt.timedelta(days=30) if index % 5 == 0 else dt.date(2028, 12, 31),
                care_level="12" if index % 7 == 0 else "22",
            )
            plan = CarePlanFactory(
                client=client,
                certification=cert,
                status="confirmed",
                starts_on=dt.date(2026, 1, 10),
                drafted_on=dt.date(2026, 1, 5),
                consented_on=dt.date(2026, 1, 8),
                delivered_on=dt.date(2026, 1, 8),
            )
            if index % 4:
                MonitoringRecord.objects.create(
                    client=client,
                    plan=plan,
                    month=last_month,
                    visited_on=last_month.replace(day=5),
                    met_persons="本人",
                    author=cm,
                )
            if index % 3 == 0:
                HospitalStay.objects.create(
                    client=client,
                    hospital_name="ベンチ病院",
                    admitted_on=today - dt.timedelta(days=1),
                )
    return office, manager, care_managers[0]


def measure(http: HttpClient, runs: int) -> tuple[int, list[float]]:
    http.get("/")  # warm: session, templates
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        http.get("/")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = http.get("/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return len(queries), times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--per-cm", type=int, default=45)
    parser.add_argument("--cms", type=int, default=8)
    args = parser.parse_args()
    from monitoring.models import WorkItem
    from monitoring.work.refresh import refresh_office

    lines = []
    try:
        with transaction.atomic():
            started = time.perf_counter()
            office, manager, care_manager = build(args.per_cm, args.cms)
            lines.append(
                f"seeded {args.per_cm * args.cms} clients in {time.perf_counter() - started:.1f} s"
            )
            started = time.perf_counter()
            refresh_office(office)
            items = WorkItem.objects.filter(office=office).count()
            lines.append(
                f"refresh_office: {items} items in {(time.perf_counter() - started) * 1000:.0f} ms"
            )
            results = {}
            for label, staff in (("care manager", care_manager), ("manager", manager)):
                http = HttpClient()
                http.force_login(staff, backend="caremgmt.auth_backends.LoginIdOrEmailBackend")
                queries, times = measure(http, args.runs)
                results[label] = times
                lines.append(
                    f"{label}: {queries} queries, p50 {statistics.median(times):.1f} ms, "
                    f"p95 {p95(times):.1f} ms"
                )
            lines.append(f"worklist: {p95(results['manager']):.1f} ms")
            raise Rollback
    except Rollback:
        pass
    print("\n".join(lines))


if __name__ == "__main__":
    main()
