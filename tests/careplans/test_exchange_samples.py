"""Fully populated sample records for the exchange tests (every column has a distinct value).

A module of builders, not tests (named test_* to stay inside the exchange test files)."""

from __future__ import annotations

import datetime as dt

from careplans.exchange import (
    SendingUnit,
    ServiceTypeLimit,
    SupplementRecord,
    Table1Record,
    Table2Row,
    Table3Row,
)

INSURER = "131011"
INSURED = "0000012345"
PLAN_DATE = dt.date(2026, 4, 1)


def table1() -> Table1Record:
    return Table1Record(
        insurer_number=INSURER,
        insured_number=INSURED,
        created_on=dt.date(2026, 3, 28),
        client_postal_code="160-0023",
        client_address_1="東京都新宿区西新宿1-1",
        client_address_2="さくら荘101",
        plan_author="担当 花子",
        support_office_name="さくら居宅介護支援センター",
        support_office_postal_code="160-0022",
        support_office_address_1="東京都新宿区新宿2-2",
        support_office_address_2="2階",
        support_office_number="1370100001",
        plan_date=PLAN_DATE,
        first_plan_date=dt.date(2025, 4, 1),
        plan_category="21",
        certification_status="2",
        certified_on=dt.date(2026, 3, 15),
        certification_start=dt.date(2026, 4, 1),
        certification_end=dt.date(2027, 3, 31),
        care_level="23",
        assessment_result='本人「自宅で暮らしたい」,\r\n家族"見守りたい"',
        committee_opinion="特になし",
        overall_policy="安全に在宅生活を続ける",
        daily_living_support_reason="3",
        daily_living_support_other_reason="家族が遠方",
        update_vendor_code="1370100001",
        identifier="1",
    )


def table2_rows() -> tuple[Table2Row, ...]:
    common = dict(
        insurer_number=INSURER,
        insured_number=INSURED,
        created_on=dt.date(2026, 3, 28),
        plan_date=PLAN_DATE,
    )
    return (
        Table2Row(
            **common,
            need_number=1,
            need="入浴が一人でできない",
            goal_number=1,
            long_term_goal="清潔を保つ",
            short_term_goal="週2回入浴する",
            long_term_period="R8.4.1～R9.3.31",
            short_term_period="R8.4.1～R8.9.30",
            support_number=1,
            service_content="入浴介助",
            insurance_covered="Y",
            service_kind="通所介護",
            provider_office_number="1370200002",
            provider_office_name="デイサービスひまわり",
            frequency="週2回",
            period="R8.4.1～R8.9.30",
            update_vendor_code="1370100001",
            identifier="1",
        ),
        Table2Row(
            **common, need_number=1, goal_number=1, support_number=2, service_content="見守り"
        ),
    )


def table3_rows() -> tuple[Table3Row, ...]:
    return (
        Table3Row(
            insurer_number=INSURER,
            insured_number=INSURED,
            created_on=dt.date(2026, 3, 28),
            plan_date=PLAN_DATE,
            service_content="通所介護",
            weekday="2",
            start_time="0930",
            end_time="1630",
            daily_activity="起床",
            activity_start_time="0630",
            activity_end_time="0700",
            non_weekly_services="福祉用具貸与(車いす)",
        ),
    )


def supplement() -> SupplementRecord:
    return SupplementRecord(
        insurer_number=INSURER,
        insured_number=INSURED,
        plan_date=PLAN_DATE,
        name_kana="ﾀｶﾊｼ ﾊﾅｺ",
        name="髙橋 花子",
        sex="2",
        birth_date=dt.date(1940, 4, 1),
        postal_code="160-0023",
        address_1="東京都新宿区西新宿1-1",
        address_2="さくら荘101",
        phone="03-1234-5678",
        certified_on=dt.date(2026, 3, 15),
        limit_start=dt.date(2026, 4, 1),
        limit_end=dt.date(2027, 3, 31),
        certification_status="2",
        care_level_changed_on=dt.date(2026, 4, 1),
        care_level="23",
        benefit_limit_units=27048,
        service_type_limits=tuple(
            ServiceTypeLimit(f"1{slot}", 1000 + slot, 500 + slot, slot) for slot in range(1, 10)
        ),
        total_over_limit_units=45,
        short_stay_days_before_month=3,
        short_stay_cumulative_days=10,
        previous_care_level="22",
        consent_office_number="1370200002",
        update_vendor_code="1370100001",
        identifier="1",
    )


def sending_unit() -> SendingUnit:
    return SendingUnit(
        sender_office_number="1370100001",
        recipient_office_number="1370200002",
        recipient_service_type="15",
        sent_at=dt.datetime(2026, 4, 2, 9, 5, 7),
        table1=table1(),
        table2=table2_rows(),
        table3=table3_rows(),
        supplement=supplement(),
    )
