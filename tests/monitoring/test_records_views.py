"""The monitoring record screens: month list, record form, detail, history, consent, reports."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caremgmt.models import AccessLog
from caremgmt.models.audit import AccessAction
from careplans.models import Assessment
from monitoring.models import MonitoringRecord, ProviderReport, VideoMonitoringConsent
from tests.monitoring.routes.records import confirmed_plan, make_consent, make_record

D = dt.date
pytestmark = pytest.mark.django_db


def _month_page_queries(http, month: str) -> tuple[int, str]:  # noqa: ANN001
    with CaptureQueriesContext(connection) as captured:
        response = http.get(reverse("monitoring:index"), {"month": month})
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_month_list_query_count_does_not_grow_with_the_caseload(world, login) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    plans = [confirmed_plan(world) for _ in range(3)]
    make_record(world, plan=plans[0], visited_on=D(2026, 6, 5))
    http.get(reverse("monitoring:index"))  # warm the session
    small, _ = _month_page_queries(http, "2026-06")
    plans += [confirmed_plan(world) for _ in range(9)]
    for plan in plans[3:6]:
        make_record(world, plan=plan, visited_on=D(2026, 5, 20))
    large, html = _month_page_queries(http, "2026-06")
    assert small == large
    assert html.count('href="/monitoring/clients/') >= 12


def test_month_list_shows_states_last_visit_and_record_button(world, login) -> None:  # noqa: ANN001
    from clients.models import HospitalStay

    done, due, hospital = (confirmed_plan(world) for _ in range(3))
    make_record(world, plan=done, visited_on=D(2026, 6, 5), place="home")
    make_record(world, plan=due, visited_on=D(2026, 5, 28))
    HospitalStay.objects.create(
        client=hospital.client, hospital_name="市民病院", admitted_on=D(2026, 5, 20)
    )
    confirmed_plan(world, starts_on=D(2026, 6, 20))  # 対象外 (start month)
    ClientOfColleague = confirmed_plan  # noqa: N806
    from tests.factories import ClientFactory

    ClientOfColleague(
        world, client=ClientFactory(office=world.office, care_manager=world.colleague)
    )
    html = login(world.care_manager).get(reverse("monitoring:index"), {"month": "2026-06"})
    text = html.content.decode()
    assert "令和8年6月" in text
    assert text.count(">実施済<") == 1 and text.count(">月末超過<") == 1
    assert text.count(">入院中<") == 1 and text.count(">対象外<") == 1
    assert "令和8年5月28日" in text and "令和8年6月5日" in text
    assert f"/monitoring/clients/{due.client_id}/records/new/?month=2026-06" in text
    assert text.count("<tr>") == 1 + 4  # the colleague's client is not listed
    manager_html = login(world.manager).get(reverse("monitoring:index"), {"month": "2026-06"})
    assert manager_html.content.decode().count("<tr>") == 1 + 5
    row = AccessLog.objects.filter(staff=world.care_manager).get()
    assert (row.action, row.client_id) == (AccessAction.SEARCH, None)


def test_record_new_prefills_from_last_month_and_saves(world, login, settings) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    previous = make_record(world, plan=plan, visited_on=D(2026, 5, 12))
    goal = plan.needs.first().goals.first()
    item = goal.support_items.first()
    http = login(world.care_manager)
    url = reverse("monitoring:record_new", args=[plan.client_id]) + "?month=2026-06"
    page = http.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'value="2026-06-30"' in text  # a past month defaults to its last day
    assert "介助を受けて浴槽をまたげる" in text and "入浴の見守り" in text
    assert "前回：一部達成" in text
    checked = re.search(
        rf'<input[^>]*name="goal_{goal.pk}_achievement"[^>]*value="partly"[^>]*>', text
    )
    assert checked and "checked" in checked.group(0)  # "前回と同じ" prefilled
    response = http.post(
        url,
        {
            "visited_on": "2026-06-18",
            "visited_at": "14:00",
            "place": "home",
            "met_persons": "本人",
            "decision": "continue",
            f"goal_{goal.pk}_achievement": "achieved",
            f"goal_{goal.pk}_observation": "自力でまたげた",
            f"item_{item.pk}_planned": "on",
            f"item_{item.pk}_satisfaction": "5",
        },
    )
    assert response.status_code == 302
    record = MonitoringRecord.objects.exclude(pk=previous.pk).get()
    assert response["Location"] == reverse("monitoring:record_detail", args=[record.pk])
    assert (record.month, record.goals.get().achievement) == (D(2026, 6, 1), "achieved")
    detail = http.get(response["Location"]).content.decode()
    assert "自力でまたげた" in detail and "満足" in detail


def test_record_edit_query_count_does_not_grow_with_the_goals(world, login) -> None:  # noqa: ANN001
    from careplans.models import SupportItem
    from tests.factories import GoalFactory

    plan = confirmed_plan(world)
    need = plan.needs.first()
    record = make_record(world, plan=plan, visited_on=D(2026, 5, 12))
    http = login(world.care_manager)
    url = reverse("monitoring:record_edit", args=[record.pk])
    http.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one_goal:
        assert http.get(url).status_code == 200
    for order in (2, 3, 4):
        goal = GoalFactory(need=need, order=order, short_term=f"目標{order}")
        item = SupportItem.objects.create(
            goal=goal, order=1, content=f"支援{order}", insured=False, period_from=D(2026, 4, 1)
        )
        record.goals.create(goal=goal, achievement="partly")
        record.services.create(support_item=item, satisfaction="4")
    with CaptureQueriesContext(connection) as four_goals:
        response = http.get(url)
    assert "目標4" in response.content.decode()
    assert len(four_goals) == len(one_goal), [q["sql"][:80] for q in four_goals.captured_queries]


def test_record_new_refuses_a_future_date_at_the_field(world, login) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    goal = plan.needs.first().goals.first()
    item = goal.support_items.first()
    future = dt.date.today() + dt.timedelta(days=3)
    response = login(world.care_manager).post(
        reverse("monitoring:record_new", args=[plan.client_id]),
        {
            "visited_on": future.isoformat(),
            "place": "home",
            "met_persons": "本人",
            "decision": "continue",
            f"goal_{goal.pk}_achievement": "achieved",
            f"item_{item.pk}_satisfaction": "5",
        },
    )
    assert response.status_code == 200
    assert '<p class="field-error" role="alert">実施日に未来の日付は入力できません。</p>' in (
        response.content.decode()
    )
    assert not MonitoringRecord.objects.exists()
    assert AccessLog.objects.filter(client_id=plan.client_id).count() == 1


def test_record_new_refuses_video_with_the_reason(world, login) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    make_record(world, plan=plan, visited_on=D(2026, 6, 12), place="video")
    make_consent(world, plan.client)
    goal = plan.needs.first().goals.first()
    item = goal.support_items.first()
    response = login(world.care_manager).post(
        reverse("monitoring:record_new", args=[plan.client_id]),
        {
            "visited_on": "2026-07-10",
            "place": "video",
            "met_persons": "本人",
            "decision": "continue",
            f"goal_{goal.pk}_achievement": "achieved",
            f"item_{item.pk}_satisfaction": "5",
        },
    )
    assert response.status_code == 200
    assert (
        "前月（令和8年6月）に自宅訪問によるモニタリングの記録がありません"
        in response.content.decode()
    )
    assert MonitoringRecord.objects.count() == 1


def test_missing_achievement_is_refused_at_the_goal(world, login) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    response = login(world.care_manager).post(
        reverse("monitoring:record_new", args=[plan.client_id]),
        {
            "visited_on": "2026-06-10",
            "place": "home",
            "met_persons": "本人",
            "decision": "continue",
        },
    )
    text = response.content.decode()
    assert "達成度を選んでください。" in text and "満足度を選んでください。" in text
    assert not MonitoringRecord.objects.exists()


def test_clerk_and_auditor_cannot_open_the_record_form(world, login) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    record = make_record(world, plan=plan)
    for staff in (world.clerk, world.auditor):
        http = login(staff)
        assert http.get(reverse("monitoring:record_new", args=[plan.client_id])).status_code == 403
        assert http.get(reverse("monitoring:record_edit", args=[record.pk])).status_code == 403
        assert http.get(reverse("monitoring:record_detail", args=[record.pk])).status_code == 200


def test_review_decision_offers_and_opens_the_assessment(world, login) -> None:  # noqa: ANN001
    record = make_record(world, visited_on=D(2026, 6, 12))
    record.decision, record.decision_reason = "review", "転倒しかけた"
    record.save()
    http = login(world.care_manager)
    detail = http.get(reverse("monitoring:record_detail", args=[record.pk])).content.decode()
    assert "アセスメントを始める" in detail
    refused = http.post(
        reverse("monitoring:record_review", args=[record.pk]),
        {"assessed_on": "2026-06-01", "reason": "condition_change"},
    )
    assert refused.status_code == 200
    assert "モニタリングの実施日以降" in refused.content.decode()
    response = http.post(
        reverse("monitoring:record_review", args=[record.pk]),
        {"assessed_on": "2026-06-13", "reason": "condition_change"},
    )
    record.refresh_from_db()
    assessment = Assessment.objects.get(pk=record.review_assessment_id)
    assert response["Location"] == reverse("careplans:assessment", args=[assessment.pk])
    assert assessment.reason == "condition_change"
    again = http.get(reverse("monitoring:record_detail", args=[record.pk])).content.decode()
    assert "アセスメントを始める" not in again and "見直しのアセスメント" in again


def test_client_history_lists_months_and_records(world, login) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    record = make_record(world, plan=plan, visited_on=D(2026, 6, 12))
    http = login(world.care_manager)
    url = reverse("monitoring:client_records", args=[plan.client_id])
    with CaptureQueriesContext(connection) as few:
        http.get(url)
    for day in (D(2026, 7, 3), D(2026, 8, 3), D(2026, 9, 3)):
        make_record(world, plan=plan, visited_on=day)
    with CaptureQueriesContext(connection) as more:
        response = http.get(url)
    assert len(few) == len(more)
    text = response.content.decode()
    assert reverse("monitoring:record_detail", args=[record.pk]) in text
    assert (
        "令和8年4月" not in text.split("monitoring-history")[1].split("</table>")[0]
    )  # start month
    assert "月末超過" in text  # May was not recorded
    assert AccessLog.objects.filter(client_id=plan.client_id).count() == 2


def test_consent_screen_records_and_ends(world, login) -> None:  # noqa: ANN001
    from tests.factories import MeetingFactory

    plan = confirmed_plan(world)
    meeting = MeetingFactory(plan=plan, held_on=D(2026, 5, 2))
    http = login(world.care_manager)
    url = reverse("monitoring:video_consent", args=[plan.client_id])
    page = http.get(url).content.decode()
    assert "第1回（計画 第" in page
    response = http.post(
        url,
        {
            "consented_on": "2026-05-02",
            "consented_by": "本人",
            "meeting": meeting.pk,
            "agreement_note": "安定",
        },
    )
    assert response.status_code == 302
    consent = VideoMonitoringConsent.objects.get()
    assert consent.meeting == meeting
    edit = reverse("monitoring:video_consent_edit", args=[consent.pk])
    refused = http.post(
        edit,
        {
            "consented_on": "2026-05-02",
            "meeting": meeting.pk,
            "ended_on": "2026-09-01",
            "version": "1",
        },
    )
    assert "終了の理由を入力してください" in refused.content.decode()
    ended = http.post(
        edit,
        {
            "consented_on": "2026-05-02",
            "meeting": meeting.pk,
            "ended_on": "2026-09-01",
            "end_reason": "状態の変化",
            "version": "1",
        },
    )
    assert ended.status_code == 302
    consent.refresh_from_db()
    assert (consent.ended_on, consent.version) == (D(2026, 9, 1), 2)


def test_report_upload_and_scoped_download(world, login, settings, tmp_path) -> None:  # noqa: ANN001
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    record = make_record(world, visited_on=D(2026, 6, 12))
    http = login(world.care_manager)
    url = reverse("monitoring:report_upload", args=[record.client_id])
    bad = http.post(
        url,
        {
            "month": "2026-06",
            "received_on": "2026-06-30",
            "record": record.pk,
            "file": SimpleUploadedFile("x.svg", b"<svg/>"),
        },
    )
    assert bad.status_code == 200
    assert "PDF・JPEG・PNGのファイルだけを添付できます。" in bad.content.decode()
    pdf = b"%PDF-1.4\n%%EOF\n"
    response = http.post(
        url,
        {
            "month": "2026-06",
            "received_on": "2026-06-30",
            "record": record.pk,
            "file": SimpleUploadedFile("6月 報告.pdf", pdf),
        },
    )
    assert response.status_code == 302
    report = ProviderReport.objects.get()
    detail = http.get(reverse("monitoring:record_detail", args=[record.pk])).content.decode()
    assert "6月 報告.pdf" in detail
    before = set(AccessLog.objects.values_list("pk", flat=True))
    download = http.get(reverse("monitoring:report_download", args=[report.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    row = AccessLog.objects.exclude(pk__in=before).get()
    assert (row.client_id, row.subject_type) == (record.client_id, "monitoring:provider_report")
    assert (
        login(world.colleague)
        .get(reverse("monitoring:report_download", args=[report.pk]))
        .status_code
        == 404
    )


@pytest.mark.parametrize("month", ["9999-12", "0-1", "2026-13", "abc", ""])
def test_month_list_ignores_a_bad_month(world, login, month) -> None:  # noqa: ANN001
    response = login(world.care_manager).get(reverse("monitoring:index"), {"month": month})
    assert response.status_code == 200


def test_prefill_carries_over_a_plan_revision(world, login) -> None:  # noqa: ANN001
    old = confirmed_plan(world)
    make_record(world, plan=old, visited_on=D(2026, 6, 12))
    old.status, old.superseded_on = "superseded", D(2026, 6, 28)
    old.save()
    new = confirmed_plan(world, client=old.client, starts_on=D(2026, 7, 1))
    goal = new.needs.first().goals.first()
    item = goal.support_items.first()
    url = reverse("monitoring:record_new", args=[new.client_id]) + "?month=2026-07"
    text = login(world.care_manager).get(url).content.decode()
    for name, value in (
        (f"goal_{goal.pk}_achievement", "partly"),
        (f"item_{item.pk}_satisfaction", "4"),
    ):
        found = re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*>', text)
        assert found and "checked" in found.group(0), name
    assert "前回：一部達成" in text
