"""運営基準減算 proposals on the office claim (billing/office_claim/proposals.py): the
registry, the line's proposal and its 2-month wording, query counts, and the screen (count at
the top, the line's notice, the evidence form preselecting 運営基準減算)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models.office_claim import ClaimEvidence
from billing.office_claim import proposals
from billing.office_claim.additions import STANDARD_VIOLATION_SECOND_MONTH
from billing.office_claim.claim import office_month_claim
from careplans.models import CarePlan
from monitoring.models import MonitoringRecord
from tests.billing.office_claim_world import MONTH, make_case

pytestmark = pytest.mark.django_db

JST = dt.timezone(dt.timedelta(hours=9))
PAGE = reverse("billing:office_claim")
MISSED_DECEMBER = (
    "2026年12月のモニタリング（居宅訪問・記録）がありません。"
    "特段の事情がなければ運営基準減算の対象です。"
)
TWO_MONTHS = (
    "前月（2026年11月）も運営基準減算を登録しているため、登録するとこの月は"
    "2か月連続となり、居宅介護支援費を算定できなくなります（請求不可）。"
)


@pytest.fixture(autouse=True)
def billing_at_month_start(time_machine) -> None:  # noqa: ANN001
    """December 2026 is claimed in early January: its monitoring month is over."""
    time_machine.move_to(dt.datetime(2027, 1, 5, 10, 0, tzinfo=JST))


@pytest.fixture
def isolated_registry():  # noqa: ANN201
    saved = {kind: dict(sources) for kind, sources in proposals._sources.items()}
    proposals._sources.clear()
    yield proposals._sources
    proposals._sources.clear()
    proposals._sources.update(saved)


def _visit(client, day: dt.date = dt.date(2026, 12, 10)) -> None:  # noqa: ANN001
    MonitoringRecord.objects.create(
        client=client,
        plan=CarePlan.objects.get(client=client),
        month=day.replace(day=1),
        visited_on=day,
        place="home",
        met_persons="本人",
        author=client.care_manager,
    )


def _evidence(client, month: dt.date, by) -> ClaimEvidence:  # noqa: ANN001
    return ClaimEvidence.objects.create(
        client=client, month=month, kind="standard_violation", proof_on=month, created_by=by
    )


def _line(claim, client):  # noqa: ANN001, ANN202
    return next(line for line in claim.lines if line.client.pk == client.pk)


# --- the registry -------------------------------------------------------------------------------
def test_registry_refuses_unknown_kinds(isolated_registry) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match="unknown claim evidence kind"):
        proposals.register_proposal_source("no_such_kind", lambda month, ids: {})
    assert proposals.registered_kinds() == ()


def test_registry_asks_each_source_once_and_joins_reasons(isolated_registry) -> None:  # noqa: ANN001
    calls: list[tuple[dt.date, list[int]]] = []

    def first(month: dt.date, ids):  # noqa: ANN001, ANN202
        calls.append((month, list(ids)))
        return {1: "一つ目。", 2: "", 99: "請求にない利用者。"}

    proposals.register_proposal_source("standard_violation", first, name="first")
    proposals.register_proposal_source("standard_violation", first, name="first")  # replaced
    proposals.register_proposal_source(
        "standard_violation", lambda month, ids: {1: "二つ目。"}, name="second"
    )
    found = proposals.collect_proposals(MONTH, [1, 2, 3])
    assert found == {"standard_violation": {1: "一つ目。二つ目。"}}
    assert calls == [(MONTH, [1, 2, 3])]
    assert proposals.collect_proposals(MONTH, []) == {}
    assert len(calls) == 1  # no clients: sources are not asked


def test_proposal_wording_for_registered_and_second_month() -> None:
    def proposal(this: list[str], last: list[str]) -> str:
        return proposals.standard_violation_proposal(
            reason="理由。", month=MONTH, kinds_this_month=this, kinds_last_month=last
        )

    assert proposal([], []) == "理由。"
    assert proposal(["initial"], ["same_building"]) == "理由。"
    assert proposal(["standard_violation"], []) == ""
    assert proposal(["standard_violation"], ["standard_violation"]) == ""
    assert proposal([], ["standard_violation"]) == "理由。" + TWO_MONTHS
    assert (
        proposals.standard_violation_proposal(
            reason="", month=MONTH, kinds_this_month=[], kinds_last_month=["standard_violation"]
        )
        == ""
    )


# --- the lines of the month --------------------------------------------------------------------
def test_month_without_monitoring_is_proposed_never_applied(world) -> None:  # noqa: ANN001
    missed = make_case(world.office, world.care_manager)
    visited = make_case(world.office, world.care_manager)
    _visit(visited)
    claim = office_month_claim(world.office, MONTH, with_proposals=True)
    line = _line(claim, missed)
    assert line.violation_proposal == MISSED_DECEMBER
    assert "43M050" not in {code.code for code in line.codes}  # not applied by itself
    assert line.billable
    assert _line(claim, visited).violation_proposal == ""
    plain = office_month_claim(world.office, MONTH)  # without proposals: none asked for
    assert _line(plain, missed).violation_proposal == ""


def test_registered_evidence_hides_the_proposal_and_reduces(world) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    _evidence(client, MONTH, world.clerk)
    line = _line(office_month_claim(world.office, MONTH, with_proposals=True), client)
    assert line.violation_proposal == ""
    assert "43M050" in {code.code for code in line.codes}


def test_second_month_proposal_says_the_month_becomes_unbillable(world) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    _evidence(client, dt.date(2026, 11, 1), world.clerk)
    line = _line(office_month_claim(world.office, MONTH, with_proposals=True), client)
    assert line.violation_proposal == MISSED_DECEMBER + TWO_MONTHS
    assert line.billable  # still only a proposal
    _evidence(client, MONTH, world.clerk)  # the clerk confirms: 2 months → 算定不可
    line = _line(office_month_claim(world.office, MONTH, with_proposals=True), client)
    assert line.violation_proposal == ""
    assert not line.billable and STANDARD_VIOLATION_SECOND_MONTH in line.reasons


def test_support_level_and_uncertified_lines_get_no_proposal(world) -> None:  # noqa: ANN001
    support = make_case(world.office, world.care_manager, level="12")
    claim = office_month_claim(world.office, MONTH, with_proposals=True)
    assert _line(claim, support).violation_proposal == ""


def test_query_count_is_fixed_for_3_and_12_clients(world) -> None:  # noqa: ANN001
    clients = [make_case(world.office, world.care_manager) for _ in range(3)]
    _visit(clients[0])
    office_month_claim(world.office, MONTH, with_proposals=True)  # warm the fee schedule
    with CaptureQueriesContext(connection) as few:
        claim = office_month_claim(world.office, MONTH, with_proposals=True)
    assert sum(1 for line in claim.lines if line.violation_proposal) == 2
    for index in range(9):
        client = make_case(world.office, world.colleague)
        if index % 3 == 0:
            _evidence(client, dt.date(2026, 11, 1), world.clerk)
    with CaptureQueriesContext(connection) as many:
        claim = office_month_claim(world.office, MONTH, with_proposals=True)
    assert sum(1 for line in claim.lines if line.violation_proposal) == 11
    assert len(many.captured_queries) == len(few.captured_queries)
    with CaptureQueriesContext(connection) as plain:
        office_month_claim(world.office, MONTH)
    assert len(few.captured_queries) == len(plain.captured_queries) + 4  # month_status's 4


# --- the screen --------------------------------------------------------------------------------
def _option(html: str, client) -> str:  # noqa: ANN001
    """The selected option of the client's evidence form ("" = none)."""
    select = re.search(rf'<select name="kind" id="kind-{client.pk}">(.*?)</select>', html, re.S)
    assert select is not None
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(1))
    return chosen.group(1) if chosen else ""


def test_page_shows_count_proposal_and_preselects_the_reduction(world, login) -> None:  # noqa: ANN001
    missed = make_case(world.office, world.care_manager)
    second = make_case(world.office, world.colleague)
    _evidence(second, dt.date(2026, 11, 1), world.clerk)
    visited = make_case(world.office, world.care_manager)
    _visit(visited)
    html = login(world.clerk).get(PAGE, {"month": "2026-12"}).content.decode()
    assert "運営基準減算の提案 2件" in html
    assert f'href="#client-{missed.pk}"' in html and f'href="#client-{visited.pk}"' not in html
    assert f"運営基準減算の提案：{MISSED_DECEMBER}減算する場合は" in html
    assert TWO_MONTHS in html
    assert _option(html, missed) == "standard_violation"
    assert _option(html, second) == "standard_violation"
    assert _option(html, visited) == ""


def test_page_after_registering_shows_no_proposal(world, login) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    http = login(world.clerk)
    response = http.post(
        reverse("billing:office_claim_evidence"),
        {
            "month": "2026-12",
            "client": client.pk,
            "kind": "standard_violation",
            "proof_on": "2026-12-31",
            "note": "モニタリング未実施",
        },
    )
    assert response.status_code == 302
    html = http.get(PAGE, {"month": "2026-12"}).content.decode()
    assert "運営基準減算の提案" not in html
    assert "43M050" in html
    assert _option(html, client) == ""


def test_initial_proposal_keeps_the_preselection(world, login) -> None:  # noqa: ANN001
    """Both proposed (a new client whose monitoring is missing): 初回加算 stays preselected;
    once it is confirmed, 運営基準減算 is."""
    client = make_case(world.office, world.care_manager, earlier_ticket=False, contracted_on=None)
    http = login(world.clerk)
    html = http.get(PAGE, {"month": "2026-12"}).content.decode()
    assert "初回加算の提案" in html and "運営基準減算の提案 1件" in html
    assert _option(html, client) == "initial"
    ClaimEvidence.objects.create(
        client=client, month=MONTH, kind="initial", proof_on=MONTH, created_by=world.clerk
    )
    html = http.get(PAGE, {"month": "2026-12"}).content.decode()
    assert _option(html, client) == "standard_violation"


def test_care_manager_sees_the_count_of_own_clients_only(world, login) -> None:  # noqa: ANN001
    own = make_case(world.office, world.care_manager)
    make_case(world.office, world.colleague)
    html = login(world.care_manager).get(PAGE, {"month": "2026-12"}).content.decode()
    assert "運営基準減算の提案 1件" in html
    assert f"運営基準減算の提案：{MISSED_DECEMBER}" in html and f"#client-{own.pk}" in html
    assert "減算する場合は" not in html  # read-only: no instruction to register


def test_page_query_count_is_fixed_with_proposals(world, login) -> None:  # noqa: ANN001
    http = login(world.clerk)
    for _ in range(3):
        make_case(world.office, world.care_manager)
    http.get(PAGE, {"month": "2026-12"})  # warm caches
    with CaptureQueriesContext(connection) as few:
        assert "運営基準減算の提案 3件" in http.get(PAGE, {"month": "2026-12"}).content.decode()
    for _ in range(9):
        make_case(world.office, world.colleague)
    with CaptureQueriesContext(connection) as many:
        assert "運営基準減算の提案 12件" in http.get(PAGE, {"month": "2026-12"}).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
