"""Benchmark of the ticket editor's recompute: ms per day toggle on a 10-row month.

Builds (inside a transaction that is rolled back) a 要介護3 client with the test ticket world
(訪問介護, 通所介護, 福祉用具貸与) and seven more rows (訪問介護 at other times, 入浴介助加算,
処遇改善加算, …), then times:

* `figures`  — `ticket_figures(ticket)`: the register, the rows and the engine;
* `service`  — `ticket_set_day(...)`: lock, write, version bump, recompute and cache;
* `request`  — the editor's htmx toggle POST end to end (the server time a click costs:
  the service, a second recompute for the limit panel, the row and panel templates).

Prints ms per operation (median of the runs); the last line is the request figure as
`recompute: <ms> ms`. Target: under 50 ms. Asserts nothing.

    DATABASE_URL=postgres://... python bench/ticket_recompute.py [--runs N]
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

EXTRA_ROWS = [  # (provider attribute, code, start hour, weekdays)
    ("home_help", "111211", 15, (2, 5)),
    ("home_help", "111211", 18, (1, 3, 5)),
    ("home_help", "116275", None, (1,)),  # 処遇改善加算Ⅰ (percentage, 1月につき)
    ("day_service", "155301", 10, (3,)),  # 入浴介助加算Ⅰ
    ("day_service", "156108", None, (3,)),  # 処遇改善加算Ⅰ
    ("day_service", "152443", 9, (6,)),
    ("home_help", "111211", 8, (6, 7)),
]


class _Rollback(Exception):
    pass


def _build(month: dt.date):  # noqa: ANN202
    from billing.models import TicketRow
    from billing.tickets.generate import generate_ticket
    from billing.tickets.month import days_in_month
    from caremgmt.models import Role
    from tests.billing.ticket_world import make_ticket_world
    from tests.factories import OfficeFactory, staff_in

    office = OfficeFactory(name="ベンチ居宅")
    staff = staff_in(office, Role.CARE_MANAGER, full_name="ベンチ 担当")
    tw = make_ticket_world(office, staff)
    ticket, _ = generate_ticket(client=tw.client, month=month)
    for order, (who, code, hour, weekdays) in enumerate(EXTRA_ROWS, start=10):
        days = [
            d
            for d in range(1, days_in_month(month) + 1)
            if month.replace(day=d).isoweekday() in weekdays
        ]
        TicketRow.objects.create(
            ticket=ticket,
            order=order,
            provider=getattr(tw, who),
            service_code=code,
            starts_at=dt.time(hour) if hour is not None else None,
            ends_at=dt.time(hour + 1) if hour is not None else None,
            planned_days=days if hour is not None else days[:1],
        )
    ticket.refresh_from_db()
    return staff, ticket


def _time(fn, runs: int) -> float:  # noqa: ANN001
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from billing.tickets.compute import ticket_figures
    from billing.tickets.services import ticket_set_day
    from caremgmt.access import actor_for

    month = dt.date(2026, 12, 1)
    results: dict[str, float] = {}
    try:
        with transaction.atomic():
            staff, ticket = _build(month)
            row = ticket.rows.order_by("order").first()
            rows = ticket.rows.count()
            actor = actor_for(staff)
            ticket_figures(ticket)  # warm the fee schedule cache
            results["figures"] = _time(lambda: ticket_figures(ticket), args.runs)

            def service() -> None:
                nonlocal ticket
                on = 5 not in ticket.rows.get(pk=row.pk).planned_days
                ticket = ticket_set_day(
                    actor=actor,
                    ticket=ticket,
                    row_id=row.pk,
                    day=5,
                    on=on,
                    expected_version=ticket.version,
                )

            results["service"] = _time(service, args.runs)

            http = Client(HTTP_HOST="localhost")
            http.force_login(staff, backend="caremgmt.auth_backends.LoginIdOrEmailBackend")
            url = reverse("billing:ticket_toggle", args=[ticket.pk])
            state = {"version": ticket.version}

            def request() -> None:
                response = http.post(
                    url,
                    {"cell": f"{row.pk}:planned:6", "version": state["version"]},
                    headers={"HX-Request": "true"},
                )
                assert response.status_code == 200, response.status_code
                state["version"] += 1

            request()  # warm templates
            results["request"] = _time(request, args.runs)
            raise _Rollback
    except _Rollback:
        pass
    print(f"rows: {rows}")
    print(f"figures: {results['figures']:.1f} ms (ticket_figures: register + rows + engine)")
    print(f"service: {results['service']:.1f} ms (ticket_set_day incl. recompute and cache)")
    print(f"recompute: {results['request']:.1f} ms")


if __name__ == "__main__":
    main()
