"""Plan lifecycle: status machine, date order, confirmation rules, versioning, 軽微な変更."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from careplans import services
from careplans.models import CarePlan, MinorChange, PlanDelivery, PlanStatus
from tests.factories import CertificationApplicationFactory

D = dt.date
MEETING_DAY = D(2026, 4, 7)
CONSENT_DAY = D(2026, 4, 8)


def _messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


def _fill(setup, plan) -> None:  # noqa: ANN001
    """One need → goal → insured 訪問介護 line, and a weekly item with 111211."""
    need = services.need_save(
        actor=setup.actor,
        plan=plan,
        expected_version=plan.version,
        need=None,
        text="自宅で安全に入浴したい",
    ).instance
    plan.refresh_from_db()
    goal = services.goal_save(
        actor=setup.actor,
        plan=plan,
        expected_version=plan.version,
        need=need,
        goal=None,
        fields={
            "long_term": "週2回、安心して入浴できる",
            "long_term_from": D(2026, 4, 10),
            "long_term_to": D(2027, 3, 31),
            "short_term": "介助を受けて浴槽をまたげる",
            "short_term_from": D(2026, 4, 10),
            "short_term_to": D(2026, 9, 30),
        },
    ).instance
    plan.refresh_from_db()
    services.support_item_save(
        actor=setup.actor,
        plan=plan,
        expected_version=plan.version,
        goal=goal,
        item=None,
        fields={
            "content": "入浴介助",
            "insured": True,
            "service_type": "11",
            "provider": setup.home_help,
            "frequency": "週2回",
            "period_from": D(2026, 4, 10),
            "period_to": D(2026, 9, 30),
        },
    )
    plan.refresh_from_db()
    services.weekly_service_save(
        actor=setup.actor,
        plan=plan,
        expected_version=plan.version,
        weekly=None,
        fields={
            "weekdays": [2],
            "starts_at": dt.time(10),
            "ends_at": dt.time(11),
            "content": "訪問介護（入浴介助）",
            "insured": True,
            "provider": setup.home_help,
            "service_code": "111211",
        },
    )
    plan.refresh_from_db()


def _meet(setup, plan, held_on=MEETING_DAY):  # noqa: ANN001, ANN202
    return services.meeting_record(
        actor=setup.actor,
        plan=plan,
        fields={
            "held_on": held_on,
            "place": "利用者宅",
            "starts_at": dt.time(14),
            "ends_at": dt.time(14, 45),
            "items_discussed": "原案",
            "discussion": "入浴",
            "conclusion": "原案のとおり",
            "remaining_issues": "",
            "concludes_plan": True,
        },
        attendees=[
            {"kind": "client", "name": "青木 トメ", "affiliation": "本人"},
            {
                "kind": "provider",
                "provider": setup.home_help,
                "affiliation": "ひまわり訪問介護（サービス提供責任者）",
                "name": "田中",
            },
        ],
    )


@pytest.fixture
def met_plan(plan_setup, draft_plan):  # noqa: ANN001, ANN201
    _fill(plan_setup, draft_plan)
    _meet(plan_setup, draft_plan)
    draft_plan.refresh_from_db()
    return draft_plan


def _confirm(setup, plan, consented=CONSENT_DAY, delivered=CONSENT_DAY):  # noqa: ANN001, ANN202
    return services.careplan_confirm(
        actor=setup.actor,
        plan=plan,
        consented_on=consented,
        delivered_on=delivered,
        provider_deliveries={setup.home_help.pk: delivered},
    )


def test_create_pulls_the_certification_from_history(plan_setup, draft_plan) -> None:
    assert draft_plan.status == PlanStatus.DRAFT
    assert draft_plan.certification == plan_setup.certification
    assert draft_plan.certification_state == "2"
    assert draft_plan.committee_opinion == "特になし"
    assert draft_plan.plan_kind == "11"
    assert draft_plan.first_plan_on == D(2026, 4, 5)
    assert draft_plan.sequence == 1


def test_plan_starting_before_any_certification_is_pending(plan_setup) -> None:
    plan = services.careplan_create(
        actor=plan_setup.actor,
        client=plan_setup.client,
        assessment=plan_setup.assessment,
        drafted_on=D(2026, 4, 3),
        starts_on=D(2026, 3, 20),
    )
    assert plan.certification is None
    assert plan.certification_state == "1"


def test_draft_before_assessment_is_refused(plan_setup) -> None:
    with pytest.raises(ValidationError) as error:
        services.careplan_create(
            actor=plan_setup.actor,
            client=plan_setup.client,
            assessment=plan_setup.assessment,
            drafted_on=D(2026, 4, 2),
            starts_on=D(2026, 4, 10),
        )
    assert _messages(error.value) == {
        "drafted_on": [
            "居宅サービス計画作成（変更）日はアセスメント実施日（令和8年4月3日）以降の日付にしてください。"
        ]
    }
    assert not CarePlan.objects.exists()


def test_second_open_draft_is_refused(plan_setup, draft_plan) -> None:
    with pytest.raises(ValidationError) as error:
        services.careplan_create(
            actor=plan_setup.actor,
            client=plan_setup.client,
            assessment=plan_setup.assessment,
            drafted_on=D(2026, 4, 5),
            starts_on=D(2026, 4, 10),
        )
    assert _messages(error.value) == {
        "__all__": ["作成中の原案が既にあります。その原案を編集してください。"]
    }


def test_meeting_before_draft_is_refused(plan_setup, draft_plan) -> None:
    with pytest.raises(ValidationError) as error:
        _meet(plan_setup, draft_plan, held_on=D(2026, 4, 4))
    assert _messages(error.value) == {
        "held_on": ["開催日は原案作成日（令和8年4月5日）以降の日付にしてください。"]
    }
    draft_plan.refresh_from_db()
    assert draft_plan.status == PlanStatus.DRAFT
    assert not draft_plan.meetings.exists()


def test_meeting_conclusion_moves_draft_to_met(plan_setup, draft_plan) -> None:
    meeting = _meet(plan_setup, draft_plan)
    draft_plan.refresh_from_db()
    assert draft_plan.status == PlanStatus.MET
    assert meeting.count == 1
    assert [a.name for a in meeting.attendees.all()] == ["青木 トメ", "田中"]


def test_confirm_without_meeting_is_refused(plan_setup, draft_plan) -> None:
    _fill(plan_setup, draft_plan)
    with pytest.raises(ValidationError) as error:
        _confirm(plan_setup, draft_plan)
    assert _messages(error.value) == {"__all__": [services.NO_MEETING_MESSAGE]}
    draft_plan.refresh_from_db()
    assert draft_plan.status == PlanStatus.DRAFT and draft_plan.consented_on is None


def test_confirm_without_assessment_is_refused(plan_setup, met_plan) -> None:
    CarePlan.objects.filter(pk=met_plan.pk).update(assessment=None)
    met_plan.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        _confirm(plan_setup, met_plan)
    assert _messages(error.value) == {
        "__all__": ["アセスメントが登録されていないため確定できません。"]
    }
    met_plan.refresh_from_db()
    assert met_plan.status == PlanStatus.MET


def test_no_meeting_reason_allows_confirmation(plan_setup, draft_plan) -> None:
    _fill(plan_setup, draft_plan)
    services.careplan_record_no_meeting(
        actor=plan_setup.actor,
        plan=draft_plan,
        reason="利用者の急な入院のため開催できず、各事業所に照会した。",
        recorded_on=D(2026, 4, 6),
    )
    plan = _confirm(plan_setup, draft_plan)
    assert plan.status == PlanStatus.CONFIRMED


def test_consent_before_meeting_is_refused(plan_setup, met_plan) -> None:
    with pytest.raises(ValidationError) as error:
        _confirm(plan_setup, met_plan, consented=D(2026, 4, 6))
    assert _messages(error.value) == {
        "consented_on": [
            "説明・同意日は担当者会議の開催日（令和8年4月7日）以降の日付にしてください。"
        ]
    }


def test_delivery_before_consent_is_refused(plan_setup, met_plan) -> None:
    with pytest.raises(ValidationError) as error:
        _confirm(plan_setup, met_plan, consented=D(2026, 4, 9), delivered=D(2026, 4, 8))
    assert _messages(error.value) == {
        "delivered_on": ["交付日は説明・同意日（令和8年4月9日）以降の日付にしてください。"]
    }
    met_plan.refresh_from_db()
    assert met_plan.status == PlanStatus.MET and met_plan.consented_on is None


def test_confirm_records_consent_and_deliveries(plan_setup, met_plan) -> None:
    plan = _confirm(plan_setup, met_plan)
    assert plan.status == PlanStatus.CONFIRMED
    assert (plan.consented_on, plan.delivered_on) == (D(2026, 4, 8), D(2026, 4, 8))
    assert list(PlanDelivery.objects.values_list("provider__name", "delivered_on")) == [
        ("ひまわり訪問介護", D(2026, 4, 8))
    ]


def test_illegal_transition_is_refused(plan_setup, met_plan) -> None:
    _confirm(plan_setup, met_plan)
    with pytest.raises(ValidationError) as error:
        services.careplan_record_no_meeting(
            actor=plan_setup.actor, plan=met_plan, reason="x", recorded_on=D(2026, 4, 9)
        )
    assert error.value.messages == ["「確定」の計画には開催しない理由を記録できません。"]


def test_editing_a_confirmed_plan_is_refused(plan_setup, met_plan) -> None:
    plan = _confirm(plan_setup, met_plan)
    with pytest.raises(ValidationError) as error:
        services.careplan_update(
            actor=plan_setup.actor,
            plan=plan,
            expected_version=plan.version,
            fields={"overall_policy": "変更"},
        )
    assert error.value.messages == [services.CONFIRMED_READ_ONLY_MESSAGE]
    with pytest.raises(ValidationError):
        services.need_save(
            actor=plan_setup.actor, plan=plan, expected_version=plan.version, need=None, text="x"
        )
    plan.refresh_from_db()
    assert plan.overall_policy == "" and plan.needs.count() == 1


def test_revision_copies_and_leaves_the_old_version_unchanged(plan_setup, met_plan) -> None:
    old = _confirm(plan_setup, met_plan)
    old_rows = (old.needs.count(), old.weekly_services.count(), old.version)
    revision = services.careplan_revise(actor=plan_setup.actor, plan=old, drafted_on=D(2026, 7, 1))
    assert revision.status == PlanStatus.DRAFT and revision.sequence == 2
    assert revision.revision_of == old and revision.plan_kind == "21"
    assert revision.first_plan_on == D(2026, 4, 5)
    assert revision.needs.get().goals.get().support_items.get().provider == plan_setup.home_help
    assert revision.weekly_services.get().service_code == "111211"
    # editing the revision does not touch the old version
    need = revision.needs.get()
    services.need_save(
        actor=plan_setup.actor,
        plan=revision,
        expected_version=revision.version,
        need=need,
        text="自宅で安全に入浴を続けたい",
    )
    old.refresh_from_db()
    assert old.status == PlanStatus.CONFIRMED
    assert old.needs.get().text == "自宅で安全に入浴したい"
    assert (old.needs.count(), old.weekly_services.count(), old.version) == old_rows
    # confirming the revision supersedes the old one
    revision.refresh_from_db()
    _meet(plan_setup, revision, held_on=D(2026, 7, 2))
    revision.refresh_from_db()
    _confirm(plan_setup, revision, consented=D(2026, 7, 3), delivered=D(2026, 7, 3))
    old.refresh_from_db()
    assert old.status == PlanStatus.SUPERSEDED and old.superseded_on == D(2026, 7, 3)
    assert old.needs.get().text == "自宅で安全に入浴したい"


def test_minor_changes_are_appended_on_the_same_version(plan_setup, met_plan) -> None:
    plan = _confirm(plan_setup, met_plan)
    first = services.minor_change_record(
        actor=plan_setup.actor,
        plan=plan,
        changed_on=D(2026, 5, 1),
        content="訪問介護を火曜から水曜に変更",
        reason="利用者の希望による曜日の変更",
    )
    services.minor_change_record(
        actor=plan_setup.actor,
        plan=plan,
        changed_on=D(2026, 6, 1),
        content="訪問時間を10時から10時30分に変更",
        reason="利用者の希望による時間の変更",
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONFIRMED and plan.sequence == 1
    assert [c.changed_on for c in plan.minor_changes.all()] == [D(2026, 5, 1), D(2026, 6, 1)]
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 — the DB trigger refuses
        MinorChange.objects.filter(pk=first.pk).update(content="書き換え")
    with pytest.raises(ValidationError) as error:
        services.minor_change_record(
            actor=plan_setup.actor, plan=plan, changed_on=D(2026, 4, 1), content="x", reason="y"
        )
    assert _messages(error.value) == {
        "changed_on": ["変更日は説明・同意日（令和8年4月8日）以降の日付にしてください。"]
    }


def test_minor_change_on_a_draft_is_refused(plan_setup, draft_plan) -> None:
    with pytest.raises(ValidationError) as error:
        services.minor_change_record(
            actor=plan_setup.actor,
            plan=draft_plan,
            changed_on=D(2026, 5, 1),
            content="x",
            reason="y",
        )
    assert error.value.messages == ["軽微な変更は確定した計画にだけ記録できます。"]


def test_database_refuses_two_confirmed_plans(plan_setup, met_plan) -> None:
    _confirm(plan_setup, met_plan)
    with pytest.raises(IntegrityError), transaction.atomic():
        CarePlan.objects.create(
            client=plan_setup.client,
            sequence=9,
            status="confirmed",
            author=plan_setup.actor.staff,
            sheet_date=D(2026, 5, 1),
            plan_kind="21",
            drafted_on=D(2026, 5, 1),
            starts_on=D(2026, 5, 1),
            certification_state="2",
            consented_on=D(2026, 5, 1),
            delivered_on=D(2026, 5, 1),
        )


def test_living_support_reason_required_for_seikatsu_enjo(plan_setup, draft_plan) -> None:
    _fill(plan_setup, draft_plan)
    services.weekly_service_save(
        actor=plan_setup.actor,
        plan=draft_plan,
        expected_version=draft_plan.version,
        weekly=None,
        fields={
            "weekdays": [5],
            "starts_at": dt.time(10),
            "ends_at": dt.time(11),
            "content": "訪問介護（掃除）",
            "insured": True,
            "provider": plan_setup.home_help,
            "service_code": "117211",
        },
    )
    _meet(plan_setup, draft_plan)
    with pytest.raises(ValidationError) as error:
        _confirm(plan_setup, draft_plan)
    assert error.value.messages == [services.LIVING_SUPPORT_REASON_MESSAGE]


def test_pending_renewal_turns_the_period_check_into_a_warning(plan_setup, draft_plan) -> None:
    need = services.need_save(
        actor=plan_setup.actor,
        plan=draft_plan,
        expected_version=draft_plan.version,
        need=None,
        text="n",
    ).instance
    draft_plan.refresh_from_db()
    fields = {
        "long_term": "長期",
        "long_term_from": D(2026, 4, 10),
        "long_term_to": D(2027, 9, 30),
        "short_term": "短期",
        "short_term_from": D(2026, 4, 10),
        "short_term_to": D(2026, 9, 30),
    }
    with pytest.raises(ValidationError) as error:
        services.goal_save(
            actor=plan_setup.actor,
            plan=draft_plan,
            expected_version=draft_plan.version,
            need=need,
            goal=None,
            fields=fields,
        )
    assert _messages(error.value) == {
        "long_term_from": [
            "長期目標の期間は認定の有効期間（令和8年4月1日〜令和9年3月31日）内にしてください。"
        ]
    }
    CertificationApplicationFactory(client=plan_setup.client, applied_on=D(2027, 2, 1))
    result = services.goal_save(
        actor=plan_setup.actor,
        plan=draft_plan,
        expected_version=draft_plan.version,
        need=need,
        goal=None,
        fields=fields,
    )
    assert result.warnings == [
        "長期目標の期間が認定の有効期間（令和8年4月1日〜令和9年3月31日）の外にあります。"
        "更新・区分変更の申請中のため保存しました。認定結果が出たら見直してください。"
    ]
    assert result.instance.pk is not None
