"""`manage.py quote` reproduces the reference's worked examples to the yen."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from billing.calc import calculate_client_month, load_r6_fee_schedule
from billing.fee_schedule import fee_schedule_from_database
from billing.quote import QuoteInputError, client_month_from_json

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
pytestmark = pytest.mark.django_db


def quote(name: str) -> dict:
    out = StringIO()
    call_command("quote", str(EXAMPLES / name), stdout=out)
    return json.loads(out.getvalue())


def subtotal(document: dict, service_type: str) -> dict:
    return next(row for row in document["subtotals"] if row["service_type"] == service_type)


def test_houmon_kaigo_worked_example() -> None:
    document = quote("houmon_kaigo_1kyuchi.json")
    visits = subtotal(document, "11")
    total, treatment = visits["charges"]
    assert (
        total["insured_units"],
        total["total_cost"],
        total["insurance_claim"],
        total["user_copay"],
    ) == (
        3096,
        35294,
        31764,
        3530,
    )
    assert treatment["service_code"] == "116275" and treatment["insured_units"] == 759
    assert visits["unit_price"] == "11.40"
    assert document["benefit_management_lines"] == [
        {"provider_number": "1370100101", "service_type": "11", "planned_units": 3096}
    ]


def test_care_management_fee_is_fully_insured() -> None:
    fee = subtotal(quote("kyotaku_shien_2kyuchi.json"), "43")
    assert (fee["total_cost"], fee["insurance_claim"], fee["user_copay"], fee["unit_price"]) == (
        15690,
        15690,
        0,
        "11.12",
    )


def test_mid_month_level_change_uses_heavier_limit_and_per_date_units() -> None:
    document = quote("kubun_henkou_midmonth.json")
    assert (document["care_level"], document["limit_units"]) == ("23", 27048)
    day_service = {
        row["service_code"]: row["count"]
        for row in document["detail_rows"]
        if row["service_type"] == "15"
    }
    assert day_service == {"152346": 4, "152348": 5, "155301": 9}
    assert document["totals"]["user_copay"] == 29407  # 2割


def test_explicit_and_default_over_limit_allocation() -> None:
    chosen = quote("over_limit_allocation.json")
    visits = subtotal(chosen, "11")
    assert (visits["over_limit_units"], visits["user_full_pay"]) == (880, 10032)
    assert chosen["allocation_source"] == "explicit"
    default = quote("over_limit_default.json")
    day = subtotal(default, "15")
    assert (day["over_limit_units"], day["user_full_pay"], default["allocation_source"]) == (
        880,
        9592,
        "default",
    )
    assert sum(line["planned_units"] for line in default["benefit_management_lines"]) == 16765


def test_short_stay_third_grade_hand_computed() -> None:
    """短期入所生活介護 is in the 55 % group: 3級地 = 10 + 10 × 15 % × 55 % = 10.825 → 10.83.
    5,215 units → floor(56,478.45) = 56,478円; 保険 floor(50,830.2) = 50,830円; 負担 5,648円."""
    document = quote("tanki_seikatsu_3kyuchi.json")
    stay = subtotal(document, "21")
    assert stay["unit_price"] == "10.83"
    assert (
        stay["within_limit_units"],
        stay["total_cost"],
        stay["insurance_claim"],
        stay["user_copay"],
        stay["user_full_pay"],
    ) == (5215, 56478, 50830, 5648, 0)
    assert document["short_stay"]["planned_days"] == 7
    assert document["benefit_management_lines"] == [
        {"provider_number": "1370300031", "service_type": "21", "planned_units": 5215}
    ]


def test_invalid_input_names_the_field(tmp_path) -> None:  # noqa: ANN001
    document = json.loads((EXAMPLES / "houmon_kaigo_1kyuchi.json").read_text())
    document["service_lines"][0]["dates"][2] = "2026-12-32"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match=r"service_lines\[0\]\.dates\[2\]"):
        call_command("quote", str(path), stdout=StringIO())


def test_engine_errors_exit_non_zero_but_still_print(tmp_path) -> None:  # noqa: ANN001
    document = json.loads((EXAMPLES / "houmon_kaigo_1kyuchi.json").read_text())
    document["service_lines"][0]["code"] = "999999"
    path = tmp_path / "unknown.json"
    path.write_text(json.dumps(document))
    out = StringIO()
    with pytest.raises(CommandError, match="計算できない入力"):
        call_command("quote", str(path), stdout=out)
    assert json.loads(out.getvalue())["has_errors"] is True


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"burden_ratio": 4}, "burden_ratio"),
        ({"providers": {"123": "1"}}, "providers.123"),
        (
            {"care_levels": [{"care_level": "99", "from": "2026-12-01"}]},
            "care_levels[0].care_level",
        ),
        ({"options": {"nonsense": True}}, "options.nonsense"),
    ],
)
def test_input_errors_point_at_the_field(patch, field) -> None:  # noqa: ANN001
    document = json.loads((EXAMPLES / "houmon_kaigo_1kyuchi.json").read_text())
    document.update(patch)
    with pytest.raises(QuoteInputError) as error:
        client_month_from_json(document)
    assert error.value.field == field


@pytest.mark.parametrize("name", sorted(path.name for path in EXAMPLES.glob("*.json")))
def test_database_schedule_matches_the_shipped_files(name) -> None:  # noqa: ANN001
    client_month, options = client_month_from_json(json.loads((EXAMPLES / name).read_text()))
    from_db = calculate_client_month(client_month, fee_schedule_from_database(), options)
    from_files = calculate_client_month(client_month, load_r6_fee_schedule(), options)
    assert from_db == from_files
