"""第2表: several 短期目標 under one 長期目標 — service, screen, PDF rows, revision copy and
the UP2KYO export/import."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from careplans import services
from careplans.documents import table2
from careplans.exchange_import import careplan_import
from careplans.exchange_mapping import careplan_export, plan_records
from careplans.models import CarePlan, Goal, PlanStatus
from careplans.printing import _table2_rows, careplan_print_html

D = dt.date


def _need(setup, plan, text="入浴が不安"):  # noqa: ANN001, ANN202
    plan.refresh_from_db()
    return services.need_save(
        actor=setup.actor, plan=plan, expected_version=plan.version, need=None, text=text
    ).instance


def _goal(setup, plan, need, short_term, head=None, goal=None, **long_term):  # noqa: ANN001, ANN003, ANN202
    plan.refresh_from_db()
    fields = {
        "long_term": "自宅で安全に入浴できる",
        "long_term_from": D(2026, 4, 10),
        "long_term_to": D(2027, 3, 31),
        "short_term": short_term,
        "short_term_from": D(2026, 4, 10),
        "short_term_to": D(2026, 9, 30),
    } | long_term
    return services.goal_save(
        actor=setup.actor,
        plan=plan,
        expected_version=plan.version,
        need=need,
        goal=goal,
        fields=fields,
        long_term_head=head,
    ).instance


def _item(setup, plan, goal, content):  # noqa: ANN001, ANN202
    plan.refresh_from_db()
    return services.support_item_save(
        actor=setup.actor,
        plan=plan,
        expected_version=plan.version,
        goal=goal,
        item=None,
        fields={
            "content": content,
            "insured": True,
            "service_type": "11",
            "provider": setup.home_help,
            "frequency": "週2回",
            "period_from": D(2026, 4, 10),
        },
    ).instance


@pytest.fixture
def grouped(plan_setup, draft_plan):  # noqa: ANN001, ANN201
    need = _need(plan_setup, draft_plan)
    first = _goal(plan_setup, draft_plan, need, "浴槽をまたげる")
    other = _goal(plan_setup, draft_plan, need, "着替えができる", long_term="身だしなみを整える")
    second = _goal(plan_setup, draft_plan, need, "洗身ができる", head=first, long_term="無視される")
    _item(plan_setup, draft_plan, first, "入浴介助")
    _item(plan_setup, draft_plan, first, "見守り")
    _item(plan_setup, draft_plan, second, "洗身の練習")
    _item(plan_setup, draft_plan, other, "更衣介助")
    draft_plan.refresh_from_db()
    return need, first, second, other


def test_second_short_term_goal_shares_the_long_term_goal(plan_setup, draft_plan, grouped) -> None:  # noqa: ANN001
    need, first, second, other = grouped
    assert [(g.short_term, g.order, g.long_term) for g in need.goals.all()] == [
        ("浴槽をまたげる", 1, "自宅で安全に入浴できる"),
        ("洗身ができる", 2, "自宅で安全に入浴できる"),  # placed right after its group
        ("着替えができる", 3, "身だしなみを整える"),
    ]
    assert second.long_term_head == first and second.long_term_to == D(2027, 3, 31)
    _goal(plan_setup, draft_plan, need, "浴槽をまたげる", goal=first, long_term="一人で入浴できる")
    second.refresh_from_db()
    assert second.long_term == "一人で入浴できる"  # the copy follows the group's first goal


def test_head_from_another_need_is_refused(plan_setup, draft_plan, grouped) -> None:  # noqa: ANN001
    _, first, _, _ = grouped
    other_need = _need(plan_setup, draft_plan, "外出したい")
    version = CarePlan.objects.get(pk=draft_plan.pk).version
    with pytest.raises(ValidationError) as error:
        _goal(plan_setup, draft_plan, other_need, "x", head=first)
    assert error.value.messages == ["同じニーズの長期目標の下にだけ短期目標を追加できます。"]
    assert not other_need.goals.exists()
    assert CarePlan.objects.get(pk=draft_plan.pk).version == version


def test_pdf_long_term_cell_spans_its_short_term_rows(plan_setup, draft_plan, grouped) -> None:  # noqa: ANN001
    rows = _table2_rows(table2(draft_plan))
    assert [
        (r["long_start"] and r["long_rowspan"], r["goal_start"] and r["goal_rowspan"]) for r in rows
    ] == [
        (3, 2),
        (False, False),
        (False, 1),  # 洗身ができる: its own 短期目標 cell, under the same 長期目標
        (1, 1),
    ]
    html = careplan_print_html(plan=draft_plan, table="2")
    assert html.count("自宅で安全に入浴できる") == 1 and 'rowspan="3"' in html


def test_screen_merges_the_long_term_cell_and_offers_add(
    plan_setup, draft_plan, grouped, login, world
) -> None:  # noqa: ANN001
    need, first, _, _ = grouped
    browser = login(world.care_manager)
    page = browser.get(reverse("careplans:plan", args=[draft_plan.pk])).content.decode()
    assert page.count("自宅で安全に入浴できる") == 1
    add_url = reverse("careplans:goal_add", args=[need.pk]) + f"?under={first.pk}"
    assert add_url in page
    form_page = browser.get(add_url).content.decode()
    assert 'name="long_term"' not in form_page and 'name="short_term"' in form_page
    draft_plan.refresh_from_db()
    response = browser.post(
        add_url,
        {
            "plan_version": draft_plan.version,
            "short_term": "髪を洗える",
            "short_term_from": "2026-04-10",
            "short_term_to": "2026-09-30",
        },
    )
    assert response.status_code == 302
    added = Goal.objects.get(short_term="髪を洗える")
    assert (added.long_term_head, added.long_term, added.order) == (first, first.long_term, 3)


def test_revision_keeps_the_grouping(plan_setup, draft_plan, grouped) -> None:  # noqa: ANN001
    CarePlan.objects.filter(pk=draft_plan.pk).update(
        status=PlanStatus.CONFIRMED, consented_on=D(2026, 4, 9), delivered_on=D(2026, 4, 9)
    )
    draft_plan.refresh_from_db()
    revised = services.careplan_revise(
        actor=plan_setup.actor, plan=draft_plan, drafted_on=D(2026, 5, 1)
    )
    goals = list(Goal.objects.filter(need__plan=revised).order_by("order"))
    assert goals[1].long_term_head == goals[0] and goals[0].need.plan == revised
    assert goals[2].long_term_head is None


def test_up2kyo_repeats_the_long_term_goal_and_import_regroups(
    plan_setup, draft_plan, grouped
) -> None:  # noqa: ANN001
    _, rows, _, _ = plan_records(draft_plan)
    assert [(r.goal_number, r.long_term_goal, r.short_term_goal) for r in rows] == [
        (1, "自宅で安全に入浴できる", "浴槽をまたげる"),
        (1, "自宅で安全に入浴できる", "浴槽をまたげる"),
        (2, "自宅で安全に入浴できる", "洗身ができる"),
        (3, "身だしなみを整える", "着替えができる"),
    ]
    result = careplan_export(
        actor=plan_setup.actor,
        plan=draft_plan,
        provider=plan_setup.home_help,
        sent_at=dt.datetime(2026, 4, 12, 9, 30, 15),
    )
    CarePlan.objects.filter(pk=draft_plan.pk).update(
        status=PlanStatus.CONFIRMED, consented_on=D(2026, 4, 9), delivered_on=D(2026, 4, 9)
    )
    imported = careplan_import(actor=plan_setup.actor, client=draft_plan.client, files=result.files)
    goals = list(Goal.objects.filter(need__plan=imported).order_by("order"))
    assert [(g.short_term, g.long_term_head_id is not None) for g in goals] == [
        ("浴槽をまたげる", False),
        ("洗身ができる", True),
        ("着替えができる", False),
    ]
    assert goals[1].long_term_head == goals[0]
