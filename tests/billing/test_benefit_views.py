"""The 給付管理 page: scoping, the batch button (事務/管理者), progress, download, queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from billing.benefit import batch
from billing.models.benefit import BatchRun, BatchStatus, BenefitManagementSheet, ClaimSubmission
from billing.tickets.generate import generate_ticket
from caremgmt.models.audit import AccessLog
from tests.billing.ticket_world import make_ticket_world


@pytest.fixture(autouse=True)
def file_mechanics_only(settings):  # noqa: ANN001, ANN201
    """These tests exercise the sheets, the 8222 writer and the batch mechanics; the gate on
    the pre-submission check has its own tests (test_benefit_gate.py)."""
    settings.BENEFIT_BATCH_REQUIRES_CHECK = False


DECEMBER = dt.date(2026, 12, 1)
INDEX = reverse("billing:benefit_index") + "?month=2026-12"
BATCH = reverse("billing:benefit_batch")
PROGRESS = reverse("billing:benefit_progress") + "?month=2026-12"
DOWNLOAD = reverse("billing:benefit_download") + "?month=2026-12"


@pytest.fixture
def month(world):  # noqa: ANN001, ANN201
    tw = make_ticket_world(world.office, world.care_manager)
    ticket, _report = generate_ticket(client=tw.client, month=DECEMBER)
    return ticket


def test_clerk_sees_the_month_and_the_batch_button(world, login, month) -> None:  # noqa: ANN001
    response = login(world.clerk).get(INDEX)
    body = response.content.decode()
    assert response.status_code == 200
    assert month.client.name in body and "未作成" in body
    assert "提出ファイルを書き出す" in body and "提出期限 2027年1月10日" in body


def test_caseload_and_office_scoping_of_the_list(world, login, month) -> None:  # noqa: ANN001
    own = login(world.care_manager).get(INDEX).content.decode()
    assert month.client.name in own and "提出ファイルを書き出す" not in own
    for stranger in (world.colleague, world.outsider):
        assert month.client.name not in login(stranger).get(INDEX).content.decode()


@pytest.mark.parametrize("who", ["care_manager", "auditor"])
def test_batch_refused_for_others(world, login, month, who) -> None:  # noqa: ANN001
    response = login(getattr(world, who)).post(BATCH, {"month": "2026-12"})
    assert response.status_code == 404
    assert not BatchRun.objects.exists() and not BenefitManagementSheet.objects.exists()


def test_another_office_batch_never_touches_this_office(
    world, login, month, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        login(world.outsider).post(BATCH, {"month": "2026-12"})
    assert not BatchRun.objects.filter(office=world.office).exists()
    assert not BenefitManagementSheet.objects.exists()
    assert not ClaimSubmission.objects.exists()


def test_clerk_runs_the_batch_and_downloads_the_file(
    world, login, month, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    http = login(world.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(BATCH, {"month": "2026-12"})
    assert response.status_code == 302
    run = BatchRun.objects.get()
    assert run.status == BatchStatus.DONE and run.done == run.total == 1, run.error
    submission = ClaimSubmission.objects.get()
    page = http.get(INDEX).content.decode()
    assert submission.sha256 in page and "作成済" in page
    assert submission.sha256 in http.get(PROGRESS, headers={"HX-Request": "true"}).content.decode()
    download = http.get(DOWNLOAD)
    assert download.content == bytes(submission.content)
    assert download["X-Content-SHA256"] == submission.sha256
    assert AccessLog.objects.filter(action="export", client_id=month.client_id).count() == 1
    # 監査 may download; a care manager and another office may not
    assert login(world.auditor).get(DOWNLOAD).status_code == 200
    for stranger in (world.care_manager, world.outsider):
        assert login(stranger).get(DOWNLOAD).status_code == 404


def test_second_start_while_running_says_running(world, login, month) -> None:  # noqa: ANN001
    batch.start_batch(world.office, DECEMBER)
    response = login(world.manager).post(BATCH, {"month": "2026-12"}, follow=True)
    assert "実行中です" in response.content.decode()
    assert BatchRun.objects.count() == 1
    fragment = login(world.manager).get(PROGRESS, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in fragment.content.decode()


def test_failed_run_shows_its_messages_as_lines_and_units_grouped(world, login, month) -> None:  # noqa: ANN001
    batch.run_now(world.office, DECEMBER)
    BenefitManagementSheet.objects.filter(ticket=month).update(total_units=12345)
    run = batch.start_batch(world.office, DECEMBER)
    BatchRun.objects.filter(pk=run.pk).update(
        status=BatchStatus.FAILED, error="一つ目の誤り\n二つ目の誤り"
    )
    html = login(world.clerk).get(INDEX).content.decode()
    assert "一つ目の誤り<br>二つ目の誤り" in html and "<pre>" not in html
    assert '<td class="number">12,345</td>' in html


def test_index_queries_do_not_grow_with_clients(
    world, login, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    for level in ("21", "22", "23", "24", "25"):
        tw = make_ticket_world(world.office, world.care_manager, care_level=level)
        generate_ticket(client=tw.client, month=DECEMBER)
    batch.run_now(world.office, DECEMBER)
    http = login(world.clerk)
    with django_assert_max_num_queries(14):
        response = http.get(INDEX)
    assert response.content.decode().count("作成済") >= 5


def test_days_left_until_the_tenth() -> None:
    from billing.benefit.board import days_left, deadline

    assert deadline(DECEMBER) == dt.date(2027, 1, 10)
    assert days_left(DECEMBER, dt.date(2027, 1, 1)) == 9
    assert days_left(DECEMBER, dt.date(2027, 1, 12)) == -2


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("none", "この月に提出するものはありません"),
        ("submitted", "この月の給付管理票はすべて提出済みです。"),
        ("pending", "期限を2日過ぎています"),
    ],
)
def test_overdue_warning_only_while_something_is_to_be_submitted(
    world, login, monkeypatch, setup, expected
) -> None:  # noqa: ANN001
    from django.utils import timezone

    from billing.models.benefit import SheetStatus

    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2027, 1, 12))
    if setup != "none":
        tw = make_ticket_world(world.office, world.care_manager)
        generate_ticket(client=tw.client, month=DECEMBER)
        if setup == "submitted":
            batch.run_now(world.office, DECEMBER)
            BenefitManagementSheet.objects.update(status=SheetStatus.SUBMITTED)
    html = login(world.clerk).get(INDEX).content.decode()
    assert expected in html
    if setup != "pending":
        assert "過ぎています" not in html
