"""Smoke test of the load benchmark (bench/load.py, bench/load_seed.py): the seeding works on
a tiny corporation and the Locust user class imports with its task list. The benchmark itself
runs only with `make bench-load`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import load_seed
from billing.models import ProviderActuals, ServiceTicket, TicketRow
from caremgmt.models import Office, Staff
from clients.models import Client
from monitoring.models import GoalReview, MonitoringRecord, SupportLogEntry

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_seed_copies_the_template_history_to_every_client_once() -> None:
    result = load_seed.seed(1, 1, 2, months=3)

    clients = list(Client.objects.filter(name__startswith="負荷00").order_by("pk"))
    assert len(clients) == 2
    template, copy = clients
    staff = Staff.objects.get(username="load-o00-cm0")
    assert staff.check_password(load_seed.PASSWORD)
    assert {c.care_manager_id for c in clients} == {staff.pk}
    assert Office.objects.filter(corporation__name=load_seed.CORPORATION).count() == 1
    for model, link in (
        (ServiceTicket, "client"),
        (TicketRow, "ticket__client"),
        (MonitoringRecord, "client"),
        (GoalReview, "record__client"),
        (SupportLogEntry, "client"),
    ):
        counts = [model.objects.filter(**{link: c}).count() for c in clients]
        assert counts[0] > 0 and counts[0] == counts[1], model.__name__
    assert ServiceTicket.objects.filter(client=copy).count() == 3
    # Last month's 実績 are confirmed for the copy too (the month-start batch's input).
    assert ProviderActuals.objects.filter(ticket__client=copy, status="confirmed").count() == 2
    # The copy's rows point at the copy's own plan and goals, not the template's.
    review = GoalReview.objects.filter(record__client=copy).select_related("goal__need__plan")
    assert {r.goal.need.plan.client_id for r in review} == {copy.pk}
    assert result["clients"] == 2
    work = load_seed.manifest()
    assert [item["client"] for item in work["load-o00-cm0"]] == [template.pk, copy.pk]
    assert all(item["ticket"] and item["record"] for item in work["load-o00-cm0"])

    assert load_seed.seed(1, 1, 2, months=3) == {}  # idempotent: the corporation exists
    assert Client.objects.filter(name__startswith="負荷00").count() == 2


def test_locust_user_class_and_tasks_import() -> None:
    # A subprocess: importing locust patches the standard library with gevent.
    code = "import json; from bench.load import TASKS; print(json.dumps(TASKS))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout.splitlines()[-1])) == {
        "browse_caseload",
        "open_client",
        "edit_ticket",
        "save_monitoring",
        "write_support_log",
    }
