"""Service lines, goals, the optimistic lock and assessments (exact Japanese messages)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from careplans import services
from careplans.assessment_items import ITEMS_1999, ITEMS_2023_10, completeness
from careplans.models import Assessment, CarePlan

D = dt.date


def _weekly(setup, plan, **overrides):  # noqa: ANN001, ANN003, ANN202
    fields = {
        "weekdays": [3],
        "starts_at": dt.time(9, 30),
        "ends_at": dt.time(16, 0),
        "content": "通所介護",
        "insured": True,
        "provider": setup.day_service,
        "service_code": "152346",
    } | overrides
    return services.weekly_service_save(
        actor=setup.actor, plan=plan, expected_version=plan.version, weekly=None, fields=fields
    )


def test_weekly_item_with_valid_code_and_provider(plan_setup, draft_plan) -> None:
    result = _weekly(plan_setup, draft_plan)
    assert result.instance.service_code == "152346" and result.warnings == []
    draft_plan.refresh_from_db()
    assert draft_plan.version == 2


def test_provider_not_offering_the_service_type_is_refused(plan_setup, draft_plan) -> None:
    with pytest.raises(ValidationError) as error:
        _weekly(plan_setup, draft_plan, provider=plan_setup.home_help)
    assert error.value.message_dict == {
        "provider": ["この事業所は「通所介護」を提供していません。"]
    }
    assert not draft_plan.weekly_services.exists()


def test_unknown_or_expired_service_code_is_refused(plan_setup, draft_plan) -> None:
    with pytest.raises(ValidationError) as error:
        _weekly(plan_setup, draft_plan, service_code="159999")
    assert error.value.message_dict == {
        "service_code": [
            "サービスコード「159999」は計画の開始日（令和8年4月10日）に有効ではありません。"
        ]
    }
    CarePlan.objects.filter(pk=draft_plan.pk).update(starts_on=D(2023, 4, 1))
    draft_plan.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        _weekly(plan_setup, draft_plan)  # R6 code, not yet valid in 2023
    assert error.value.message_dict == {
        "service_code": [
            "サービスコード「152346」は計画の開始日（令和5年4月1日）に有効ではありません。"
        ]
    }


def test_insured_item_needs_provider_and_code(plan_setup, draft_plan) -> None:
    with pytest.raises(ValidationError) as error:
        _weekly(plan_setup, draft_plan, provider=None, service_code="")
    assert error.value.message_dict == {
        "provider": ["保険給付対象のサービスは事業所を選んでください。"],
        "service_code": ["保険給付対象のサービスはサービスコード（6桁）を入力してください。"],
    }


def test_time_order_and_care_level_warning(plan_setup, draft_plan) -> None:
    with pytest.raises(ValidationError) as error:
        _weekly(plan_setup, draft_plan, ends_at=dt.time(9, 30))
    assert error.value.message_dict == {
        "ends_at": [
            "開始時刻と終了時刻が同じです。夜間の翌朝までのサービスは終了を翌日の時刻で入力してください（例：22:00〜6:00）。"
        ]
    }
    assert not draft_plan.weekly_services.exists()
    result = _weekly(
        plan_setup, draft_plan, service_code="152347"
    )  # 要介護2 code, client is 要介護1
    assert result.warnings == [
        "サービスコード「152347」（通所介護Ⅰ42）は現在の要介護度（要介護1）向けではありません。"
    ]


def test_support_item_provider_must_offer_type(plan_setup, draft_plan) -> None:
    need = services.need_save(
        actor=plan_setup.actor, plan=draft_plan, expected_version=1, need=None, text="n"
    ).instance
    draft_plan.refresh_from_db()
    goal = services.goal_save(
        actor=plan_setup.actor,
        plan=draft_plan,
        expected_version=draft_plan.version,
        need=need,
        goal=None,
        fields={
            "long_term": "l",
            "long_term_from": D(2026, 4, 10),
            "long_term_to": None,
            "short_term": "s",
            "short_term_from": D(2026, 4, 10),
            "short_term_to": None,
        },
    ).instance
    draft_plan.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.support_item_save(
            actor=plan_setup.actor,
            plan=draft_plan,
            expected_version=draft_plan.version,
            goal=goal,
            item=None,
            fields={
                "content": "特殊寝台の貸与",
                "insured": True,
                "service_type": "17",
                "provider": plan_setup.home_help,
                "frequency": "毎日",
                "period_from": D(2026, 4, 10),
                "period_to": None,
            },
        )
    assert error.value.message_dict == {
        "provider": ["この事業所は「福祉用具貸与」を提供していません。"]
    }


def test_goal_end_before_start_is_refused(plan_setup, draft_plan) -> None:
    need = services.need_save(
        actor=plan_setup.actor, plan=draft_plan, expected_version=1, need=None, text="n"
    ).instance
    draft_plan.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.goal_save(
            actor=plan_setup.actor,
            plan=draft_plan,
            expected_version=draft_plan.version,
            need=need,
            goal=None,
            fields={
                "long_term": "l",
                "long_term_from": D(2026, 6, 1),
                "long_term_to": D(2026, 5, 1),
                "short_term": "s",
                "short_term_from": D(2026, 4, 10),
                "short_term_to": D(2026, 4, 30),
            },
        )
    assert error.value.message_dict == {
        "long_term_to": ["終了日は開始日以降の日付にしてください。"]
    }
    assert not need.goals.exists()


def test_second_save_of_a_stale_plan_is_refused_with_the_changes(plan_setup, draft_plan) -> None:
    loaded = draft_plan.version
    services.careplan_update(
        actor=plan_setup.actor,
        plan=draft_plan,
        expected_version=loaded,
        fields={"overall_policy": "安全な入浴を支える"},
    )
    with pytest.raises(services.PlanEditConflictError) as conflict:
        services.careplan_update(
            actor=plan_setup.actor,
            plan=draft_plan,
            expected_version=loaded,
            fields={"overall_policy": "別の方針"},
        )
    assert [(c.label, c.loaded, c.current) for c in conflict.value.changes] == [
        ("総合的な援助の方針", "（なし）", "安全な入浴を支える")
    ]
    draft_plan.refresh_from_db()
    assert draft_plan.overall_policy == "安全な入浴を支える" and draft_plan.version == loaded + 1


def test_stale_row_save_is_refused(plan_setup, draft_plan) -> None:
    services.need_save(
        actor=plan_setup.actor, plan=draft_plan, expected_version=1, need=None, text="a"
    )
    with pytest.raises(services.PlanEditConflictError) as conflict:
        services.need_save(
            actor=plan_setup.actor, plan=draft_plan, expected_version=1, need=None, text="b"
        )
    assert conflict.value.changes[0].label == "第2表・第3表の行"
    assert list(draft_plan.needs.values_list("text", flat=True)) == ["a"]


def test_update_refuses_draft_date_before_assessment(plan_setup, draft_plan) -> None:
    with pytest.raises(ValidationError) as error:
        services.careplan_update(
            actor=plan_setup.actor,
            plan=draft_plan,
            expected_version=1,
            fields={"drafted_on": D(2026, 4, 1)},
        )
    assert error.value.message_dict == {
        "drafted_on": [
            "居宅サービス計画作成（変更）日はアセスメント実施日（令和8年4月3日）以降の日付にしてください。"
        ]
    }


def test_item_definitions_have_23_items_with_old_names() -> None:
    assert [item.number for item in ITEMS_2023_10] == list(range(1, 24))
    assert sum(item.group == "basic" for item in ITEMS_2023_10) == 9
    assert ITEMS_2023_10[6].name == "主訴・意向" and ITEMS_2023_10[6].old_name == "主訴"
    assert ITEMS_2023_10[14].name == "生活リズム"
    assert ITEMS_1999[14].name == "社会との関わり" and len(ITEMS_1999) == 23
    adl = ITEMS_2023_10[10].fields
    assert adl[0].label == "寝返り" and adl[0].choices == ("自立", "見守り", "一部介助", "全介助")
    assert ITEMS_2023_10[4].fields[0].choices[-1] == "C2"
    assert ITEMS_2023_10[5].fields[0].choices == ("自立", "Ⅰ", "Ⅱa", "Ⅱb", "Ⅲa", "Ⅲb", "Ⅳ", "M")


def test_completeness_per_item_and_overall() -> None:
    answers = {"2": {"note": "元は農家"}, "5": {"rank_at_certification": "A1"}}
    result = completeness("2023-10", answers)
    assert result.statuses[2] == "complete" and result.statuses[5] == "partial"
    assert result.statuses[1] == "empty"
    assert result.complete_count == 1 and result.total == 23 and not result.is_complete


def test_new_assessment_copies_the_last_one(plan_setup) -> None:
    first = plan_setup.assessment
    services.assessment_update(
        actor=plan_setup.actor,
        assessment=first,
        expected_version=1,
        assessed_on=D(2026, 4, 3),
        reason="initial",
        reason_note="",
        place="自宅",
        answers={
            "5": {"rank_at_certification": "A1", "rank_current": "ZZ"},
            "2": {"note": "元は農家"},
        },
    )
    first.refresh_from_db()
    assert first.answers["5"] == {"rank_at_certification": "A1"}  # unknown choice dropped
    second = services.assessment_start(
        actor=plan_setup.actor,
        client=plan_setup.client,
        assessed_on=D(2026, 9, 1),
        reason="condition_change",
    )
    assert second.sequence == 2 and second.copied_from == first and second.item_set == "2023-10"
    assert second.answers["2"] == {"note": "元は農家"}
    services.assessment_update(
        actor=plan_setup.actor,
        assessment=second,
        expected_version=1,
        assessed_on=D(2026, 9, 1),
        reason="condition_change",
        reason_note="",
        place="",
        answers={"2": {"note": "変更"}},
    )
    first.refresh_from_db()
    assert first.answers["2"] == {"note": "元は農家"}
    assert Assessment.objects.count() == 2


def test_assessment_behind_a_draft_cannot_move_after_it(plan_setup, draft_plan) -> None:
    with pytest.raises(ValidationError) as error:
        services.assessment_update(
            actor=plan_setup.actor,
            assessment=plan_setup.assessment,
            expected_version=1,
            assessed_on=D(2026, 4, 6),
            reason="initial",
            reason_note="",
            place="",
            answers={},
        )
    assert error.value.message_dict == {
        "assessed_on": [
            "実施日はこのアセスメントを使う原案の作成日（令和8年4月5日）以前の日付にしてください。"
        ]
    }
