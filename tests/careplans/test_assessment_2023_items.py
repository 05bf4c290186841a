"""課題分析標準項目 (2023-10): old-item hints, item 13's 中核症状 and BPSD list, and the
items prefilled from the register (1 基本情報, 5/6 自立度 at certification, 7 主訴, 8 認定情報,
9 理由)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from careplans import services
from careplans.assessment_items import (
    BPSD_LIST,
    ITEMS_2023_10,
    clean_answers,
    completeness,
    entry_errors,
)
from careplans.forms import AssessmentForm
from careplans.models import Assessment
from clients.models import Consultation

D = dt.date


def test_old_item_hints_follow_the_2023_revision() -> None:
    by_number = {item.number: item for item in ITEMS_2023_10}
    assert by_number[15].name == "生活リズム" and by_number[15].old_name == ""
    assert by_number[20].name == "社会との関わり"
    assert by_number[20].old_name == "社会との関わり（旧15）"
    assert by_number[13].old_name == "認知（旧13）・問題行動（旧20）"
    assert by_number[13].lists == (BPSD_LIST,)


def test_bpsd_entries_are_cleaned_and_checked() -> None:
    answers = {
        "13": {
            "core_memory": "中等度",
            "core_orientation": "ひどい",
            "bpsd": [
                {"kind": "徘徊", "frequency": "週数回", "situation": " 夕方に外へ出ようとする "},
                {"kind": "空を飛ぶ", "frequency": "毎日", "situation": "x"},
                {"kind": "", "frequency": "", "situation": ""},
                {"kind": "暴言・暴行", "frequency": "たまに", "situation": ""},
            ],
        }
    }
    assert clean_answers("2023-10", answers)["13"] == {
        "core_memory": "中等度",
        "bpsd": [
            {"kind": "徘徊", "frequency": "週数回", "situation": "夕方に外へ出ようとする"},
            {"kind": "暴言・暴行"},
        ],
    }
    assert entry_errors(BPSD_LIST, {"kind": "", "frequency": "毎日", "situation": ""}) == {
        "kind": "行動・心理症状（BPSD）の種類を選んでください。"
    }
    assert entry_errors(BPSD_LIST, {"kind": "その他", "frequency": "まれ", "situation": ""}) == {
        "situation": "「その他」を選んだときは状況（いつ・どんな場面で・対応）に具体的な内容を書いてください。"
    }
    assert entry_errors(BPSD_LIST, {"kind": "", "frequency": "", "situation": ""}) == {}


def test_bpsd_alone_makes_item_13_partial_and_core_levels_are_optional() -> None:
    bpsd_only = {"13": {"bpsd": [{"kind": "昼夜逆転"}]}}
    assert completeness("2023-10", bpsd_only).statuses[13] == "partial"
    required_only = {"13": {"short_term_memory": "問題あり", "decision_making": "できない"}}
    assert completeness("2023-10", required_only).statuses[13] == "complete"


def _consultation(setup, world) -> Consultation:  # noqa: ANN001
    return Consultation.objects.create(
        client=setup.client,
        consulted_on=D(2026, 3, 25),
        route="hospital",
        route_detail="○○病院 地域連携室",
        chief_complaint="退院後も自宅で暮らしたい",
        taken_by=world.care_manager,
    )


def test_new_assessment_is_prefilled_from_the_register(plan_setup, world) -> None:  # noqa: ANN001
    _consultation(plan_setup, world)
    assessment = services.assessment_start(
        actor=plan_setup.actor,
        client=plan_setup.client,
        assessed_on=D(2026, 4, 20),
        reason="condition_change",
    )
    assert assessment.answers["1"] == {
        "received_on": "令和8年3月25日",
        "received_by": world.care_manager.full_name,
        "received_route": "病院・診療所（○○病院 地域連携室）",
        "plan_status": "初回",
    }
    assert assessment.answers["7"] == {"chief_complaint": "退院後も自宅で暮らしたい"}
    assert assessment.answers["8"] == {
        "care_level": "要介護1",
        "certified_on": "令和8年3月20日",
        "valid_period": "令和8年4月1日〜令和9年3月31日",
        "committee_opinion": "特になし",
    }
    assert assessment.answers["9"] == {"reason": "状態変化"}
    statuses = completeness("2023-10", assessment.answers).statuses
    assert (statuses[1], statuses[8], statuses[9]) == ("complete", "complete", "complete")


def test_copied_certification_cannot_be_edited_and_reason_follows_header(plan_setup) -> None:  # noqa: ANN001
    assessment = plan_setup.assessment
    stored_8 = dict(assessment.answers["8"])
    services.assessment_update(
        actor=plan_setup.actor,
        assessment=assessment,
        expected_version=assessment.version,
        assessed_on=D(2026, 4, 3),
        reason="discharge",
        reason_note="",
        place="自宅",
        answers={"8": {"care_level": "要介護5", "note": "審査会の意見なし"}, "9": {"reason": "x"}},
    )
    assessment.refresh_from_db()
    assert assessment.answers["8"] == {**stored_8, "note": "審査会の意見なし"}
    assert assessment.answers["9"] == {"reason": "退院・退所"}


def _post_data(assessment: Assessment) -> dict[str, str]:
    return {
        "version": str(assessment.version),
        "assessed_on": "2026-04-03",
        "reason": "initial",
        "reason_note": "",
        "place": "自宅",
        "item13_bpsd_rows": "3",
    }


@pytest.mark.django_db
def test_bpsd_row_without_kind_is_refused_at_the_field(plan_setup) -> None:  # noqa: ANN001
    assessment = plan_setup.assessment
    data = {**_post_data(assessment), "item13_bpsd_1_frequency": "毎日"}
    form = AssessmentForm(
        data, instance=assessment, item_set_tag="2023-10", answers=assessment.answers
    )
    assert not form.is_valid()
    assert form.errors["item13_bpsd_1_kind"] == ["行動・心理症状（BPSD）の種類を選んでください。"]


def test_assessment_screen_saves_bpsd_and_labels_register_fields(plan_setup, world, login) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    assessment = plan_setup.assessment
    url = reverse("careplans:assessment", args=[assessment.pk])
    page = http.get(url).content.decode()
    assert "台帳・認定から" in page and "行動・心理症状（BPSD）" in page
    assert "2023年10月の改正で新設された項目です。" in page
    data = {
        **_post_data(assessment),
        "item13_core_memory": "軽度",
        "item13_bpsd_0_kind": "介護への抵抗",
        "item13_bpsd_0_frequency": "週数回",
        "item13_bpsd_0_situation": "入浴を嫌がる",
        "item8_care_level": "要介護5",
    }
    response = http.post(url, data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.answers["13"] == {
        "core_memory": "軽度",
        "bpsd": [{"kind": "介護への抵抗", "frequency": "週数回", "situation": "入浴を嫌がる"}],
    }
    assert assessment.answers["8"]["care_level"] == "要介護1"


def test_plan_status_is_not_first_after_a_confirmed_plan(plan_setup, draft_plan) -> None:  # noqa: ANN001
    from tests.careplans.test_lifecycle import _confirm, _fill, _meet

    _fill(plan_setup, draft_plan)
    _meet(plan_setup, draft_plan)
    draft_plan.refresh_from_db()
    _confirm(plan_setup, draft_plan)
    later = services.assessment_start(
        actor=plan_setup.actor,
        client=plan_setup.client,
        assessed_on=D(2026, 9, 1),
        reason="renewal",
    )
    assert later.answers["1"] == {"plan_status": "初回以外"}
    assert later.answers["9"] == {"reason": "更新"}


def test_independence_ranks_of_the_certification_prefill_items_5_and_6(world) -> None:  # noqa: ANN001
    from caremgmt.access import actor_for
    from tests.factories import CertificationFactory, ClientFactory

    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    CertificationFactory(
        client=client,
        care_level="22",
        valid_from=D(2026, 4, 1),
        valid_to=D(2027, 3, 31),
        disability_independence="A2",
        disability_independence_source="doctor_opinion",
        dementia_independence="IIb",
        dementia_independence_source="survey",
    )
    assessment = services.assessment_start(
        actor=actor_for(world.care_manager),
        client=client,
        assessed_on=D(2026, 4, 20),
        reason="initial",
    )
    # 「認定時」 comes from the 認定; 「現在」 stays the care manager's judgement (not filled).
    assert assessment.answers["5"] == {"rank_at_certification": "A2"}
    assert assessment.answers["6"] == {"rank_at_certification": "Ⅱb"}
