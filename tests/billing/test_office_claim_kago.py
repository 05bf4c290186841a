"""過誤申立て of the office claim (billing/office_claim/kago.py): the worked example in yen,
creation rules, the status moves with their dates, the version check (409, nothing written),
per-client reopening of a 送信済み month (evidence and the hospital sync) and the undo of
送信済み refused while a 過誤 exists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from billing.models import KagoStatus, OfficeClaimKago, OfficeClaimMonthClose
from billing.models.office_claim import ClaimEvidence, StaffMonthFte
from billing.office_claim import close, kago, kago_codes
from caremgmt.access import actor_for
from tests.billing.kago_helpers import (
    EVIDENCE,
    FTE,
    NEW,
    PAGE,
    REOPEN,
    move,
    new_kago,
    sent_case,
    today,
)
from tests.billing.office_claim_world import MONTH, make_case

pytestmark = pytest.mark.django_db


def test_worked_example_missed_standard_violation_in_yen(world, login) -> None:  # noqa: ANN001
    """要介護3, (Ⅰ)(ⅰ) 432211 = 1,411 units at 11.40 円 (1級地): sent floor(1,411×11.40) =
    16,085 円. 運営基準減算 (50 %, 43M050 −706) was missed: corrected 705 units, floor(705×11.40)
    = 8,037 円; the 過誤 withdraws 16,085 円 and the re-bill claims 8,037 円 (−8,048 円)."""
    client = sent_case(world)
    http = login(world.clerk)
    page = http.get(PAGE, {"month": "2026-12"}).content.decode()
    assert "過誤申立てを作成" in page and "過誤申立て 0件" in page
    created = http.post(
        NEW,
        {
            "month": "2026-12",
            "client": client.pk,
            "same_month": "0",
            "reason_code": "4002",
            "reason_text": "運営基準減算の算定漏れ（12月モニタリング未実施）",
        },
    )
    assert created.status_code == 302
    row = OfficeClaimKago.objects.get()
    assert (row.status, row.reason_code, row.same_month, row.created_by) == (
        KagoStatus.DRAFT,
        "4002",
        False,
        world.clerk,
    )
    assert row.sent_line["total_units"] == 1411 and row.sent_line["insurance_claim_yen"] == 16085
    assert row.close == OfficeClaimMonthClose.objects.get()

    # the client's evidence is writable again (the month stays closed for the others)
    added = http.post(
        EVIDENCE,
        {
            "month": "2026-12",
            "client": client.pk,
            "kind": "standard_violation",
            "proof_on": "2026-12-01",
        },
    )
    assert added.status_code == 302
    page = http.get(PAGE, {"month": "2026-12"}).content.decode()
    assert "過誤申立て 1件" in page
    assert "1,411単位<br>16,085円" in page  # as sent
    assert "705単位<br>8,037円" in page  # the live claim, from the calc engine
    assert "-706単位<br>-8,048円" in page
    assert "過誤申立て中のため、この利用者のこの月の根拠は変更できます" in page

    today_ = today()
    for action in ("file", "withdraw"):
        row.refresh_from_db()
        assert move(http, row, action, today_).status_code == 302
    row.refresh_from_db()
    assert move(http, row, "rebill", today_).status_code == 302
    row.refresh_from_db()
    assert row.status == KagoStatus.REBILLED
    assert (row.filed_on, row.decided_on, row.rebilled_on) == (today_, today_, today_)
    assert row.rebilled_line["total_units"] == 705
    assert row.rebilled_line["insurance_claim_yen"] == 8037
    assert row.rebilled_line["codes"] == [
        ["432211", row.rebilled_line["codes"][0][1], 1411],
        ["43M050", row.rebilled_line["codes"][1][1], -706],
    ]
    assert row.version == 4
    # re-billed: the month is closed again for the client
    again = http.post(
        EVIDENCE,
        {"month": "2026-12", "client": client.pk, "kind": "terminal", "proof_on": "2026-12-02"},
    )
    assert again.status_code == 409
    assert ClaimEvidence.objects.count() == 1


def test_codes_are_data_with_the_office_default_first() -> None:
    choices = kago_codes.code_choices()
    assert choices[0][0] == "4002" == kago_codes.DEFAULT_CODE
    assert kago_codes.SAME_MONTH_CODE == "4012"
    assert {code for code, _ in choices} == {"4002", "4012", "4011", "4032", "4099", "4042"}
    assert kago_codes.code_label("4099").startswith("4099 居宅介護支援・その他の事由")
    assert (
        kago_codes.code_label("4199")
        == "4199 介護予防支援・その他の事由による実績の取下げ（指導検査含む）"
    )
    assert kago_codes.code_label("ZZ01") == "ZZ01"


def test_create_refuses_unsent_lines_open_duplicates_and_bad_input(world, login) -> None:  # noqa: ANN001
    http = login(world.clerk)
    # the month is not 送信済み
    open_client = make_case(world.office, world.care_manager)
    refused = http.post(
        NEW,
        {
            "month": "2026-12",
            "client": open_client.pk,
            "same_month": "0",
            "reason_code": "4002",
            "reason_text": "x",
        },
    )
    assert refused.status_code == 422
    assert "この月の請求はまだ送信済みではありません" in refused.content.decode()
    unsent = make_case(world.office, world.care_manager, sheet_status=None)  # 請求不可 when sent
    client = sent_case(world)
    form = {
        "month": "2026-12",
        "client": unsent.pk,
        "same_month": "0",
        "reason_code": "4002",
        "reason_text": "請求漏れ",
    }
    response = http.post(NEW, form)
    assert response.status_code == 422
    assert kago.NOT_SENT in response.content.decode()
    # bad code, missing and long reason: at the fields
    bad = http.post(NEW, {**form, "client": client.pk, "reason_code": "40-2", "reason_text": ""})
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "申立事由コードは英数字4桁で選んでください（例：4002）。" in text
    assert "申立理由を入力してください。" in text
    long = http.post(NEW, {**form, "client": client.pk, "reason_text": "あ" * 201})
    assert "申立理由は200文字以内で入力してください。" in long.content.decode()
    assert not OfficeClaimKago.objects.exists()
    # any valid 4-character code is accepted (the list is unconfirmed); lower case is raised
    assert http.post(NEW, {**form, "client": client.pk, "reason_code": "4099"}).status_code == 302
    second = http.post(NEW, {**form, "client": client.pk})
    assert second.status_code == 422
    assert "この利用者のこの月には「作成済み」の過誤申立てがあります。" in second.content.decode()
    assert OfficeClaimKago.objects.count() == 1
    with pytest.raises(ValidationError) as raised:
        new_kago(world, client)
    assert "「作成済み」" in str(raised.value)


def test_moves_need_dates_in_order_and_not_in_the_future(world, login) -> None:  # noqa: ANN001
    client = sent_case(world)
    row = new_kago(world, client)
    http = login(world.clerk)
    today_ = today()
    future = move(http, row, "file", today_ + dt.timedelta(days=1))
    assert future.status_code == 422
    assert "提出日に未来の日付は入力できません。" in future.content.decode()
    missing = move(http, row, "file")
    assert "提出日を入力してください。" in missing.content.decode()
    # an illegal move: 過誤決定 before 申立
    illegal = move(http, row, "withdraw", today_)
    assert illegal.status_code == 409
    assert "この過誤申立ては「作成済み」のため、過誤決定済みにすることはできません。" in (
        illegal.content.decode()
    )
    row.refresh_from_db()
    assert (row.status, row.version, row.filed_on) == (KagoStatus.DRAFT, 1, None)
    assert move(http, row, "file", today_ - dt.timedelta(days=5)).status_code == 302
    row.refresh_from_db()
    early = move(http, row, "withdraw", today_ - dt.timedelta(days=6))
    assert early.status_code == 422
    assert (
        "過誤決定日は提出日" in early.content.decode()
        and "以降にしてください" in early.content.decode()
    )
    assert move(http, row, "withdraw", today_ - dt.timedelta(days=2)).status_code == 302
    row.refresh_from_db()
    early = move(http, row, "rebill", today_ - dt.timedelta(days=3))
    assert "再請求日は過誤決定日" in early.content.decode()
    row.refresh_from_db()
    assert row.status == KagoStatus.WITHDRAWN and row.rebilled_on is None


def test_same_month_kago_rebills_straight_from_filed(world, login) -> None:  # noqa: ANN001
    client = sent_case(world)
    row = new_kago(world, client, same_month=True, reason_code="4012")
    http = login(world.manager)
    assert move(http, row, "file", today()).status_code == 302
    row.refresh_from_db()
    assert move(http, row, "rebill", today()).status_code == 302
    row.refresh_from_db()
    assert row.status == KagoStatus.REBILLED and row.decided_on is None
    assert row.rebilled_line["insurance_claim_yen"] == 16085


def test_cancel_and_a_new_kago_after_a_closed_one(world, login) -> None:  # noqa: ANN001
    client = sent_case(world)
    row = new_kago(world, client)
    http = login(world.clerk)
    assert move(http, row, "cancel").status_code == 302
    row.refresh_from_db()
    assert (row.status, row.cancelled_on) == (KagoStatus.CANCELLED, today())
    # cancelled: no further moves, and a new 過誤 may be made (the constraint is partial)
    assert move(http, row, "file", today()).status_code == 409
    second = new_kago(world, client)
    assert second.status == KagoStatus.DRAFT
    assert OfficeClaimKago.objects.count() == 2


def test_stale_version_is_refused_with_409_and_nothing_written(world, login) -> None:  # noqa: ANN001
    client = sent_case(world)
    row = new_kago(world, client)
    first, second = login(world.clerk), login(world.manager)
    # both pages were loaded at version 1
    assert move(first, row, "file", today()).status_code == 302
    stale = move(second, row, "cancel")
    assert stale.status_code == 409
    assert "他の人が先にこの過誤申立てを更新しました。" in stale.content.decode()
    row.refresh_from_db()
    assert (row.status, row.version, row.cancelled_on) == (KagoStatus.FILED, 2, None)
    with pytest.raises(kago.StaleKagoError):
        kago.move_kago(
            actor=actor_for(world.clerk), kago_id=row.pk, action="cancel", expected_version=1
        )
    row.refresh_from_db()
    assert row.status == KagoStatus.FILED


def test_open_kago_reopens_only_that_clients_evidence_not_fte(world, login) -> None:  # noqa: ANN001
    client = sent_case(world)
    other = sent_case(world, world.colleague)  # a case made after the close: not sent
    close_row = OfficeClaimMonthClose.objects.get()
    assert [line["client_id"] for line in close_row.lines] == [client.pk]
    row = new_kago(world, client)
    http = login(world.clerk)
    ok = http.post(
        EVIDENCE,
        {"month": "2026-12", "client": client.pk, "kind": "terminal", "proof_on": "2026-12-05"},
    )
    assert ok.status_code == 302
    refused = http.post(
        EVIDENCE,
        {"month": "2026-12", "client": other.pk, "kind": "terminal", "proof_on": "2026-12-05"},
    )
    assert refused.status_code == 409
    cm = world.care_manager.pk
    fte = http.post(FTE, {"month": "2026-12", f"fte_{cm}": "0.5", f"loaded_{cm}": ""})
    assert fte.status_code == 409
    assert not StaffMonthFte.objects.exists()
    # deleting the reopened client's evidence works too
    evidence = ClaimEvidence.objects.get(client=client)
    assert http.post(EVIDENCE, {"month": "2026-12", "delete": evidence.pk}).status_code == 302
    # the hospital sync's question, both ways
    assert close.month_closed_for_client(client.pk, MONTH) is False
    assert close.month_closed_for_client(other.pk, MONTH) is True
    kago.move_kago(
        actor=actor_for(world.clerk), kago_id=row.pk, action="cancel", expected_version=1
    )
    assert close.month_closed_for_client(client.pk, MONTH) is True
    again = http.post(
        EVIDENCE,
        {"month": "2026-12", "client": client.pk, "kind": "terminal", "proof_on": "2026-12-05"},
    )
    assert again.status_code == 409
    assert not ClaimEvidence.objects.exists()


def test_reopen_is_refused_while_the_month_has_a_kago(world, login) -> None:  # noqa: ANN001
    client = sent_case(world)
    row = new_kago(world, client)
    close_row = OfficeClaimMonthClose.objects.get()
    manager = login(world.manager)
    response = manager.post(REOPEN, {"month": "2026-12", "close": close_row.pk})
    assert response.status_code == 409
    assert "この月には過誤申立てがあるため、送信済みを取り消せません。" in response.content.decode()
    assert OfficeClaimMonthClose.objects.filter(pk=close_row.pk).exists()
    # even a cancelled 過誤 keeps the mark (it refers to the lines as sent)
    kago.move_kago(
        actor=actor_for(world.clerk), kago_id=row.pk, action="cancel", expected_version=1
    )
    assert manager.post(REOPEN, {"month": "2026-12", "close": close_row.pk}).status_code == 409
    assert OfficeClaimMonthClose.objects.count() == 1


def test_kago_changes_are_in_the_change_history(world) -> None:  # noqa: ANN001
    from django.apps import apps

    client = sent_case(world)
    row = new_kago(world, client)
    kago.move_kago(
        actor=actor_for(world.clerk), kago_id=row.pk, action="file", expected_version=1, on=today()
    )
    events = apps.get_model("billing", "OfficeClaimKagoEvent").objects.filter(pgh_obj_id=row.pk)
    assert sorted(events.values_list("pgh_label", flat=True)) == ["insert", "update"]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_moves_one_wins(world) -> None:  # noqa: ANN001
    """Two clerks move the same 過誤 at once from pages of version 1: the office-month lock and
    the row lock order them; the second is stale, nothing of it written."""
    import threading

    client = sent_case(world)
    row = new_kago(world, client)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    from django.db import connection

    def click(staff, action) -> None:  # noqa: ANN001
        try:
            barrier.wait(timeout=10)
            kago.move_kago(
                actor=actor_for(staff),
                kago_id=row.pk,
                action=action,
                expected_version=1,
                on=today(),
            )
            outcomes.append(action)
        except kago.StaleKagoError:
            outcomes.append("stale")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=click, args=(world.clerk, "file")),
        threading.Thread(target=click, args=(world.manager, "cancel")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert outcomes.count("stale") == 1 and len(outcomes) == 2
    row.refresh_from_db()
    assert row.version == 2
    assert row.status == (KagoStatus.FILED if "file" in outcomes else KagoStatus.CANCELLED)
