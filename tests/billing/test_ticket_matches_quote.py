"""Done means: the 別表 of a generated ticket matches `manage.py quote` for the same month."""

from __future__ import annotations

import datetime as dt
import io
import json

from django.core.management import call_command

from billing.tickets.generate import generate_ticket
from billing.tickets.quote_input import ticket_quote_input
from billing.tickets.snapshot import ticket_snapshot
from tests.billing.ticket_world import make_ticket_world


def _quote(data: dict, tmp_path) -> dict:  # noqa: ANN001
    path = tmp_path / "month.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("quote", str(path), stdout=out)
    return json.loads(out.getvalue())


def test_generated_ticket_equals_quote_to_the_yen(world, tmp_path) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager)
    ticket, _ = generate_ticket(client=tw.client, month=dt.date(2026, 12, 1))
    snapshot = ticket_snapshot(ticket)
    out = io.StringIO()
    call_command("ticket_quote_input", str(ticket.pk), stdout=out)
    assert json.loads(out.getvalue()) == ticket_quote_input(ticket)
    quoted = _quote(ticket_quote_input(ticket), tmp_path)
    assert quoted["totals"] == snapshot["totals"]
    assert quoted["limit_units"] == snapshot["certification"]["limit_units"]
    pick = (
        "provider_number",
        "service_type",
        "total_units",
        "total_cost",
        "insurance_claim",
        "user_copay",
        "user_full_pay",
        "unit_price",
    )
    assert [{k: s[k] for k in pick} for s in quoted["subtotals"]] == [
        {k: s[k] for k in pick} for s in snapshot["subtotals"]
    ]
    assert snapshot["totals"]["total_cost"] > 0
