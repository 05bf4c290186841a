"""The office's own 請求書 + 様式第七 明細書 file (billing/office_claim/meisai_file.py): a worked
example field by field, the control record's count, MS932/CRLF, totals = the claim page's,
請求不可 and 要支援 left out, the 送信済み re-download byte-identical, scoping, the access log,
and a query count independent of the client count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.benefit.file8222 import frame_records
from billing.models.office_claim import ClaimEvidence
from billing.office_claim import close, meisai_layout
from billing.office_claim.claim import office_month_claim
from billing.office_claim.meisai_file import live_source, month_source, write_meisai
from caremgmt.access import actor_for
from caremgmt.models import AccessLog, Membership
from clients.models import PlanRequestFiling
from tests.billing.office_claim_world import MONTH, make_case

pytestmark = pytest.mark.django_db

DOWNLOAD = reverse("billing:office_claim_meisai")
PAGE = reverse("billing:office_claim")


def _records(content: bytes) -> list[list[str]]:
    text = content.decode("cp932")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    return [[field.strip('"') for field in line.split(",")] for line in text.split("\r\n")[:-1]]


def _cm_number(world) -> str:  # noqa: ANN001
    return Membership.objects.get(office=world.office, staff=world.care_manager).care_manager_number


def _two_clients(world):  # noqa: ANN001, ANN202
    """要介護3 with 初回加算 (confirmed) and 要介護1; a 請求不可 (draft sheet) and a 要支援."""
    heavy = make_case(world.office, world.care_manager, level="23")
    ClaimEvidence.objects.create(
        client=heavy,
        month=MONTH,
        kind="initial",
        proof_on=dt.date(2026, 12, 3),
        created_by=world.clerk,
    )
    PlanRequestFiling.objects.create(client=heavy, filed_on=dt.date(2026, 4, 2))
    light = make_case(world.office, world.care_manager, level="21")
    draft = make_case(world.office, world.care_manager, sheet_status="draft")
    support = make_case(world.office, world.care_manager, level="12")
    return heavy, light, draft, support


def test_worked_example_field_by_field(world) -> None:  # noqa: ANN001
    heavy, light, draft, support = _two_clients(world)
    office_number = world.office.office_number
    written = write_meisai(month_source(world.office, MONTH))
    rows = _records(written.content)
    cm = _cm_number(world)
    # control: 1, record no 1, volume 1, data records, data type 711 [U], …, 処理対象年月 = next month
    assert rows[0] == [
        "1", "1", "1", str(len(rows) - 2), "711", "0", "000000", office_number, "00", "1",
        "202701", "0",
    ]  # fmt: skip
    assert rows[-1] == ["3", str(len(rows))]
    assert [int(row[1]) for row in rows] == list(range(1, len(rows) + 1))
    assert written.record_count == len(rows) == 1 + 1 + (1 + 2 + 1) + (1 + 1 + 1) + 1
    # 請求書: 2 clients, 1,711 + 1,086 units; 1級地 43 → 11.40円:
    #   floor(1,711 × 11.40) = 19,505 and floor(1,086 × 11.40) = 12,380 → 31,885 (10割給付)
    assert rows[1] == [
        "2", "2", "7111", "1", "202612", office_number, "1", "2", "2797",
        "31885", "31885", "0", "0",
    ]  # fmt: skip
    ordered = sorted([heavy, light], key=lambda c: c.insured_number)
    assert ordered == [heavy, light]  # created first: the lower 被保険者番号
    common = ["8124", None, "202612", office_number, "00131011"]
    # heavy: 基本, 明細 01 (432211 1,411), 明細 02 (434001 初回加算 300), 集計
    assert rows[2][2:] == [
        "8124", "01", "202612", office_number, "00131011", heavy.insured_number,
        "19400401", "2", "23", "20260401", "20270331", cm, "20260402",
    ]  # fmt: skip
    assert rows[3][2:] == [
        *common[:1], "02", *common[2:], heavy.insured_number, "01", "432211", "1411", "1",
        "1411", "",
    ]  # fmt: skip
    assert rows[4][2:] == [
        *common[:1], "02", *common[2:], heavy.insured_number, "02", "434001", "300", "1",
        "300", "",
    ]  # fmt: skip
    assert rows[5][2:] == [
        *common[:1], "10", *common[2:], heavy.insured_number, "1711", "1140", "19505", "19505",
        "0",
    ]  # fmt: skip
    # light: no 届出 on file → empty 届出年月日
    assert rows[6][2:] == [
        "8124", "01", "202612", office_number, "00131011", light.insured_number,
        "19400401", "2", "21", "20260401", "20270331", cm, "",
    ]  # fmt: skip
    assert rows[7][2:9] == ["8124", "02", "202612", office_number, "00131011"] + [
        light.insured_number,
        "01",
    ]
    assert rows[7][9:] == ["432111", "1086", "1", "1086", ""]
    assert rows[8][2:] == [
        "8124", "10", "202612", office_number, "00131011", light.insured_number, "1086", "1140",
        "12380", "12380", "0",
    ]  # fmt: skip
    # every data record's length is its layout's
    assert [len(row) - 2 for row in rows[1:-1]] == [
        len(meisai_layout.INVOICE),
        *[len(meisai_layout.BASIC), len(meisai_layout.DETAIL), len(meisai_layout.DETAIL)],
        len(meisai_layout.TOTAL),
        len(meisai_layout.BASIC),
        len(meisai_layout.DETAIL),
        len(meisai_layout.TOTAL),
    ]
    # left out: 請求不可 and 要支援, never written
    insured = {row[7] for row in rows[2:-1]}
    assert draft.insured_number not in insured and support.insured_number not in insured
    assert written.filename == f"meisai_{office_number}_202612.csv"


def test_totals_are_the_claim_pages(world) -> None:  # noqa: ANN001
    _two_clients(world)
    claim = office_month_claim(world.office, MONTH)
    written = write_meisai(month_source(world.office, MONTH))
    invoice = _records(written.content)[1]
    assert int(invoice[10]) == claim.billable_yen == written.insurance_claim_yen == 31885
    assert int(invoice[8]) == sum(line.total_units for line in claim.lines if line.billable)
    for line in claim.lines:
        if line.billable:
            total = next(
                row
                for row in _records(written.content)
                if row[3] == "10" and row[7] == line.client.insured_number
            )
            assert int(total[10]) == line.insurance_claim_yen
            assert int(total[8]) == line.total_units


def test_settings_correct_the_exchange_ids(world, settings) -> None:  # noqa: ANN001
    make_case(world.office, world.care_manager)
    settings.OFFICE_CLAIM_FILE_IDS = {"data_type": "812", "meisai_exchange_id": "8125"}
    rows = _records(write_meisai(month_source(world.office, MONTH)).content)
    assert rows[0][4] == "812" and rows[1][2] == "7111" and rows[2][2] == "8125"


def test_download_and_access_log(world, login) -> None:  # noqa: ANN001
    heavy, light, draft, _support = _two_clients(world)
    for staff in (world.clerk, world.manager, world.auditor):
        response = login(staff).get(DOWNLOAD, {"month": "2026-12"})
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            f'attachment; filename="meisai_{world.office.office_number}_202612.csv"'
        )
        assert response.content == write_meisai(month_source(world.office, MONTH)).content
    logged = AccessLog.objects.filter(subject_type="office_claim_meisai", staff=world.clerk)
    assert sorted(logged.values_list("client_id", flat=True)) == sorted([heavy.pk, light.pk])
    assert set(logged.values_list("action", flat=True)) == {"export"}
    page = login(world.clerk).get(PAGE, {"month": "2026-12"}).content.decode()
    assert "明細書ファイル（国保連）をダウンロード" in page
    assert draft.name in page.split('id="meisai-left-out"')[1].split("</ul>")[0]


def test_care_managers_and_other_offices_get_404(world, login) -> None:  # noqa: ANN001
    make_case(world.office, world.care_manager)
    make_case(world.other_office, world.outsider)
    for staff in (world.care_manager, world.chief):
        assert login(staff).get(DOWNLOAD, {"month": "2026-12"}).status_code == 404
    # the other office's manager gets its own office's file, never ours
    response = login(world.outsider).get(DOWNLOAD, {"month": "2026-12"})
    assert world.office.office_number.encode() not in response.content
    assert not AccessLog.objects.filter(
        subject_type="office_claim_meisai", staff=world.care_manager
    ).exists()


def test_problems_are_listed_on_the_page(world, login) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    type(client).objects.filter(pk=client.pk).update(care_manager=world.clerk)  # no number
    response = login(world.clerk).get(DOWNLOAD, {"month": "2026-12"})
    assert response.status_code == 422
    assert (
        f"{client.name}: 担当介護支援専門員番号（8桁）がありません。" in response.content.decode()
    )
    assert not AccessLog.objects.filter(subject_type="office_claim_meisai").exists()


def test_no_billable_client_is_refused(world, login) -> None:  # noqa: ANN001
    make_case(world.office, world.care_manager, sheet_status="draft")
    response = login(world.clerk).get(DOWNLOAD, {"month": "2026-12"})
    assert response.status_code == 422
    assert "請求できる利用者がいないため" in response.content.decode()
    # The page does not offer the download then; it says why.
    page = login(world.clerk).get(reverse("billing:office_claim"), {"month": "2026-12"})
    assert 'id="meisai-download"' not in page.content.decode()
    assert 'id="meisai-none"' in page.content.decode()


def test_sent_month_redownload_is_byte_identical(world, login) -> None:  # noqa: ANN001
    heavy, light, _draft, _support = _two_clients(world)
    http = login(world.clerk)
    before = http.get(DOWNLOAD, {"month": "2026-12"}).content
    close.close_month(actor=actor_for(world.clerk, world.office), month=MONTH)
    # the register and the office change after sending: the sent file does not
    heavy.insured_number = "1999999999"
    heavy.save()
    Membership.objects.filter(office=world.office, staff=world.care_manager).update(
        care_manager_number="87654321"
    )
    world.office.regional_grade = "7"
    world.office.save()
    PlanRequestFiling.objects.create(client=light, filed_on=dt.date(2026, 5, 1))
    after = http.get(DOWNLOAD, {"month": "2026-12"}).content
    assert after == before
    assert write_meisai(live_source(world.office, MONTH)).content != before  # what now gives


def test_close_made_before_the_facts_were_kept_reads_the_register(world) -> None:  # noqa: ANN001
    _two_clients(world)
    expected = write_meisai(month_source(world.office, MONTH)).content
    row = close.close_month(actor=actor_for(world.clerk, world.office), month=MONTH)
    row.lines = [{k: v for k, v in line.items() if k != "meisai"} for line in row.lines]
    row.save(update_fields=["lines"])
    assert write_meisai(month_source(world.office, MONTH)).content == expected


def _count_queries(office, n: int, world) -> int:  # noqa: ANN001
    for _ in range(n):
        make_case(office, world.care_manager)
    write_meisai(month_source(office, MONTH))  # warm the fee-schedule cache
    with CaptureQueriesContext(connection) as queries:
        written = write_meisai(month_source(office, MONTH))
    assert written.client_count == n
    return len(queries)


def test_query_count_does_not_grow_with_clients(world) -> None:  # noqa: ANN001
    from tests.factories import OfficeFactory, staff_in

    small = _count_queries(world.office, 3, world)
    other = OfficeFactory()
    world.care_manager = staff_in(other)
    large = _count_queries(other, 12, world)
    assert small == large == 14


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet="0123456789ABCｱ漢", max_size=6), min_size=1, max_size=5),
        max_size=6,
    )
)
def test_framing_numbers_records_consecutively(data) -> None:  # noqa: ANN001
    content, count = frame_records(
        data, data_type="711", office_number="1370100001", month=dt.date(2026, 12, 1)
    )
    lines = content.decode("cp932").split("\r\n")
    assert lines[-1] == "" and len(lines) - 1 == count == len(data) + 2
    assert [int(line.split(",")[1]) for line in lines[:-1]] == list(range(1, count + 1))
    assert lines[0].split(",")[3] == str(len(data))


def test_command_writes_the_same_bytes(world, tmp_path) -> None:  # noqa: ANN001
    from io import StringIO

    from django.core.management import CommandError, call_command

    _two_clients(world)
    out = tmp_path / "meisai.csv"
    printed = StringIO()
    call_command(
        "meisai_file",
        "--office",
        world.office.office_number,
        "--month",
        "2026-12",
        "--out",
        str(out),
        stdout=printed,
    )
    assert out.read_bytes() == write_meisai(month_source(world.office, MONTH)).content
    assert "利用者 2人 請求額 31885円" in printed.getvalue()
    with pytest.raises(CommandError, match="請求できる利用者がいない"):
        call_command(
            "meisai_file",
            "--office",
            world.other_office.office_number,
            "--month",
            "2026-12",
            "--out",
            str(out),
        )
