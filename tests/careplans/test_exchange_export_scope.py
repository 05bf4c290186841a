"""Export: §3.4 scope table as data, UP3KYO always in the unit, 利用者補足 17/59/60 from the
client's history, and 24:00 written as 2400."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from careplans import services
from careplans.exchange.scope import exchange_service_types, in_exchange_scope, scope_table
from careplans.exchange_import import careplan_import
from careplans.exchange_mapping import CPDS_SERVICE_TYPES, END_OF_DAY, careplan_export
from careplans.models import SupportItem
from clients.models import PlanRequestFiling
from tests.careplans.test_plan_exchange import SENT_AT, _by_prefix, _confirm, _populate, _rows
from tests.factories import CertificationFactory, ServiceProviderFactory

pytestmark = pytest.mark.django_db


def test_scope_table_is_data() -> None:
    table = scope_table()
    assert {"11", "15", "17", "21", "2A", "27", "38", "78", "A2", "A6"} <= CPDS_SERVICE_TYPES
    assert exchange_service_types() == CPDS_SERVICE_TYPES
    for out in ("32", "33", "36", "41", "42", "51", "52", "53", "54", "55", "59", "81"):
        assert table[out].in_scope is False and not in_exchange_scope(out)
    assert not in_exchange_scope("43")  # not listed → not sent


def _add_sale_item(setup, plan):  # noqa: ANN001, ANN202
    sale = ServiceProviderFactory(
        office=setup.client.office, name="すこやか販売", service_types=["41"]
    )
    goal = plan.needs.get().goals.get()
    plan.refresh_from_db()
    services.support_item_save(
        actor=setup.actor, plan=plan, expected_version=plan.version, goal=goal, item=None,
        fields={
            "content": "入浴用いすの購入", "insured": True, "service_type": "41", "provider": sale,
            "frequency": "1回", "period_from": dt.date(2026, 4, 10),
        },
    )  # fmt: skip
    plan.refresh_from_db()
    return SupportItem.objects.get(content="入浴用いすの購入")


def test_out_of_scope_support_items_are_left_out(plan_setup, draft_plan) -> None:  # noqa: ANN001
    plan = _populate(plan_setup, draft_plan)
    sale_item = _add_sale_item(plan_setup, plan)
    result = careplan_export(
        actor=plan_setup.actor, plan=plan, provider=plan_setup.home_help, sent_at=SENT_AT
    )
    t2 = _rows(_by_prefix(result.files)["UP2KYO"][1])
    assert [(row[12], row[13]) for row in t2] == [("1", "入浴介助"), ("2", "見守り")]
    assert result.left_out == [sale_item]


def test_export_page_lists_the_left_out_items(plan_setup, draft_plan, login, world) -> None:  # noqa: ANN001
    from django.urls import reverse

    plan = _populate(plan_setup, draft_plan)
    _add_sale_item(plan_setup, plan)
    page = login(world.care_manager).get(reverse("careplans:export", args=[plan.pk]))
    text = page.content.decode()
    assert 'id="exchange-left-out"' in text and "特定福祉用具販売：入浴用いすの購入" in text


def test_unit_always_has_up3kyo_even_without_weekly_rows(plan_setup, draft_plan) -> None:  # noqa: ANN001
    plan = _populate(plan_setup, draft_plan)
    plan.weekly_services.all().delete()
    plan.daily_activities.all().delete()
    plan.non_weekly_services = ""
    plan.save()
    result = careplan_export(
        actor=plan_setup.actor, plan=plan, provider=plan_setup.home_help, sent_at=SENT_AT
    )
    files = _by_prefix(result.files)
    assert set(files) == {"UP1KYO", "UP2KYO", "UP3KYO", "UPHOSOKU"}
    assert files["UP3KYO"][1] == b""  # no records, no header row
    _confirm(plan)
    imported = careplan_import(actor=plan_setup.actor, client=plan.client, files=result.files)
    assert imported.weekly_services.count() == 0 and imported.import_warnings == []


def _supplement(result) -> list[str]:  # noqa: ANN001
    (row,) = list(csv.reader(io.StringIO(_by_prefix(result.files)["UPHOSOKU"][1].decode("cp932"))))
    return row


def test_supplement_fields_from_certification_history(plan_setup, draft_plan) -> None:  # noqa: ANN001
    plan = _populate(plan_setup, draft_plan)
    before = _supplement(
        careplan_export(
            actor=plan_setup.actor, plan=plan, provider=plan_setup.home_help, sent_at=SENT_AT
        )
    )
    assert (before[16], before[58], before[59]) == ("", "", "")  # no history, no 届出
    CertificationFactory(
        client=plan_setup.client,
        care_level="22",
        certified_on=dt.date(2025, 3, 20),
        valid_from=dt.date(2025, 4, 1),
        valid_to=dt.date(2026, 3, 31),
    )
    PlanRequestFiling.objects.create(client=plan_setup.client, filed_on=dt.date(2025, 3, 25))
    after = _supplement(
        careplan_export(
            actor=plan_setup.actor, plan=plan, provider=plan_setup.home_help, sent_at=SENT_AT
        )
    )
    office = plan_setup.client.office.office_number
    # 要介護2 → 要介護1 at the renewal on 2026-04-01
    assert (after[16], after[17], after[58], after[59]) == ("20260401", "21", "22", office)


def test_same_level_renewal_has_previous_level_but_no_change_date(plan_setup, draft_plan) -> None:  # noqa: ANN001
    plan = _populate(plan_setup, draft_plan)
    CertificationFactory(
        client=plan_setup.client,
        care_level="21",
        certified_on=dt.date(2025, 3, 20),
        valid_from=dt.date(2025, 4, 1),
        valid_to=dt.date(2026, 3, 31),
    )
    row = _supplement(
        careplan_export(
            actor=plan_setup.actor, plan=plan, provider=plan_setup.home_help, sent_at=SENT_AT
        )
    )
    assert (row[16], row[58]) == ("", "21")


def test_end_of_day_is_written_as_2400_and_read_back(plan_setup, draft_plan) -> None:  # noqa: ANN001
    plan = _populate(plan_setup, draft_plan)
    services.weekly_service_save(
        actor=plan_setup.actor, plan=plan, expected_version=plan.version, weekly=None,
        fields={
            "weekdays": [5], "starts_at": dt.time(22), "ends_at": END_OF_DAY,
            "content": "夜間の見守り", "insured": False,
        },
    )  # fmt: skip
    plan.refresh_from_db()
    result = careplan_export(
        actor=plan_setup.actor, plan=plan, provider=plan_setup.home_help, sent_at=SENT_AT
    )
    t3 = _rows(_by_prefix(result.files)["UP3KYO"][1])
    assert [(row[6], row[7], row[8]) for row in t3 if row[5] == "夜間の見守り"] == [
        ("5", "2200", "2400")
    ]
    _confirm(plan)
    imported = careplan_import(actor=plan_setup.actor, client=plan.client, files=result.files)
    assert imported.weekly_services.get(content="夜間の見守り").ends_at == END_OF_DAY
    assert [w["field"] for w in imported.import_warnings] == ["終了時間"]
