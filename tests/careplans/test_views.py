"""Screens: index query counts, access log, field-level messages, conflict display, flow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caremgmt.models import AccessLog
from careplans import services
from careplans.models import CarePlan, PlanStatus
from tests.factories import AssessmentFactory, CarePlanFactory, ClientFactory

D = dt.date


def _index_queries(http) -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as queries:
        response = http.get(reverse("careplans:index"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_index_query_count_does_not_grow_with_clients(world, login) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    for _ in range(5):
        client = ClientFactory(office=world.office, care_manager=world.care_manager)
        CarePlanFactory(client=client)
    few = _index_queries(http)
    for _ in range(45):
        client = ClientFactory(office=world.office, care_manager=world.care_manager)
        AssessmentFactory(client=client)
    many = _index_queries(http)
    assert few == many
    response = http.get(reverse("careplans:index"), {"sort": "status"})
    assert response.content.decode().count("計画なし") == 45


@pytest.mark.django_db
def test_index_shows_only_the_caseload(world, login) -> None:  # noqa: ANN001
    CarePlanFactory(
        client=ClientFactory(office=world.office, care_manager=world.care_manager, name="自分 の人")
    )
    CarePlanFactory(
        client=ClientFactory(office=world.office, care_manager=world.colleague, name="同僚 の人")
    )
    page = login(world.care_manager).get(reverse("careplans:index")).content.decode()
    assert "自分 の人" in page and "同僚 の人" not in page
    partial = login(world.care_manager).get(
        reverse("careplans:index"), {"sort": "-kana"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode() and "自分 の人" in partial.content.decode()


def test_plan_and_assessment_pages_write_the_access_log(
    plan_setup, draft_plan, login, world
) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    assert http.get(reverse("careplans:plan", args=[draft_plan.pk])).status_code == 200
    assert (
        http.get(reverse("careplans:assessment", args=[plan_setup.assessment.pk])).status_code
        == 200
    )
    assert http.get(reverse("careplans:client", args=[plan_setup.client.pk])).status_code == 200
    rows = list(AccessLog.objects.values_list("subject_type", "client_id"))
    assert rows == [
        ("care_plan", plan_setup.client.pk),
        ("assessment", plan_setup.client.pk),
        ("careplans:client", plan_setup.client.pk),
    ]


def test_empty_required_fields_keep_what_was_typed(draft_plan, login, world) -> None:  # noqa: ANN001
    response = login(world.care_manager).post(
        reverse("careplans:need_add", args=[draft_plan.pk]),
        {"plan_version": draft_plan.version, "order": "1", "text": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"text": ["このフィールドは必須です。"]}
    response = login(world.care_manager).post(
        reverse("careplans:goal_add", args=[draft_plan.needs.create(order=1, text="n").pk]),
        {
            "plan_version": draft_plan.version,
            "long_term": "歩いて買い物に行ける",
            "long_term_from": "2026-06-01",
            "long_term_to": "2026-05-01",
            "short_term": "",
            "short_term_from": "2026-04-10",
        },
    )
    form = response.context["form"]
    assert form.errors == {"short_term": ["このフィールドは必須です。"]}
    assert (
        'value="歩いて買い物に行ける"' in response.content.decode()
        or "歩いて買い物に行ける" in response.content.decode()
    )


def test_goal_end_before_start_message_at_the_field(draft_plan, login, world) -> None:  # noqa: ANN001
    need = draft_plan.needs.create(order=1, text="n")
    response = login(world.care_manager).post(
        reverse("careplans:goal_add", args=[need.pk]),
        {
            "plan_version": draft_plan.version,
            "long_term": "l",
            "long_term_from": "2026-06-01",
            "long_term_to": "2026-05-01",
            "short_term": "s",
            "short_term_from": "2026-04-10",
        },
    )
    assert response.context["form"].errors == {
        "long_term_to": ["終了日は開始日以降の日付にしてください。"]
    }
    assert not need.goals.exists()


def test_weekly_item_with_wrong_provider_type_message(plan_setup, draft_plan, login, world) -> None:  # noqa: ANN001
    response = login(world.care_manager).post(
        reverse("careplans:weekly_add", args=[draft_plan.pk]),
        {
            "plan_version": draft_plan.version,
            "weekdays": "3",
            "starts_at": "09:30",
            "ends_at": "16:00",
            "content": "通所介護",
            "insured": "on",
            "provider": plan_setup.home_help.pk,
            "service_code": "152346",
        },
    )
    assert response.context["form"].errors == {
        "provider": ["この事業所は「通所介護」を提供していません。"]
    }


def test_plan_edit_conflict_is_shown_and_typed_text_kept(draft_plan, login, world) -> None:  # noqa: ANN001
    url = reverse("careplans:plan_edit", args=[draft_plan.pk])
    form = login(world.care_manager).get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["assessment"] = draft_plan.assessment_id
    for name in ("sheet_date", "drafted_on", "first_plan_on", "starts_on"):
        data[name] = getattr(draft_plan, name).isoformat()
    first = dict(data, overall_policy="自宅での生活を続けられるよう支援する")
    assert login(world.manager).post(url, first).status_code == 302
    second = dict(data, overall_policy="私の方針")
    response = login(world.care_manager).post(url, second)
    assert response.status_code == 200
    page = response.content.decode()
    assert "他の職員が同じ項目を先に変更して保存しました。" in page
    assert "自宅での生活を続けられるよう支援する" in page and "私の方針" in page
    draft_plan.refresh_from_db()
    assert draft_plan.overall_policy == "自宅での生活を続けられるよう支援する"


def test_confirm_view_refuses_without_meeting(plan_setup, draft_plan, login, world) -> None:  # noqa: ANN001
    response = login(world.care_manager).post(
        reverse("careplans:confirm", args=[draft_plan.pk]),
        {"consented_on": "2026-04-08", "delivered_on": "2026-04-08"},
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert services.NO_MEETING_MESSAGE in errors and services.NO_NEEDS_MESSAGE in errors
    draft_plan.refresh_from_db()
    assert draft_plan.status == PlanStatus.DRAFT


def test_meeting_then_confirm_through_the_screens(plan_setup, draft_plan, login, world) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    draft_plan.needs.create(order=1, text="自宅で安全に入浴したい")
    meeting_url = reverse("careplans:meeting_new", args=[draft_plan.pk])
    assert http.get(meeting_url).status_code == 200
    data = {
        "held_on": "2026-04-04",
        "place": "利用者宅",
        "starts_at": "14:00",
        "ends_at": "14:45",
        "items_discussed": "原案",
        "discussion": "入浴",
        "conclusion": "原案のとおり",
        "concludes_plan": "on",
        "attendees-TOTAL_FORMS": "2",
        "attendees-INITIAL_FORMS": "0",
        "attendees-0-kind": "client",
        "attendees-0-affiliation": "本人",
        "attendees-0-name": "青木 トメ",
        "attendees-0-attended": "on",
        "attendees-1-kind": "provider",
        "attendees-1-provider": plan_setup.home_help.pk,
        "attendees-1-name": "田中",
        "attendees-1-absence_reason": "訪問中",
        "attendees-1-inquiry_content": "原案への意見",
        "attendees-1-inquiry_answer": "異論なし",
    }
    response = http.post(meeting_url, data | {"attendees-1-inquiry_on": "2026-04-06"})
    assert response.context["form"].errors == {
        "held_on": ["開催日は原案作成日（令和8年4月5日）以降の日付にしてください。"]
    }
    data["held_on"] = "2026-04-07"
    response = http.post(meeting_url, data)
    assert response.context["formset"].errors[1] == {
        "inquiry_on": ["欠席者には照会した日を入力してください。"]
    }
    data["attendees-1-inquiry_on"] = "2026-04-06"
    assert http.post(meeting_url, data).status_code == 302
    draft_plan.refresh_from_db()
    assert draft_plan.status == PlanStatus.MET
    absentee = draft_plan.meetings.get().attendees.get(attended=False)
    assert (absentee.affiliation, absentee.inquiry_answer) == ("ひまわり訪問介護", "異論なし")
    response = http.post(
        reverse("careplans:confirm", args=[draft_plan.pk]),
        {"consented_on": "2026-04-08", "delivered_on": "2026-04-07"},
    )
    assert response.context["form"].errors == {
        "delivered_on": ["交付日は説明・同意日（令和8年4月8日）以降の日付にしてください。"]
    }
    response = http.post(
        reverse("careplans:confirm", args=[draft_plan.pk]),
        {"consented_on": "2026-04-08", "delivered_on": "2026-04-08"},
    )
    assert response.status_code == 302
    draft_plan.refresh_from_db()
    assert draft_plan.status == PlanStatus.CONFIRMED
    # a confirmed plan's edit pages refuse
    response = http.post(
        reverse("careplans:need_add", args=[draft_plan.pk]),
        {"plan_version": draft_plan.version, "order": "2", "text": "追加"},
    )
    assert response.context["form"].non_field_errors() == [services.CONFIRMED_READ_ONLY_MESSAGE]
    assert CarePlan.objects.get(pk=draft_plan.pk).needs.count() == 1


def test_workflow_names_the_next_action(plan_setup, login, world) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    page = http.get(reverse("careplans:client", args=[plan_setup.client.pk]))
    assert page.context["workflow"].stage == "原案"
    assert page.context["workflow"].next_label == "原案を作成する"
    fresh = ClientFactory(office=world.office, care_manager=world.care_manager)
    assert (
        http.get(reverse("careplans:client", args=[fresh.pk])).context["workflow"].stage
        == "アセスメント"
    )


def test_auditor_cannot_write(plan_setup, draft_plan, login, world) -> None:  # noqa: ANN001
    http = login(world.auditor)
    assert http.get(reverse("careplans:plan", args=[draft_plan.pk])).status_code == 200
    assert http.get(reverse("careplans:plan_edit", args=[draft_plan.pk])).status_code == 403
