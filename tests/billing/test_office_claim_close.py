"""送信済み of the office claim (billing/office_claim/close.py): closing a month, the writes it
refuses (evidence, 常勤換算) with nothing written, undo by 管理者 only (in the change
history), a second close told, the lines as sent, and the page's query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.models.office_claim import ClaimEvidence, OfficeClaimMonthClose, StaffMonthFte
from billing.office_claim import close
from caremgmt.access import actor_for
from tests.billing.office_claim_world import MONTH, make_case

pytestmark = pytest.mark.django_db

PAGE = reverse("billing:office_claim")
EVIDENCE = reverse("billing:office_claim_evidence")
FTE = reverse("billing:office_claim_fte")
CLOSE = reverse("billing:office_claim_close")
REOPEN = reverse("billing:office_claim_reopen")


def _closed_text(staff_name: str, role: str = "事務") -> str:
    today = timezone.localdate()
    return (
        f"この月の請求は送信済みです（{today.year}年{today.month}月{today.day}日 {role} "
        f"{staff_name}）。訂正は過誤申立てで行います。"
    )


def _close(http, month: str = "2026-12", **extra):  # noqa: ANN001, ANN003, ANN202
    return http.post(CLOSE, {"month": month, "confirm": "1", **extra})


def test_clerk_closes_the_month_and_the_page_shows_it_with_the_lines_as_sent(world, login) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    http = login(world.clerk)
    page = http.get(PAGE, {"month": "2026-12"}).content.decode()
    assert "この月の請求を送信済みにする" in page and 'name="confirm"' in page
    # without the confirmation tick: refused at the form, nothing written
    unconfirmed = http.post(CLOSE, {"month": "2026-12"})
    assert unconfirmed.status_code == 422
    assert "国保連へ送信したことを確かめて" in unconfirmed.content.decode()
    assert not OfficeClaimMonthClose.objects.exists()

    assert _close(http, note="12/10 伝送").status_code == 302
    row = OfficeClaimMonthClose.objects.get()
    assert (row.office, row.month, row.closed_by, row.note) == (
        world.office,
        MONTH,
        world.clerk,
        "12/10 伝送",
    )
    assert row.closed_by_label == "事務 事務 直子"
    assert row.billable_yen == 16085 and row.total_units == row.lines[0]["total_units"]
    assert row.lines[0]["client_id"] == client.pk and row.lines[0]["billable"] is True
    assert row.lines[0]["codes"][0][0] == "432211"

    page = http.get(PAGE, {"month": "2026-12"}).content.decode()
    assert "送信済み：" in page and "事務 事務 直子" in page and "メモ：12/10 伝送" in page
    assert "送信した請求（送信時の内容）" in page and 'id="sent-lines"' in page
    assert "16,085円" in page
    # the write forms are gone while closed; the clerk cannot undo
    assert 'action="/billing/office-claim/evidence/"' not in page
    assert 'action="/billing/office-claim/fte/"' not in page
    assert "送信済みを取り消す" not in page
    # the sent lines stay as they were when a later change moves the live figures
    StaffMonthFte.objects.create(
        office=world.office, staff=world.care_manager, month=MONTH, fte=Decimal("0.5")
    )
    row.refresh_from_db()
    assert row.billable_yen == 16085
    # another month is not closed
    assert "この月の請求を送信済みにする" in http.get(PAGE, {"month": "2026-11"}).content.decode()


def test_closed_month_refuses_evidence_and_fte_and_writes_nothing(world, login) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    existing = ClaimEvidence.objects.create(
        client=client, month=MONTH, kind="terminal", proof_on=MONTH, created_by=world.clerk
    )
    StaffMonthFte.objects.create(
        office=world.office, staff=world.care_manager, month=MONTH, fte=Decimal("0.80")
    )
    http = login(world.clerk)
    assert _close(http).status_code == 302
    message = _closed_text("事務 直子")

    added = http.post(
        EVIDENCE,
        {"month": "2026-12", "client": client.pk, "kind": "hospital_1", "proof_on": "2026-12-10"},
    )
    assert added.status_code == 409
    assert message in added.content.decode()
    deleted = http.post(EVIDENCE, {"month": "2026-12", "delete": existing.pk})
    assert deleted.status_code == 409
    assert message in deleted.content.decode()
    cm = world.care_manager.pk
    fte = http.post(FTE, {"month": "2026-12", f"fte_{cm}": "0.5", f"loaded_{cm}": "0.80"})
    assert fte.status_code == 409
    assert message in fte.content.decode()
    # nothing written (the 管理者 is refused the same way)
    manager_add = login(world.manager).post(
        EVIDENCE,
        {"month": "2026-12", "client": client.pk, "kind": "outpatient", "proof_on": "2026-12-11"},
    )
    assert manager_add.status_code == 409
    assert list(ClaimEvidence.objects.values_list("pk", flat=True)) == [existing.pk]
    assert StaffMonthFte.objects.get().fte == Decimal("0.80")
    # the previous month is open: its evidence is written as before
    ok = http.post(
        EVIDENCE,
        {"month": "2026-11", "client": client.pk, "kind": "terminal", "proof_on": "2026-11-20"},
    )
    assert ok.status_code == 302
    assert ClaimEvidence.objects.filter(month=dt.date(2026, 11, 1)).count() == 1


def test_the_closed_message_names_who_closed_and_when(world) -> None:  # noqa: ANN001
    row = close.close_month(actor=actor_for(world.manager), month=MONTH)
    row.closed_at = dt.datetime(2026, 12, 8, 1, 30, tzinfo=dt.UTC)  # 10:30 JST
    assert close.closed_message(row) == (
        "この月の請求は送信済みです（2026年12月8日 管理者 管理 一郎）。訂正は過誤申立てで行います。"
    )
    row.closed_at = dt.datetime(2026, 12, 8, 15, 30, tzinfo=dt.UTC)  # 00:30 JST on the 9th
    assert "2026年12月9日" in close.closed_message(row)


def test_undo_is_for_the_manager_only_and_is_in_the_change_history(world, login) -> None:  # noqa: ANN001
    make_case(world.office, world.care_manager)
    clerk = login(world.clerk)
    assert _close(clerk).status_code == 302
    row = OfficeClaimMonthClose.objects.get()
    form = {"month": "2026-12", "close": row.pk}
    # 事務, 監査 and a care manager get 404; another office's manager finds no such mark in
    # their office (the same answer as for an id that never existed); nothing deleted
    for staff in (world.clerk, world.auditor, world.care_manager):
        assert login(staff).post(REOPEN, form).status_code == 404
    assert login(world.outsider).post(REOPEN, form).status_code == 409
    assert OfficeClaimMonthClose.objects.filter(pk=row.pk).exists()
    assert (
        login(world.care_manager).post(CLOSE, {"month": "2026-11", "confirm": "1"}).status_code
        == 404
    )
    assert login(world.auditor).post(CLOSE, {"month": "2026-11", "confirm": "1"}).status_code == 404
    assert OfficeClaimMonthClose.objects.count() == 1

    manager = login(world.manager)
    page = manager.get(PAGE, {"month": "2026-12"}).content.decode()
    assert "送信済みを取り消す" in page and f'name="close" value="{row.pk}"' in page
    assert manager.post(REOPEN, form).status_code == 302
    assert not OfficeClaimMonthClose.objects.exists()
    event = apps.get_model("billing", "OfficeClaimMonthCloseEvent").objects.get(
        pgh_obj_id=row.pk, pgh_label="delete"
    )
    assert event.pgh_context is not None
    assert event.pgh_context.metadata["user"] == world.manager.pk
    # a second undo of the same mark (an old page): told, nothing else deleted
    again = manager.post(REOPEN, form)
    assert again.status_code == 409
    assert "既に取り消されています" in again.content.decode()
    # open again: writes go through
    client = make_case(world.office, world.colleague)
    added = clerk.post(
        EVIDENCE,
        {"month": "2026-12", "client": client.pk, "kind": "terminal", "proof_on": "2026-12-10"},
    )
    assert added.status_code == 302


def test_an_old_undo_does_not_remove_a_newer_close(world, login) -> None:  # noqa: ANN001
    manager = login(world.manager)
    assert _close(manager).status_code == 302
    first = OfficeClaimMonthClose.objects.get()
    assert manager.post(REOPEN, {"month": "2026-12", "close": first.pk}).status_code == 302
    assert _close(login(world.clerk)).status_code == 302
    second = OfficeClaimMonthClose.objects.get()
    stale = manager.post(REOPEN, {"month": "2026-12", "close": first.pk})
    assert stale.status_code == 409
    assert OfficeClaimMonthClose.objects.get().pk == second.pk


def test_closing_twice_keeps_one_record_and_tells_the_second(world, login) -> None:  # noqa: ANN001
    first, second = login(world.clerk), login(world.manager)
    # both pages were opened while the month was open
    assert "この月の請求を送信済みにする" in second.get(PAGE, {"month": "2026-12"}).content.decode()
    assert _close(first).status_code == 302
    response = _close(second)
    assert response.status_code == 409
    assert (
        f"この月の請求は既に送信済みです（{timezone.localdate().year}年"
        in response.content.decode()
    )
    assert "事務 事務 直子" in response.content.decode()
    row = OfficeClaimMonthClose.objects.get()
    assert row.closed_by == world.clerk


def test_a_close_racing_past_the_check_is_told_by_the_unique_constraint(world, monkeypatch) -> None:  # noqa: ANN001
    """The other close commits between our check and our insert (the advisory lock makes this
    unlikely; the unique constraint still decides): one row, AlreadyClosedError."""
    close.close_month(actor=actor_for(world.clerk), month=MONTH)
    real = close.month_close
    calls = []

    def unseen_first(office_id, month):  # noqa: ANN001, ANN202
        calls.append(month)
        return None if len(calls) == 1 else real(office_id, month)

    monkeypatch.setattr(close, "month_close", unseen_first)
    with pytest.raises(close.AlreadyClosedError) as raised:
        close.close_month(actor=actor_for(world.manager), month=MONTH)
    assert "既に送信済み" in raised.value.message
    assert OfficeClaimMonthClose.objects.count() == 1


def test_care_manager_sees_the_mark_and_only_own_sent_lines(world, login) -> None:  # noqa: ANN001
    own = make_case(world.office, world.care_manager)
    other = make_case(world.office, world.colleague)
    assert _close(login(world.clerk)).status_code == 302
    page = login(world.care_manager).get(PAGE, {"month": "2026-12"}).content.decode()
    assert "送信済み：" in page and own.name in page and other.name not in page
    assert "この月の請求を送信済みにする" not in page and "送信済みを取り消す" not in page


def test_closed_page_query_count_is_independent_of_the_number_of_clients(world, login) -> None:  # noqa: ANN001
    http = login(world.clerk)
    for _ in range(3):
        make_case(world.office, world.care_manager)
    assert _close(http).status_code == 302
    http.get(PAGE, {"month": "2026-12"})  # warm caches
    with CaptureQueriesContext(connection) as few:
        assert http.get(PAGE, {"month": "2026-12"}).status_code == 200
    for _ in range(9):
        client = make_case(world.office, world.colleague)
        ClaimEvidence.objects.create(
            client=client, month=MONTH, kind="terminal", proof_on=MONTH, created_by=world.clerk
        )
    with CaptureQueriesContext(connection) as many:
        assert http.get(PAGE, {"month": "2026-12"}).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_closes_leave_one_record(world) -> None:  # noqa: ANN001
    """Two clerks' clicks at the same moment: the office-month lock orders them, the second
    sees the first's mark and is told; one row."""
    import threading

    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def click(staff) -> None:  # noqa: ANN001
        try:
            barrier.wait(timeout=10)
            close.close_month(actor=actor_for(staff), month=MONTH)
            outcomes.append("closed")
        except close.AlreadyClosedError as told:
            outcomes.append(told.message)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(s,)) for s in (world.clerk, world.manager)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert outcomes.count("closed") == 1 and len(outcomes) == 2
    assert sum("既に送信済み" in text for text in outcomes) == 1
    assert OfficeClaimMonthClose.objects.count() == 1


def test_the_close_form_warns_while_the_month_is_not_over(world, login) -> None:  # noqa: ANN001
    http = login(world.clerk)
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    page = http.get(PAGE, {"month": f"{this_month:%Y-%m}"}).content.decode()
    assert f"{this_month.year}年{this_month.month}月はまだ終わっていません" in page
    page = http.get(PAGE, {"month": f"{last_month:%Y-%m}"}).content.decode()
    assert "はまだ終わっていません" not in page
