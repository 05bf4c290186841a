"""Benchmark: the month-start 給付管理票 batch for one office-month, end to end, in-process.

Seeds (once per size, then reuses) a synthetic office 「ベンチ給付管理居宅」 with N clients,
each 要介護3 with a 2026-12 ticket of 3–6 rows (訪問介護, 通所介護, 福祉用具貸与 and extra
訪問介護 days), cloned with bulk_create from one ticket generated from a real plan. Then runs
the batch twice (`billing.benefit.batch.run_now`: every draft 給付管理票, then the 8222 file)
— the first run creates the drafts, the second is the idempotent re-run — counting SQL
queries with a connection execute wrapper. No HTTP, no Celery broker.

    python bench/month_batch.py [--clients 2000]

Prints queries per 1,000 clients, client-months per second and, as the last line,
`<N> client-months in <seconds> s` (first run). Needs PostgreSQL (DATABASE_URL; migrated
here). Issue 11 target: ≤ 30 s for 10,000 client-months.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caremgmt.settings")
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

MONTH = dt.date(2026, 12, 1)
OFFICE_NUMBER = "1379990021"
OFFICE_NAME = "ベンチ給付管理居宅"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000)
    return parser.parse_args()


def _clone(obj, **changes):  # noqa: ANN001, ANN003, ANN202
    twin = copy.copy(obj)
    twin.pk = None
    twin.id = None
    twin._state = copy.copy(obj._state)
    twin._state.adding = True
    for name, value in changes.items():
        setattr(twin, name, value)
    return twin


@transaction.atomic
def seed(clients: int):  # noqa: ANN201
    """The office and `clients` client-months (cloned from one generated ticket)."""
    from billing.models import ServiceTicket, TicketRow
    from billing.tickets.generate import generate_ticket
    from caremgmt.models import Office, Role
    from clients.models import BurdenRatio, Certification, Client
    from tests.billing.ticket_world import make_ticket_world
    from tests.factories import CorporationFactory, OfficeFactory, staff_in

    office = Office.objects.filter(office_number=OFFICE_NUMBER).first()
    if office is None:
        office = OfficeFactory(
            office_number=OFFICE_NUMBER,
            name=OFFICE_NAME,
            corporation=CorporationFactory(name="ベンチ給付管理法人"),
        )
        manager = staff_in(office, Role.CARE_MANAGER, full_name="給付 管理")
        template = make_ticket_world(office, manager).client
        generate_ticket(client=template, month=MONTH)
    have = ServiceTicket.objects.filter(client__office=office, month=MONTH).count()
    if have >= clients:
        return office
    ticket = ServiceTicket.objects.filter(client__office=office, month=MONTH).order_by("pk")[0]
    client = ticket.client
    certification = Certification.objects.filter(client=client).first()
    burden = BurdenRatio.objects.filter(client=client).first()
    rows = list(ticket.rows.order_by("order", "pk"))
    visit = next(row for row in rows if row.service_code.startswith("11"))
    new_clients = [
        _clone(
            client,
            name=f"ベンチ 利用者{n}",
            name_kana=f"ベンチ リヨウシャ{n}",
            insured_number=f"{8000000000 + n:010d}",
        )
        for n in range(have, clients)
    ]
    Client.objects.bulk_create(new_clients, batch_size=1000)
    Certification.objects.bulk_create(
        [_clone(certification, client=c) for c in new_clients], batch_size=1000
    )
    BurdenRatio.objects.bulk_create([_clone(burden, client=c) for c in new_clients], 1000)
    tickets = [_clone(ticket, client=c, version=1) for c in new_clients]
    ServiceTicket.objects.bulk_create(tickets, batch_size=1000)
    extra_days = ([1, 8, 15, 22, 29], [4, 11, 18, 25], [5, 12, 19, 26])
    new_rows = []
    for index, new_ticket in enumerate(tickets):
        new_rows += [_clone(row, ticket=new_ticket) for row in rows]
        for extra in range(index % 4):  # 3–6 rows
            new_rows.append(
                _clone(
                    visit,
                    ticket=new_ticket,
                    order=10 + extra,
                    source_key=f"bench-{extra}",
                    planned_days=extra_days[extra],
                )
            )
    TicketRow.objects.bulk_create(new_rows, batch_size=2000)
    return office


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001, ANN204
        self.count += 1
        return execute(sql, params, many, context)


def timed_run(office):  # noqa: ANN001, ANN201
    from django.conf import settings

    from billing.benefit.batch import run_now

    # The synthetic month has no confirmed 実績 or 届出: measure the sheets and the file, not
    # the pre-submission gate (which would refuse the month).
    settings.BENEFIT_BATCH_REQUIRES_CHECK = False
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        outcome = run_now(office, MONTH)
    return outcome, time.perf_counter() - started, counter.count


def main() -> None:
    args = parse_args()
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    office = seed(args.clients)
    print(f"seeded in {time.perf_counter() - t0:.1f} s")
    from billing.models.benefit import BenefitManagementSheet

    BenefitManagementSheet.objects.filter(ticket__client__office=office).delete()
    first, seconds, queries = timed_run(office)
    n = first.run.total
    print(f"first run: {first.run.status} {n} client-months, {queries} queries")
    print(f"SQL queries per 1,000 clients: {queries * 1000 / max(n, 1):.0f}")
    print(f"client-months per second: {n / seconds:.1f}")
    second, seconds2, queries2 = timed_run(office)
    same = bytes(first.submission.content) == bytes(second.submission.content)
    print(f"re-run: {seconds2:.1f} s, {queries2} queries, identical bytes: {same}")
    print(f"sha256 {first.submission.sha256}, {first.submission.record_count} records")
    print(f"{n} client-months in {seconds:.1f} s")


if __name__ == "__main__":
    main()
