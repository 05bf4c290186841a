"""返戻・保留・過誤 services: submission, results, the CSV, corrections, the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from billing.benefit import batch
from billing.models.benefit import BenefitManagementSheet, ClaimSubmission, SheetStatus
from billing.models.tickets import TicketRow
from billing.returns import services
from billing.returns.csv_import import import_results
from billing.tickets.generate import generate_ticket
from caremgmt.access import actor_for
from caremgmt.locking import StaleEditError
from tests.billing.ticket_world import make_ticket_world


@pytest.fixture(autouse=True)
def file_mechanics_only(settings):  # noqa: ANN001, ANN201
    """The submitted files here come from the batch without the pre-submission gate (its own
    tests: test_benefit_gate.py); these tests are about what happens after submission."""
    settings.BENEFIT_BATCH_REQUIRES_CHECK = False


DECEMBER = dt.date(2026, 12, 1)
SUBMITTED_ON = dt.date(2027, 1, 8)
HEADER = "被保険者番号,サービス提供年月,結果,事由コード,事由\n"


@pytest.fixture
def filed(world):  # noqa: ANN001, ANN201
    """Two client-months with draft sheets in the month's file."""
    tickets = []
    for level in ("23", "21"):
        tw = make_ticket_world(world.office, world.care_manager, care_level=level)
        ticket, _report = generate_ticket(client=tw.client, month=DECEMBER)
        tickets.append(ticket)
    outcome = batch.run_now(world.office, DECEMBER)
    assert outcome.submission is not None, outcome.errors
    return tickets, outcome.submission


def _submit(world, submission):  # noqa: ANN001, ANN202
    return services.mark_submitted(actor_for(world.clerk), submission.pk, SUBMITTED_ON)


def _sheet(ticket) -> BenefitManagementSheet:  # noqa: ANN001
    return ticket.benefit_sheets.order_by("-created_at", "-pk").first()


def test_mark_submitted_moves_the_file_drafts_and_is_idempotent(world, filed) -> None:  # noqa: ANN001
    tickets, submission = filed
    saved, moved = _submit(world, submission)
    assert moved == 2 and saved.submitted_on == SUBMITTED_ON
    assert set(BenefitManagementSheet.objects.values_list("status", flat=True)) == {"submitted"}
    again, moved_again = services.mark_submitted(
        actor_for(world.manager), submission.pk, dt.date(2027, 1, 9)
    )
    assert moved_again == 0 and again.submitted_on == SUBMITTED_ON


def test_mark_submitted_refused_when_a_sheet_changed_since_the_file(world, filed) -> None:  # noqa: ANN001
    tickets, submission = filed
    sheet = _sheet(tickets[0])
    sheet.total_units += 1
    sheet.save(update_fields=["total_units"])
    with pytest.raises(ValidationError, match="変わっています"):
        _submit(world, submission)
    submission.refresh_from_db()
    assert submission.submitted_on is None
    assert not BenefitManagementSheet.objects.filter(status="submitted").exists()


def test_mark_submitted_refused_when_a_new_draft_is_not_in_the_file(world, filed) -> None:  # noqa: ANN001
    _tickets, submission = filed
    tw = make_ticket_world(world.office, world.care_manager)
    ticket, _report = generate_ticket(client=tw.client, month=DECEMBER)
    from billing.benefit.sheets import build_sheet

    build_sheet(ticket)
    with pytest.raises(ValidationError):
        _submit(world, submission)
    assert not BenefitManagementSheet.objects.filter(status="submitted").exists()


@pytest.mark.parametrize("who", ["care_manager", "auditor", "outsider"])
def test_mark_submitted_refused_for_others(world, filed, who) -> None:  # noqa: ANN001
    _tickets, submission = filed
    with pytest.raises(Http404):
        services.mark_submitted(actor_for(getattr(world, who)), submission.pk, SUBMITTED_ON)
    assert ClaimSubmission.objects.get().submitted_on is None


def test_result_transitions(world, filed) -> None:  # noqa: ANN001
    tickets, submission = filed
    _submit(world, submission)
    clerk = actor_for(world.clerk)
    first, second = (_sheet(t) for t in tickets)
    services.record_result(clerk, first.pk, result="受付", expected_status="submitted")
    services.record_result(
        clerk, second.pk, result="返戻", code="A1", reason="限度額超過", expected_status="submitted"
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == SheetStatus.ACCEPTED and first.return_reason == ""
    assert second.status == SheetStatus.RETURNED and second.return_reason == "[A1] 限度額超過"
    # the same result again is idempotent; another move from a result is refused
    services.record_result(clerk, first.pk, result="受付")
    with pytest.raises(ValidationError):
        services.record_result(clerk, first.pk, result="返戻", code="A1")
    # a stale form (loaded while still submitted) is refused
    with pytest.raises(StaleEditError):
        services.record_result(clerk, second.pk, result="受付", expected_status="submitted")
    # 保留 is a note; the status stays
    services.record_result(clerk, first.pk, result="保留", reason="請求明細書と不一致")
    first.refresh_from_db()
    assert first.status == SheetStatus.ACCEPTED
    assert first.return_reason == "保留：請求明細書と不一致"


def test_result_needs_a_reason_for_a_return(world, filed) -> None:  # noqa: ANN001
    tickets, submission = filed
    _submit(world, submission)
    sheet = _sheet(tickets[0])
    with pytest.raises(ValidationError, match="事由"):
        services.record_result(actor_for(world.clerk), sheet.pk, result="返戻")
    with pytest.raises(ValidationError):
        services.record_result(actor_for(world.clerk), sheet.pk, result="却下")
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED


def test_draft_cannot_get_a_result(world, filed) -> None:  # noqa: ANN001
    tickets, _submission = filed
    with pytest.raises(ValidationError):
        services.record_result(actor_for(world.clerk), _sheet(tickets[0]).pk, result="受付")


def test_returned_sheet_gets_a_new_draft_superseding_it(world, filed) -> None:  # noqa: ANN001
    tickets, submission = filed
    _submit(world, submission)
    clerk = actor_for(world.clerk)
    returned = _sheet(tickets[0])
    services.record_result(clerk, returned.pk, result="返戻", code="B2", reason="番号誤り")
    draft = services.prepare_correction(clerk, returned.pk, today=dt.date(2027, 1, 20))
    assert draft.kind == "1" and draft.status == SheetStatus.DRAFT
    assert draft.supersedes_id == returned.pk and draft.created_by == world.clerk
    with pytest.raises(ValidationError):  # a second one is refused
        services.prepare_correction(clerk, returned.pk)
    assert tickets[0].benefit_sheets.filter(status="draft").count() == 1


def test_accepted_sheet_gets_a_correction_or_cancel(world, filed) -> None:  # noqa: ANN001
    tickets, submission = filed
    _submit(world, submission)
    clerk = actor_for(world.manager)
    accepted = _sheet(tickets[0])
    services.record_result(clerk, accepted.pk, result="受付")
    with pytest.raises(ValidationError):
        services.prepare_correction(clerk, accepted.pk, kind="1")
    # the month changed after acceptance → 修正 carries the new content
    row = TicketRow.objects.filter(ticket=tickets[0]).exclude(planned_days=[]).first()
    row.planned_days = row.planned_days[:-1]
    row.save(update_fields=["planned_days"])
    correction = services.prepare_correction(clerk, accepted.pk, kind="2")
    assert correction.kind == "2" and correction.supersedes_id == accepted.pk
    assert correction.total_units < accepted.total_units
    correction.delete()
    cancel = services.prepare_correction(clerk, accepted.pk, kind="3")
    assert cancel.kind == "3" and cancel.total_units == accepted.total_units


@pytest.mark.parametrize("who", ["care_manager", "auditor", "outsider"])
def test_results_and_corrections_refused_for_others(world, filed, who) -> None:  # noqa: ANN001
    tickets, submission = filed
    _submit(world, submission)
    sheet = _sheet(tickets[0])
    actor = actor_for(getattr(world, who))
    with pytest.raises(Http404):
        services.record_result(actor, sheet.pk, result="受付")
    with pytest.raises(Http404):
        services.prepare_correction(actor, sheet.pk)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED
    assert BenefitManagementSheet.objects.count() == 2


def test_csv_applies_every_row(world, filed) -> None:  # noqa: ANN001
    tickets, submission = filed
    _submit(world, submission)
    a, b = (t.client.insured_number for t in tickets)
    data = (HEADER + f"{a},202612,受付,,\n{b},2026-12,返戻,A1,限度額超過\n").encode("cp932")
    outcome = import_results(actor_for(world.clerk), DECEMBER, data)
    assert outcome.errors == [] and outcome.applied == 2
    assert _sheet(tickets[1]).return_reason == "[A1] 限度額超過"
    again = import_results(actor_for(world.clerk), DECEMBER, data)
    assert again.errors == [] and again.applied == 0 and again.unchanged == 2


def test_csv_rejected_whole_with_row_numbers(world, filed) -> None:  # noqa: ANN001
    tickets, submission = filed
    _submit(world, submission)
    a, _b = (t.client.insured_number for t in tickets)
    data = (
        "\ufeff"
        + HEADER
        + f"{a},202612,受付,,\n"
        + "9999999999,202612,受付,,\n"
        + f"{a},202611,返戻,,\n"
        + f"{tickets[1].client.insured_number},202612,返戻,,\n"
        + "1,2\n"
    ).encode()
    outcome = import_results(actor_for(world.clerk), DECEMBER, data)
    joined = "\n".join(outcome.errors)
    assert "3行目" in joined and "4行目" in joined and "5行目" in joined
    assert "6行目" in joined and "項目の数" in joined
    assert outcome.applied == 0
    assert set(BenefitManagementSheet.objects.values_list("status", flat=True)) == {"submitted"}


def test_csv_bad_header_and_transition_errors_write_nothing(world, filed) -> None:  # noqa: ANN001
    tickets, submission = filed
    bad = import_results(actor_for(world.clerk), DECEMBER, b"a,b\n")
    assert bad.errors and "1行目" in bad.errors[0]
    # drafts (not yet submitted) cannot take a result: the whole file is refused
    a = tickets[0].client.insured_number
    outcome = import_results(
        actor_for(world.clerk), DECEMBER, (HEADER + f"{a},202612,受付,,\n").encode()
    )
    assert outcome.errors and outcome.errors[0].startswith("2行目")
    assert set(BenefitManagementSheet.objects.values_list("status", flat=True)) == {"draft"}


def test_csv_refused_for_a_care_manager(world, filed) -> None:  # noqa: ANN001
    with pytest.raises(Http404):
        import_results(actor_for(world.care_manager), DECEMBER, HEADER.encode())


def test_dashboard_counts_per_care_manager(world, filed) -> None:  # noqa: ANN001
    tickets, submission = filed
    clerk = actor_for(world.clerk)
    rows = services.returns_rows(clerk, DECEMBER)
    assert services.dashboard(rows).totals["未提出"] == 2
    _submit(world, submission)
    services.record_result(clerk, _sheet(tickets[0]).pk, result="返戻", code="A1")
    board = services.dashboard(services.returns_rows(clerk, DECEMBER))
    assert board.totals == {"提出済": 1, "受付": 0, "返戻": 1, "未提出": 0}
    assert board.per_manager == [("担当 花子", board.totals)]
