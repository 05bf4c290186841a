"""ケアプランデータ連携 of the month: UPPLAN / UPSIKYU / UPHOSOKU / DLTPLAN records and files."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest

from billing.exchange.files import (
    NOT_DELIVERED_WARNING,
    build_delete_files,
    build_file_sets,
    client_month_export,
    month_exports,
)
from billing.exchange.layouts import DLTPLAN, UPPLAN, UPSIKYU
from billing.exchange.records import (
    SupplementHistory,
    left_out_rows,
    recipients,
    supplement_record,
    upplan_rows,
    upsikyu_rows,
)
from billing.models import TicketRow, TicketStatus, TicketVersion
from billing.tickets.generate import generate_ticket
from billing.tickets.snapshot import snapshot_hash, ticket_snapshot
from caremgmt.access import actor_for
from careplans.exchange import WriteOptions
from careplans.exchange.layout import parse_rows, write_rows
from careplans.exchange.uphosoku import UPHOSOKU, write_uphosoku
from tests.billing.ticket_world import make_ticket_world

DECEMBER = dt.date(2026, 12, 1)
SENT_AT = dt.datetime(2026, 11, 27, 18, 30, 5)
TODAY = SENT_AT.date()
NAME = re.compile(
    r"(UPPLAN|UPSIKYU|UPHOSOKU|DLTPLAN)_202612_(\d{10})_43_(\d{10})_(\d{2})_(\d{14})\.CSV"
)


@pytest.fixture
def tw(world):  # noqa: ANN001, ANN201
    return make_ticket_world(world.office, world.care_manager)


@pytest.fixture
def ticket(tw):  # noqa: ANN001, ANN201
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    return ticket


def _parse(layout, data: bytes):  # noqa: ANN001, ANN202
    parsed = parse_rows(layout, data)
    assert not parsed.problems, parsed.problems
    return parsed.rows


def _columns(data: bytes) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(data.decode("cp932"), newline="")))


def _deliver(ticket, staff, created_on=dt.date(2026, 11, 28)):  # noqa: ANN001, ANN202
    snapshot = ticket_snapshot(ticket, created_on=created_on, version_number=1)
    version = TicketVersion.objects.create(
        ticket=ticket,
        number=1,
        created_on=created_on,
        received_by="本人",
        consent_method="signature",
        snapshot=snapshot,
        content_hash=snapshot_hash(snapshot),
        created_by=staff,
    )
    ticket.status = TicketStatus.DELIVERED
    ticket.save(update_fields=["status"])
    return version


# --- records ---------------------------------------------------------------------------------


def test_upplan_has_one_row_per_service_per_date(ticket) -> None:  # noqa: ANN001
    snapshot = ticket_snapshot(ticket)
    rows = upplan_rows(snapshot, TODAY)
    # 訪問介護 9 dates + 通所介護 5 dates + 特殊寝台 1 date
    assert len(rows) == 9 + 5 + 1
    data = write_rows(UPPLAN, rows, WriteOptions())
    columns = _columns(data)
    assert {len(line) for line in columns} == {25}
    parsed = _parse(UPPLAN, data)
    home = [r for r in parsed if r["service_code"] == "111211"]
    assert [r["service_date"].day for r in home] == [3, 7, 10, 14, 17, 21, 24, 28, 31]
    assert {(r["start_time"], r["end_time"], r["units"], r["count"]) for r in home} == {
        ("1000", "1100", 387, 1)
    }
    rental = next(r for r in parsed if r["service_code"] == "171003")
    assert rental["service_date"] == dt.date(2026, 12, 1)
    assert (rental["start_time"], rental["end_time"]) == ("9999", "9999")
    assert (rental["tais_code"], rental["item_name"], rental["units"]) == (
        "00170-000123",
        "楽匠Ｚ",
        1200,
    )
    day = next(r for r in parsed if r["service_code"] == "152443")
    assert day["tais_code"] == "" and day["item_name"] == ""
    assert {r["target_month"] for r in parsed} == {"202612"}
    assert {r["beyond_thirty_days"] for r in parsed} == {"0"}
    assert {r["update_vendor_code"] for r in parsed} == {snapshot["office"]["number"]}
    assert {r["plan_author"] for r in parsed} == {"担当 花子"}


def test_upsikyu_rows_and_totals_equal_the_snapshot(ticket) -> None:  # noqa: ANN001
    snapshot = ticket_snapshot(ticket)
    data = write_rows(UPSIKYU, upsikyu_rows(snapshot, TODAY), WriteOptions())
    assert {len(line) for line in _columns(data)} == {37}
    parsed = _parse(UPSIKYU, data)
    # one code per provider × type: the subtotal sits on the detail row; then the total row
    assert [r["service_code"] for r in parsed] == ["111211", "152443", "171003", "999999"]
    home = parsed[0]
    subtotal = snapshot["subtotals"][0]
    assert (home["units"], home["count"], home["service_units"]) == (387, 9, 3483)
    assert home["unit_price"] == subtotal["unit_price"] == "11.40"
    assert home["total_cost"] == subtotal["total_cost"]
    assert home["within_limit_units"] == subtotal["within_limit_units"]
    assert parsed[2]["tais_code"] == "00170-000123"
    total = parsed[-1]
    totals = snapshot["totals"]
    assert total["provider_number"] == "9999999999" and total["units"] == 0
    assert (
        total["service_units"],
        total["over_limit_units"],
        total["within_limit_units"],
        total["total_cost"],
        total["insurance_claim"],
        total["user_copay"],
        total["user_full_pay"],
    ) == (
        totals["total_units"],
        totals["over_limit_units"],
        totals["within_limit_units"],
        totals["total_cost"],
        totals["insurance_claim"],
        totals["user_copay"],
        totals["user_full_pay"],
    )
    assert sum(r["total_cost"] for r in parsed[:-1]) == totals["total_cost"]


def test_upsikyu_subtotal_rows_when_a_type_has_several_codes(tw, ticket) -> None:  # noqa: ANN001
    TicketRow.objects.create(
        ticket=ticket, order=9, provider=tw.home_help, service_code="111111", planned_days=[5, 12]
    )
    TicketRow.objects.create(
        ticket=ticket, order=10, provider=tw.home_help, service_code="116275", planned_days=[1]
    )
    snapshot = ticket_snapshot(ticket)
    parsed = _parse(UPSIKYU, write_rows(UPSIKYU, upsikyu_rows(snapshot, TODAY), WriteOptions()))
    codes = [r["service_code"] for r in parsed]
    assert codes[:5] == ["111111", "111211", "116275", "11AAAA", "11EEEE"]
    eeee = parsed[4]
    assert eeee["benefit_management_units"] is None and eeee["within_limit_units"] is None
    assert parsed[2]["benefit_management_units"] is None  # 処遇改善: outside the limit
    aaaa = next(r for r in parsed if r["service_code"] == "11AAAA")
    subtotal = next(s for s in snapshot["subtotals"] if s["service_type"] == "11")
    assert aaaa["units"] == 0
    assert aaaa["within_limit_units"] == subtotal["within_limit_units"]
    home_rows = [r for r in parsed if r["provider_number"] == subtotal["provider_number"]]
    assert sum(r["total_cost"] or 0 for r in home_rows) == subtotal["total_cost"]
    assert sum(r["user_copay"] or 0 for r in home_rows) == subtotal["user_copay"]
    assert parsed[-1]["total_cost"] == snapshot["totals"]["total_cost"]
    # UPPLAN: the percentage addition is one row on its date with the engine's units
    plan = upplan_rows(snapshot, TODAY)
    addition = [r for r in plan if r["service_code"] == "116275"]
    assert len(addition) == 1 and addition[0]["units"] > 0


def test_uphosoku_is_tied_to_the_month(tw, ticket) -> None:  # noqa: ANN001
    snapshot = ticket_snapshot(ticket)
    record = supplement_record(snapshot, SupplementHistory(previous_care_level="22"))
    data = write_uphosoku([record], WriteOptions())
    columns = _columns(data)
    assert len(columns[0]) == 63
    assert columns[0][3] == "00000000" and columns[0][62] == "202612"
    assert columns[0][17] == "23" and columns[0][18] == "27048"
    assert columns[0][58] == "22"
    assert _parse(UPHOSOKU, data)


def test_dltplan_has_four_fields(ticket) -> None:  # noqa: ANN001
    export = client_month_export(ticket, today=TODAY)
    files = build_delete_files([export], sender_office_number="1370100000", sent_at=SENT_AT)
    assert len(files.files) == 3  # one per recipient
    for name, data in files.files.items():
        assert name.startswith("DLTPLAN_202612_1370100000_43_")
        assert data == b"202407,131011,1000000000,202612\r\n" or data.endswith(b",202612\r\n")
        assert [len(line) for line in _columns(data)] == [4]
        assert _parse(DLTPLAN, data)


def test_out_of_scope_types_are_left_out(ticket) -> None:  # noqa: ANN001
    snapshot = copy.deepcopy(ticket_snapshot(ticket))
    sale = {
        **snapshot["rows"][0],
        "id": 999,
        "service_type": "41",
        "service_code": "411111",
        "provider_number": "1371299999",
        "provider_name": "福祉用具販売店",
        "service_name": "特定福祉用具販売",
    }
    snapshot["rows"].append(sale)
    snapshot["subtotals"].append({**snapshot["subtotals"][0], "service_type": "41"})
    assert [row["service_code"] for row in left_out_rows(snapshot)] == ["411111"]
    assert all(r.service_type != "41" for r in recipients(snapshot))
    assert all(r["service_code"] != "411111" for r in upplan_rows(snapshot, TODAY))
    assert all(not r["service_code"].startswith("41") for r in upsikyu_rows(snapshot, TODAY))


# --- bytes -----------------------------------------------------------------------------------


def test_ms932_bytes_crlf_and_quoting(tw, ticket) -> None:  # noqa: ANN001
    client = tw.client
    client.name = "髙﨑 𠮷子"
    client.save(update_fields=["name"])
    tw.home_help.name = 'ヘルパー,"あおば"'
    tw.home_help.save(update_fields=["name"])
    ticket.refresh_from_db()
    export = client_month_export(ticket, today=TODAY)
    file_set = build_file_sets([export], sender_office_number="1370100000", sent_at=SENT_AT)
    supplement = next(data for name, data in file_set.files.items() if "UPHOSOKU" in name)
    # 髙 and 﨑 are in MS932 (kept, the plan exporter's rule); 𠮷 becomes 吉, reported
    assert "髙﨑".encode("cp932") in supplement
    assert "吉子".encode("cp932") in supplement
    assert any(s.original == "\U00020bb7" and s.replacement == "吉" for s in file_set.substitutions)
    plan = next(data for name, data in file_set.files.items() if name.startswith("UPPLAN"))
    assert plan.endswith(b"\r\n") and b"\n" not in plan.replace(b"\r\n", b"")
    assert '"ヘルパー,""あおば"""'.encode("cp932") in plan
    assert all(len(line) == 25 for line in _columns(plan))


# --- file sets -------------------------------------------------------------------------------


def test_one_unit_per_recipient_sharing_the_sequence(world, tw, ticket) -> None:  # noqa: ANN001
    export = client_month_export(ticket, today=TODAY)
    assert export.warnings == (
        NOT_DELIVERED_WARNING.format(name=tw.client.name, month="2026年12月"),
    )
    file_set = build_file_sets(
        [export], sender_office_number=world.office.office_number, sent_at=SENT_AT
    )
    assert len(file_set.files) == 9
    matches = [NAME.fullmatch(name) for name in file_set.files]
    assert all(matches)
    assert {m[5] for m in matches} == {"20261127183005"}
    assert {(m[3], m[4]) for m in matches} == {
        (tw.home_help.provider_number, "11"),
        (tw.day_service.provider_number, "15"),
        (tw.rental.provider_number, "17"),
    }
    # every recipient gets all providers' lines of the client
    for name, data in file_set.files.items():
        if name.startswith("UPPLAN"):
            providers = {r["provider_number"] for r in _parse(UPPLAN, data)}
            assert len(providers) == 3


def test_delivered_ticket_is_exported_from_its_version(world, tw, ticket) -> None:  # noqa: ANN001
    from billing.tickets.services import ticket_set_day

    _deliver(ticket, world.care_manager)
    export = client_month_export(ticket, today=TODAY)
    assert export.warnings == () and export.version_number == 1
    assert export.created_on == dt.date(2026, 11, 28)
    row = ticket.rows.get(service_code="111211")
    ticket_set_day(
        actor=actor_for(world.care_manager),
        ticket=ticket,
        row_id=row.pk,
        day=3,
        on=False,
        expected_version=ticket.version,
    )
    ticket.refresh_from_db()
    export = client_month_export(ticket, today=TODAY)
    rows = [r for r in upplan_rows(export.snapshot, export.created_on) if r["units"] == 387]
    assert len(rows) == 9  # still the handed-over version's dates
    assert {r["created_on"] for r in rows} == {dt.date(2026, 11, 28)}


def test_month_export_one_file_per_recipient_with_its_users(world, tw) -> None:  # noqa: ANN001
    other = make_ticket_world(world.office, world.care_manager)
    other.plan.weekly_services.filter(service_code="111211").update(provider=tw.home_help)
    generate_ticket(client=tw.client, month=DECEMBER)
    generate_ticket(client=other.client, month=DECEMBER)
    exports = month_exports(actor_for(world.care_manager), DECEMBER, today=TODAY)
    assert len(exports) == 2
    file_set = build_file_sets(
        exports, sender_office_number=world.office.office_number, sent_at=SENT_AT
    )
    names = list(file_set.files)
    assert len({NAME.fullmatch(n)[5] for n in names}) == 1
    by_recipient = {
        NAME.fullmatch(n)[3]: file_set.files[n] for n in names if n.startswith("UPHOSOKU")
    }
    shared = _parse(UPHOSOKU, by_recipient[tw.home_help.provider_number])
    assert len(shared) == 2  # both users of the shared 訪問介護
    only_first = _parse(UPHOSOKU, by_recipient[tw.day_service.provider_number])
    assert [r["insured_number"] for r in only_first] == [tw.client.insured_number]
    # a colleague sees neither client
    assert month_exports(actor_for(world.colleague), DECEMBER, today=TODAY) == []


def test_short_stay_beyond_thirty_days(world, tw, ticket) -> None:  # noqa: ANN001
    from tests.factories import ServiceProviderFactory

    stay = ServiceProviderFactory(office=world.office, name="ショートステイ", service_types=["21"])
    TicketRow.objects.create(
        ticket=ticket,
        order=20,
        provider=stay,
        service_code="211131",
        planned_days=list(range(1, 32)),
    )
    snapshot = ticket_snapshot(ticket)
    beyond = snapshot["short_stay"]["beyond_thirty_days_dates"]
    assert beyond == ["2026-12-31"]
    plan = [r for r in upplan_rows(snapshot, TODAY) if r["service_code"] == "211131"]
    assert len(plan) == 31
    assert [r["service_date"].day for r in plan if r["beyond_thirty_days"] == "1"] == [31]
    assert {r["short_stay_days_before_month"] for r in plan} == {
        snapshot["short_stay"]["days_before_month"]
    }
    assert all(
        r["beyond_thirty_days"] == "0" and r["short_stay_days_before_month"] is None
        for r in upplan_rows(snapshot, TODAY)
        if r["service_code"] != "211131"
    )
    table7 = _parse(UPSIKYU, write_rows(UPSIKYU, upsikyu_rows(snapshot, TODAY), WriteOptions()))
    stay_rows = [r for r in table7 if r["provider_number"] == stay.provider_number]
    assert [r["beyond_thirty_days"] for r in stay_rows if r["service_code"] == "211131"] == [
        "0",
        "1",
    ]
    assert [r["service_code"] for r in stay_rows][-2:] == ["21AAAA", "21ZZZZ"]
    aaaa = stay_rows[-2]
    assert aaaa["short_stay_planned_days"] == snapshot["short_stay"]["planned_days"] == 30
    assert aaaa["short_stay_cumulative_days"] == snapshot["short_stay"]["cumulative_days"]
    assert table7[-1]["user_full_pay"] == snapshot["totals"]["user_full_pay"]
    assert sum(r["user_full_pay"] or 0 for r in table7[:-1]) == snapshot["totals"]["user_full_pay"]


def test_supplement_history_from_the_certification_register(world, tw, ticket) -> None:  # noqa: ANN001
    from clients.models import PlanRequestFiling
    from tests.factories import CertificationFactory

    CertificationFactory(
        client=tw.client,
        care_level="22",
        certified_on=dt.date(2025, 3, 20),
        valid_from=dt.date(2025, 4, 1),
        valid_to=dt.date(2026, 3, 31),
    )
    PlanRequestFiling.objects.create(client=tw.client, filed_on=dt.date(2026, 4, 1))
    export = client_month_export(ticket, today=TODAY)
    assert export.history == SupplementHistory(
        care_level_changed_on=dt.date(2026, 4, 1),
        previous_care_level="22",
        consent_office_number=world.office.office_number,
    )
    file_set = build_file_sets(
        [export], sender_office_number=world.office.office_number, sent_at=SENT_AT
    )
    data = next(data for name, data in file_set.files.items() if name.startswith("UPHOSOKU"))
    columns = _columns(data)[0]
    assert (columns[16], columns[58], columns[59]) == (
        "20260401",
        "22",
        world.office.office_number,
    )


def test_a_value_that_cannot_be_written_is_named_per_client(world, tw, ticket) -> None:  # noqa: ANN001
    from django.core.exceptions import ValidationError

    from clients.models import Client

    Client.objects.filter(pk=tw.client.pk).update(insurer_number="")
    ticket.refresh_from_db()
    export = client_month_export(ticket, today=TODAY)
    with pytest.raises(ValidationError) as caught:
        build_file_sets([export], sender_office_number="1370100000", sent_at=SENT_AT)
    assert any(
        message.startswith(f"{tw.client.name}さん: UPPLAN 1件目") and "保険者番号" in message
        for message in caught.value.messages
    ), caught.value.messages


def test_upplan_rows_follow_the_planned_days(ticket) -> None:  # noqa: ANN001
    """Whatever the days planned, UPPLAN holds one row per row × date, in date order, and
    reads back with 25 columns and the same dates."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    base = ticket_snapshot(ticket)
    days = st.lists(st.integers(min_value=1, max_value=31), unique=True, max_size=31)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(days, min_size=3, max_size=3))
    def check(planned: list[list[int]]) -> None:
        snapshot = copy.deepcopy(base)
        for row, chosen in zip(snapshot["rows"], planned, strict=True):
            row["planned_days"] = sorted(chosen)
        rows = upplan_rows(snapshot, TODAY)
        assert len(rows) == sum(len(chosen) for chosen in planned)
        if not rows:
            return
        parsed = _parse(UPPLAN, write_rows(UPPLAN, rows, WriteOptions()))
        for row, chosen in zip(snapshot["rows"], planned, strict=True):
            dates = [
                r["service_date"].day for r in parsed if r["service_code"] == row["service_code"]
            ]
            assert dates == sorted(chosen)

    check()


def test_rental_items_of_one_code_are_told_apart(tw, ticket) -> None:  # noqa: ANN001
    for number, (tais, price) in enumerate(
        (("00200-000001", 3000), ("00200-000002", 4500), ("00200-000003", 3000)), start=1
    ):
        TicketRow.objects.create(
            ticket=ticket,
            order=30 + number,
            provider=tw.rental,
            service_code="171007",
            planned_days=[1],
            tais_code=tais,
            item_name=f"手すり{number}",
            rental_price_yen=price,
            detail_discriminator=number if price == 3000 else None,
        )
    snapshot = ticket_snapshot(ticket)
    plan = [r for r in upplan_rows(snapshot, TODAY) if r["service_code"] == "171007"]
    assert sorted((r["tais_code"], r["units"], r["detail_discriminator"]) for r in plan) == [
        ("00200-000001", 300, 1),
        ("00200-000002", 450, None),
        ("00200-000003", 300, 3),
    ]
    table7 = _parse(UPSIKYU, write_rows(UPSIKYU, upsikyu_rows(snapshot, TODAY), WriteOptions()))
    rails = [r for r in table7 if r["service_code"] == "171007"]
    assert sorted((r["tais_code"], r["units"], r["count"]) for r in rails) == [
        ("00200-000001", 300, 1),
        ("00200-000002", 450, 1),
        ("00200-000003", 300, 1),
    ]
    rental_rows = [r for r in table7 if r["provider_number"] == tw.rental.provider_number]
    assert rental_rows[-1]["service_code"] == "17AAAA"
    subtotal = next(s for s in snapshot["subtotals"] if s["service_type"] == "17")
    assert sum(r["service_units"] for r in rental_rows[:-1]) == subtotal["total_units"]
    assert rental_rows[-1]["total_cost"] == subtotal["total_cost"]


def test_untimed_visit_addition_takes_the_base_service_times(tw, ticket) -> None:  # noqa: ANN001
    TicketRow.objects.create(
        ticket=ticket, order=40, provider=tw.home_help, service_code="114000", planned_days=[3, 5]
    )
    snapshot = ticket_snapshot(ticket)
    rows = [r for r in upplan_rows(snapshot, TODAY) if r["service_code"] == "114000"]
    assert [(r["service_date"].day, r["start_time"], r["end_time"]) for r in rows] == [
        (3, "1000", "1100"),  # 身体介護2 on the 3rd, 10:00–11:00
        (5, "9999", "9999"),  # no visit that day: nothing to take
    ]
    record = supplement_record(snapshot, SupplementHistory())
    assert record.update_vendor_code == snapshot["office"]["number"]


def test_delete_goes_to_providers_of_earlier_versions_too(world, tw, ticket) -> None:  # noqa: ANN001
    _deliver(ticket, world.care_manager)
    ticket.rows.filter(service_code="152443").update(planned_days=[])
    snapshot = ticket_snapshot(ticket, created_on=dt.date(2026, 12, 10), version_number=2)
    TicketVersion.objects.create(
        ticket=ticket,
        number=2,
        created_on=dt.date(2026, 12, 10),
        received_by="本人",
        consent_method="signature",
        change_reason="通所介護を中止",
        snapshot=snapshot,
        content_hash=snapshot_hash(snapshot),
        created_by=world.care_manager,
    )
    export = client_month_export(ticket, today=TODAY)
    assert export.version_number == 2 and export.warnings == ()
    assert {r.service_type for r in export.recipients} == {"11", "17"}
    plans = build_file_sets([export], sender_office_number="1370100000", sent_at=SENT_AT)
    assert {NAME.fullmatch(n)[4] for n in plans.files} == {"11", "17"}
    # a delete of the month also reaches the 通所介護 that received 第1版
    files = build_delete_files([export], sender_office_number="1370100000", sent_at=SENT_AT)
    assert {NAME.fullmatch(n)[4] for n in files.files} == {"11", "15", "17"}


def test_a_provider_without_a_ten_digit_number_is_named(tw, ticket) -> None:  # noqa: ANN001
    """The database keeps 事業所番号 at 10 digits; a stored version from before a correction
    (or an office without its number) is refused with the name, never a broken file name."""
    import dataclasses

    from django.core.exceptions import ValidationError

    export = client_month_export(ticket, today=TODAY)
    snapshot = copy.deepcopy(export.snapshot)
    for row in snapshot["rows"]:
        if row["provider_number"] == tw.rental.provider_number:
            row["provider_number"] = "12345"
    export = dataclasses.replace(export, snapshot=snapshot)
    for build in (build_file_sets, build_delete_files):
        with pytest.raises(ValidationError) as caught:
            build([export], sender_office_number="1370100000", sent_at=SENT_AT)
        assert f"{tw.rental.name}: 事業所番号が10桁の数字ではないため送信先にできません。" in (
            caught.value.messages
        )
    with pytest.raises(ValidationError) as caught:
        build_delete_files([export], sender_office_number="", sent_at=SENT_AT)
    assert "事業所番号（10桁）が登録されていない" in caught.value.messages[0]


def test_a_draft_with_earlier_versions_is_sent_as_it_is_now_with_a_warning(
    world, tw, ticket
) -> None:  # noqa: ANN001
    _deliver(ticket, world.care_manager)
    ticket.rows.filter(service_code="152443").update(planned_days=[2])
    ticket.status = TicketStatus.DRAFT
    ticket.save(update_fields=["status"])
    export = client_month_export(ticket, today=TODAY)
    assert export.version_number is None and export.created_on == TODAY
    assert export.warnings == (
        f"{tw.client.name}さんの2026年12月の利用票は第1版の交付後の変更がまだ交付されていません。"
        "作成中の内容で出力します。",
    )
    days = [r["service_date"].day for r in upplan_rows(export.snapshot, export.created_on)]
    assert days.count(2) == 1 and 9 not in days  # the live rows: 通所介護 only on the 2nd
