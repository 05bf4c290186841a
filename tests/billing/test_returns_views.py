"""The returns page and its POSTs: scoping, nothing written by the wrong user, queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.benefit import batch
from billing.models.benefit import BenefitManagementSheet, ClaimSubmission, SheetStatus
from billing.tickets.generate import generate_ticket
from caremgmt.models.audit import AccessLog
from tests.billing.ticket_world import make_ticket_world


@pytest.fixture(autouse=True)
def file_mechanics_only(settings):  # noqa: ANN001, ANN201
    """The submitted files here come from the batch without the pre-submission gate (its own
    tests: test_benefit_gate.py); these tests are about what happens after submission."""
    settings.BENEFIT_BATCH_REQUIRES_CHECK = False


DECEMBER = dt.date(2026, 12, 1)
INDEX = reverse("billing:returns_index") + "?month=2026-12"
SUBMIT = reverse("billing:returns_submit")
RESULT = reverse("billing:returns_result")
IMPORT = reverse("billing:returns_import")
CORRECTION = reverse("billing:returns_correction")
BENEFIT = reverse("billing:benefit_index") + "?month=2026-12"
HEADER = "被保険者番号,サービス提供年月,結果,事由コード,事由\n"


@pytest.fixture
def filed(world):  # noqa: ANN001, ANN201
    tw = make_ticket_world(world.office, world.care_manager)
    ticket, _report = generate_ticket(client=tw.client, month=DECEMBER)
    outcome = batch.run_now(world.office, DECEMBER)
    assert outcome.submission is not None, outcome.errors
    return ticket, outcome.submission


def _submit(http, submission):  # noqa: ANN001, ANN202
    return http.post(
        SUBMIT, {"month": "2026-12", "submission": submission.pk, "submitted_on": "2027-01-08"}
    )


def test_benefit_page_offers_the_submit_form_and_it_works(world, login, filed) -> None:  # noqa: ANN001
    ticket, submission = filed
    http = login(world.clerk)
    assert "提出済にする" in http.get(BENEFIT).content.decode()
    response = _submit(http, submission)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("billing:benefit_index")
    )
    submission.refresh_from_db()
    assert submission.submitted_on == dt.date(2027, 1, 8)
    assert BenefitManagementSheet.objects.get().status == SheetStatus.SUBMITTED
    page = http.get(BENEFIT).content.decode()
    assert "提出日 2027/01/08" in page and "提出済にする" not in page
    # again: idempotent
    _submit(http, submission)
    assert BenefitManagementSheet.objects.get().status == SheetStatus.SUBMITTED


def test_submit_with_a_bad_date_says_so(world, login, filed) -> None:  # noqa: ANN001
    _ticket, submission = filed
    response = login(world.clerk).post(
        SUBMIT, {"month": "2026-12", "submission": submission.pk, "submitted_on": "x"}, follow=True
    )
    assert "提出日を正しく入力してください" in response.content.decode()
    assert ClaimSubmission.objects.get().submitted_on is None


@pytest.mark.parametrize("who", ["care_manager", "colleague", "auditor", "outsider"])
def test_writes_refused_for_others(world, login, filed, who) -> None:  # noqa: ANN001
    ticket, submission = filed
    http = login(getattr(world, who))
    assert _submit(http, submission).status_code == 404
    sheet = BenefitManagementSheet.objects.get()
    assert sheet.status == SheetStatus.DRAFT and ClaimSubmission.objects.get().submitted_on is None
    sheet.status = SheetStatus.SUBMITTED
    sheet.save(update_fields=["status"])
    assert http.post(RESULT, {"sheet": sheet.pk, "result": "受付"}).status_code == 404
    assert http.post(CORRECTION, {"sheet": sheet.pk}).status_code == 404
    row = f"{ticket.client.insured_number},202612,受付,,\n"
    upload = SimpleUploadedFile("r.csv", (HEADER + row).encode())
    # another office's 管理者 may import for their own office: our sheet is not found
    expected = 302 if who == "outsider" else 404
    assert http.post(IMPORT, {"month": "2026-12", "file": upload}).status_code == expected
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED and sheet.return_reason == ""
    assert BenefitManagementSheet.objects.count() == 1


def test_page_scoping(world, login, filed) -> None:  # noqa: ANN001
    ticket, _submission = filed
    name = ticket.client.name
    clerk_page = login(world.clerk).get(INDEX).content.decode()
    assert (
        name in clerk_page and "取り込む" in clerk_page and "提出期限 2027年1月10日" in clerk_page
    )
    for reader in (world.care_manager, world.auditor):
        page = login(reader).get(INDEX).content.decode()
        assert name in page and "取り込む" not in page and "記録</button>" not in page
    for stranger in (world.colleague, world.outsider):
        assert name not in login(stranger).get(INDEX).content.decode()
    assert AccessLog.objects.filter(action="search", subject_type="benefit_sheet").exists()


def test_clerk_records_a_return_and_prepares_the_new_sheet(world, login, filed) -> None:  # noqa: ANN001
    ticket, submission = filed
    http = login(world.clerk)
    _submit(http, submission)
    sheet = BenefitManagementSheet.objects.get()
    response = http.post(
        RESULT,
        {
            "month": "2026-12",
            "sheet": sheet.pk,
            "result": "返戻",
            "code": "A1",
            "reason": "限度額超過",
            "expected_status": "submitted",
        },
    )
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.RETURNED
    page = http.get(INDEX).content.decode()
    assert "[A1] 限度額超過" in page and "再提出用の新規を作成" in page
    # a stale form is refused with a message
    stale = http.post(
        RESULT,
        {"month": "2026-12", "sheet": sheet.pk, "result": "受付", "expected_status": "submitted"},
        follow=True,
    )
    assert "他の人が" in stale.content.decode()
    http.post(CORRECTION, {"month": "2026-12", "sheet": sheet.pk})
    draft = BenefitManagementSheet.objects.get(status=SheetStatus.DRAFT)
    assert draft.supersedes_id == sheet.pk
    page = http.get(INDEX).content.decode()
    assert page.count("<li>") >= 2 and "事務 直子" in page


def test_bad_result_shows_a_message_and_writes_nothing(world, login, filed) -> None:  # noqa: ANN001
    _ticket, submission = filed
    http = login(world.manager)
    _submit(http, submission)
    sheet = BenefitManagementSheet.objects.get()
    response = http.post(
        RESULT, {"month": "2026-12", "sheet": sheet.pk, "result": "返戻"}, follow=True
    )
    assert "事由コードまたは事由を入力してください" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED


def test_csv_import_whole_file(world, login, filed) -> None:  # noqa: ANN001
    ticket, submission = filed
    http = login(world.clerk)
    _submit(http, submission)
    number = ticket.client.insured_number
    bad = SimpleUploadedFile("r.csv", (HEADER + f"{number},202612,返戻,,\n").encode())
    page = http.post(IMPORT, {"month": "2026-12", "file": bad}, follow=True).content.decode()
    assert "何も登録していません" in page and "2行目" in page
    assert BenefitManagementSheet.objects.get().status == SheetStatus.SUBMITTED
    good = SimpleUploadedFile("r.csv", (HEADER + f"{number},202612,受付,,\n").encode("cp932"))
    page = http.post(IMPORT, {"month": "2026-12", "file": good}, follow=True).content.decode()
    assert "1件を記録しました" in page
    assert BenefitManagementSheet.objects.get().status == SheetStatus.ACCEPTED
    assert "修正を作成" in page and "取消を作成" in page


def test_page_query_count_does_not_grow(world, login, django_assert_max_num_queries) -> None:  # noqa: ANN001
    for _ in range(3):
        tw = make_ticket_world(world.office, world.care_manager)
        generate_ticket(client=tw.client, month=DECEMBER)
    batch.run_now(world.office, DECEMBER)
    http = login(world.clerk)
    http.get(INDEX)
    with django_assert_max_num_queries(9):
        response = http.get(INDEX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "月の状況" in body and "担当 花子" in body and "未提出" in body


def test_deadline_counts_only_while_something_is_left(world, login, filed, monkeypatch) -> None:  # noqa: ANN001
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2027, 1, 12))
    http = login(world.clerk)
    # filed = 作成済 (not yet 提出済): the deadline counts
    assert "期限を2日過ぎています" in http.get(INDEX).content.decode()
    BenefitManagementSheet.objects.update(status=SheetStatus.SUBMITTED)
    page = http.get(INDEX).content.decode()
    assert "期限を" not in page and "この月の給付管理票はすべて提出済みです。" in page
    BenefitManagementSheet.objects.update(status=SheetStatus.RETURNED)
    assert "期限を2日過ぎています" in http.get(INDEX).content.decode()
    empty = http.get(reverse("billing:returns_index") + "?month=2026-10").content.decode()
    assert "この月に提出するものはありません" in empty
