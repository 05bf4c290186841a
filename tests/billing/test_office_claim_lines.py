"""Per-client 居宅介護支援費 lines (billing.office_claim.claim): base code by band and level,
初回加算 proposals, evidence-driven and percentage 加算/減算 priced by the engine, 請求不可
without a submitted 給付管理票, query count independent of the client count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from billing.models.office_claim import ClaimEvidence, OfficeClaimSettings, StaffMonthFte
from billing.office_claim.claim import NO_SHEET, office_month_claim
from caremgmt.models.organization import Role
from tests.billing.office_claim_world import MONTH, make_case
from tests.factories import OfficeFactory, PublicExpenseFactory, staff_in

pytestmark = pytest.mark.django_db


def _line(claim, client):  # noqa: ANN001, ANN202
    return next(line for line in claim.lines if line.client.pk == client.pk)


def _codes(line) -> dict[str, int]:  # noqa: ANN001
    return {code.code: code.units for code in line.codes}


def _evidence(client, kind: str, month: dt.date = MONTH, *, by) -> ClaimEvidence:  # noqa: ANN001
    return ClaimEvidence.objects.create(
        client=client, month=month, kind=kind, proof_on=month.replace(day=10), created_by=by
    )


def test_base_line_is_priced_by_the_engine_at_the_office_grade(world) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager, level="23")
    light = make_case(world.office, world.care_manager, level="21")
    claim = office_month_claim(world.office, MONTH)
    line = _line(claim, client)
    assert _codes(line) == {"432211": 1411}
    # 1級地, 人件費割合70% → 11.40円: floor(1,411 × 11.40) = 16,085; 10割給付 (no copay)
    assert (line.total_units, line.total_cost_yen, line.insurance_claim_yen) == (1411, 16085, 16085)
    assert line.billable and line.band == "i"
    assert _codes(_line(claim, light)) == {"432111": 1086}


def test_lines_without_a_submitted_sheet_are_not_billable(world) -> None:  # noqa: ANN001
    draft = make_case(world.office, world.care_manager, sheet_status="draft")
    none = make_case(world.office, world.care_manager, sheet_status=None)
    accepted = make_case(world.office, world.care_manager, sheet_status="accepted")
    claim = office_month_claim(world.office, MONTH)
    assert _line(claim, draft).reasons == [NO_SHEET]
    assert not _line(claim, none).billable
    assert _line(claim, none).total_units == 1411  # still shown with its figures
    assert _line(claim, accepted).billable
    assert claim.billable_yen == 16085


def test_initial_addition_proposals(world) -> None:  # noqa: ANN001
    new = make_case(
        world.office, world.care_manager, earlier_ticket=False, contracted_on=dt.date(2026, 11, 20)
    )
    old = make_case(world.office, world.care_manager)
    # 要介護1 → 要介護3 from 2026-12-01: two levels up
    up_two = make_case(world.office, world.care_manager, level="23", previous_level="21")
    up_one = make_case(world.office, world.care_manager, level="23", previous_level="22")
    claim = office_month_claim(world.office, MONTH)
    assert _line(claim, new).initial_proposal == "新規の利用者（この事業所での最初の月）"
    assert _line(claim, old).initial_proposal == ""
    assert _line(claim, up_two).initial_proposal == "要介護状態区分が2区分以上重くなった"
    assert _line(claim, up_one).initial_proposal == ""
    # proposed, not confirmed: not claimed
    assert "434001" not in _codes(_line(claim, new))
    _evidence(new, "initial", by=world.clerk)
    line = _line(office_month_claim(world.office, MONTH), new)
    assert line.initial_confirmed
    assert _codes(line) == {"432211": 1411, "434001": 300}


def test_new_client_rule_needs_a_recent_contract(world) -> None:  # noqa: ANN001
    long_ago = make_case(
        world.office, world.care_manager, earlier_ticket=False, contracted_on=dt.date(2024, 1, 5)
    )
    claim = office_month_claim(world.office, MONTH)
    assert _line(claim, long_ago).initial_proposal == ""


def test_evidence_driven_additions(world) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    for kind in ("hospital_1", "terminal", "outpatient", "emergency", "discharge"):
        _evidence(client, kind, by=world.care_manager)
    line = _line(office_month_claim(world.office, MONTH), client)
    assert _codes(line) == {
        "432211": 1411,
        "436125": 250,
        "436100": 400,
        "436135": 50,
        "436133": 200,
        "436132": 450,
    }
    assert line.total_units == 2761
    assert line.total_cost_yen == 31475  # floor(2,761 × 11.40) = 31,475.4


def test_specific_office_addition_and_percentages_round_through_the_engine(world) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    OfficeClaimSettings.objects.create(
        office=world.office, specific_office_addition="1", special_area=True, bcp_missing=True
    )
    _evidence(client, "same_building", by=world.clerk)
    line = _line(office_month_claim(world.office, MONTH), client)
    codes = _codes(line)
    assert codes["432211"] == 1411 and codes["434002"] == 519
    # percentages on the month's 1,930 units, each rounded half-up (away from zero):
    # +15 % → 289.5 → 290; −5 % → −96.5 → −97; −1 % → −19.3 → −19
    assert codes["43P015"] == 290
    assert codes["43M005"] == -97
    assert codes["43M002"] == -19
    assert line.total_units == 1930 + 290 - 97 - 19
    assert line.total_cost_yen == 23985  # floor(2,104 × 11.40) = floor(23,985.6)


def test_standard_violation_halves_then_stops_in_the_second_month(world) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    _evidence(client, "standard_violation", by=world.clerk)
    line = _line(office_month_claim(world.office, MONTH), client)
    # 1,411 × −50 % = −705.5 → −706 (half away from zero): 705 units
    assert _codes(line)["43M050"] == -706
    assert line.total_units == 705 and line.billable
    _evidence(client, "standard_violation", dt.date(2026, 11, 1), by=world.clerk)
    line = _line(office_month_claim(world.office, MONTH), client)
    assert not line.billable and line.codes == [] and line.total_units == 0
    assert "2か月" in line.reasons[0]


def test_bands_reach_the_client_lines_in_contract_order(db) -> None:  # noqa: ANN001
    office = OfficeFactory()
    cm = staff_in(office, Role.CARE_MANAGER, full_name="一人 ケアマネ")
    # 0.02 FTE: (ⅰ) below 0.9 cases, (ⅱ) below 1.2, so: 1st (ⅱ), 2nd and 3rd (ⅲ)
    StaffMonthFte.objects.create(office=office, staff=cm, month=MONTH, fte=Decimal("0.02"))
    third = make_case(office, cm, contracted_on=dt.date(2025, 3, 1))
    first = make_case(office, cm, contracted_on=dt.date(2024, 3, 1))
    second = make_case(office, cm, level="21", contracted_on=dt.date(2024, 9, 1))
    support = make_case(office, cm, level="12", contracted_on=dt.date(2026, 1, 1))
    claim = office_month_claim(office, MONTH)
    assert claim.bands.warnings == ()
    assert claim.bands.cases_display == "3.33"
    assert _codes(_line(claim, first)) == {"433211": 704}
    assert _codes(_line(claim, second)) == {"434111": 326}
    assert _codes(_line(claim, third)) == {"434211": 422}
    assert not _line(claim, support).billable and _line(claim, support).codes == []
    assert claim.bands.clients_in("iii") == [second.pk, third.pk, support.pk]


def test_fee_category_two_uses_the_435_codes(db) -> None:  # noqa: ANN001
    office = OfficeFactory()
    cm = staff_in(office, Role.CARE_MANAGER)
    OfficeClaimSettings.objects.create(office=office, fee_category="2")
    client = make_case(office, cm)
    claim = office_month_claim(office, MONTH)
    assert _codes(_line(claim, client)) == {"435211": 1411}
    assert claim.bands.first_limit == 50
    assert len(claim.bands.warnings) == 1  # no 常勤換算 row: counted 1.00


def test_public_expense_and_restriction_are_noted(world) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    PublicExpenseFactory(client=client)
    line = _line(office_month_claim(world.office, MONTH), client)
    assert any("公費 12" in note and "10割" in note for note in line.notes)
    assert line.insurance_claim_yen == line.total_cost_yen


def test_query_count_is_independent_of_the_number_of_clients(
    world, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        make_case(world.office, world.care_manager)
    office_month_claim(world.office, MONTH)  # warm the fee schedule cache
    with CaptureQueriesContext(connection) as few:
        office_month_claim(world.office, MONTH)
    for _ in range(5):
        client = make_case(world.office, world.colleague)
        _evidence(client, "hospital_2", by=world.clerk)
        PublicExpenseFactory(client=client)
    with django_assert_max_num_queries(len(few.captured_queries)):
        claim = office_month_claim(world.office, MONTH)
    assert len(claim.lines) == 7
    assert len(few.captured_queries) <= 10
