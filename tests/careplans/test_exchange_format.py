"""Byte-level checks of the ケアプランデータ連携 CSV writers (REFERENCE §3.2–3.5)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

import pytest

from careplans.exchange import (
    UP1KYO,
    UP2KYO,
    UP3KYO,
    UPHOSOKU,
    CsvReadError,
    CsvWriteError,
    ExchangeFileName,
    WriteOptions,
    build_sending_unit,
    read_up1kyo,
    read_up2kyo,
    write_up1kyo,
    write_up2kyo,
    write_up3kyo,
    write_uphosoku,
)
from tests.careplans import test_exchange_samples as samples


def columns_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("cp932"), newline="")))


def test_layouts_have_the_spec_column_counts() -> None:
    assert [len(UP1KYO), len(UP2KYO), len(UP3KYO), len(UPHOSOKU)] == [28, 22, 13, 63]
    for layout in (UP1KYO, UP2KYO, UP3KYO, UPHOSOKU):
        assert layout.fields[0].label == "CSVバージョン"
        assert len(set(layout.names)) == len(layout.names)


@pytest.mark.parametrize(
    ("writer", "records", "count"),
    [
        (write_up1kyo, [samples.table1()], 28),
        (write_up2kyo, samples.table2_rows(), 22),
        (write_up3kyo, samples.table3_rows(), 13),
        (write_uphosoku, [samples.supplement()], 63),
    ],
)
def test_every_written_record_has_the_spec_field_count(writer, records, count) -> None:  # noqa: ANN001
    rows = columns_of(writer(records))
    assert [len(row) for row in rows] == [count] * len(records)


def test_up1kyo_exact_bytes_for_a_fully_populated_record() -> None:
    expected = (
        "202407,131011,0000012345,20260328,160-0023,"
        '"東京都新宿区西新宿1-1","さくら荘101","担当 花子","さくら居宅介護支援センター",'
        '160-0022,"東京都新宿区新宿2-2","2階",1370100001,20260401,20250401,21,2,'
        "20260315,20260401,20270331,23,"
        '"本人「自宅で暮らしたい」,\r\n家族""見守りたい""","特になし","安全に在宅生活を続ける",'
        '3,"家族が遠方",1370100001,1\r\n'
    )
    data = write_up1kyo([samples.table1()])
    assert data == expected.encode("cp932")
    # Really MS932: the Japanese text is Shift-JIS bytes, not UTF-8.
    assert "担当".encode("cp932") in data and "担当".encode() not in data


def test_up2kyo_field_order_and_empty_columns() -> None:
    data = write_up2kyo(samples.table2_rows())
    first, second = data.decode("cp932").split("\r\n")[:2]
    assert first == (
        '202407,131011,0000012345,20260328,20260401,1,"入浴が一人でできない",1,"清潔を保つ",'
        '"週2回入浴する","R8.4.1～R9.3.31","R8.4.1～R8.9.30",1,"入浴介助",Y,"通所介護",'
        '1370200002,"デイサービスひまわり","週2回","R8.4.1～R8.9.30",1370100001,1'
    )
    # Empty free text is written as "" and empty codes as nothing.
    assert second == (
        '202407,131011,0000012345,20260328,20260401,1,"",1,"","","","",2,"見守り",,"",,"","","",,'
    )


def test_up3kyo_field_order() -> None:
    data = write_up3kyo(samples.table3_rows())
    assert data.decode("cp932") == (
        '202407,131011,0000012345,20260328,20260401,"通所介護",2,0930,1630,"起床",0630,0700,'
        '"福祉用具貸与(車いす)"\r\n'
    )


def test_uphosoku_field_order() -> None:
    (row,) = columns_of(write_uphosoku([samples.supplement()]))
    assert row[:19] == [
        "202407", "131011", "0000012345", "20260401", "ﾀｶﾊｼ ﾊﾅｺ", "髙橋 花子", "2", "19400401",
        "160-0023", "東京都新宿区西新宿1-1", "さくら荘101", "03-1234-5678", "20260315",
        "20260401", "20270331", "2", "20260401", "23", "27048",
    ]  # fmt: skip
    slots = [row[19 + 4 * i : 23 + 4 * i] for i in range(9)]
    assert slots == [[f"1{s}", str(1000 + s), str(500 + s), str(s)] for s in range(1, 10)]
    assert row[55:] == ["45", "3", "10", "22", "1370200002", "1370100001", "1", "000000"]


def test_uphosoku_tied_to_table6_writes_zero_plan_date() -> None:
    record = dataclasses.replace(
        samples.supplement(), plan_date=None, target_month="202605", service_type_limits=()
    )
    (row,) = columns_of(write_uphosoku([record]))
    assert row[3] == "00000000" and row[62] == "202605"
    assert row[19:55] == [""] * 36


def test_quotes_commas_and_newlines_inside_free_text() -> None:
    record = dataclasses.replace(samples.table1(), overall_policy='a,b\n"c"\r\nd')
    data = write_up1kyo([record])
    assert b'"a,b\n""c""\r\nd"' in data
    assert read_up1kyo(data) == [record]


def test_options_version_line_ending_and_header() -> None:
    options = WriteOptions(csv_version="202404", line_ending="\n", header_row=True)
    text = write_up3kyo(samples.table3_rows(), options).decode("cp932")
    header, row, end = text.split("\n")
    assert header.startswith('"CSVバージョン","保険者番号","被保険者番号"')
    assert row.startswith("202404,") and end == ""
    with pytest.raises(ValueError):
        WriteOptions(csv_version="2024")


def test_file_names_follow_v41_and_share_the_sequence() -> None:
    files = build_sending_unit(samples.sending_unit())
    assert list(files) == [
        "UPHOSOKU_000000_1370100001_43_1370200002_15_20260402090507.CSV",
        "UP1KYO_1370100001_43_1370200002_15_20260402090507.CSV",
        "UP2KYO_1370100001_43_1370200002_15_20260402090507.CSV",
        "UP3KYO_1370100001_43_1370200002_15_20260402090507.CSV",
    ]
    parsed = ExchangeFileName.parse("UP1KYO_0300000100_43_0300000005_11_20191025200201.CSV")
    assert (parsed.prefix, parsed.month, parsed.sequence) == ("UP1KYO", None, "20191025200201")
    assert str(parsed) == "UP1KYO_0300000100_43_0300000005_11_20191025200201.CSV"
    with pytest.raises(ValueError):
        ExchangeFileName.parse("UP1KYO_000000_0300000100_43_0300000005_11_20191025200201.CSV")
    with pytest.raises(ValueError):
        ExchangeFileName.parse("UPHOSOKU_0300000100_43_0300000005_11_20191025200201.CSV")


def test_sending_unit_refuses_rows_of_another_plan() -> None:
    unit = samples.sending_unit()
    stray = dataclasses.replace(unit.table2[0], plan_date=dt.date(2025, 4, 1))
    with pytest.raises(CsvWriteError, match="キーが違います"):
        build_sending_unit(dataclasses.replace(unit, table2=(stray,)))


def test_writer_reports_missing_and_malformed_values() -> None:
    record = dataclasses.replace(samples.table1(), plan_author="", insured_number="12345")
    with pytest.raises(CsvWriteError) as caught:
        write_up1kyo([record])
    assert [(p.row, p.field_number, p.field_label) for p in caught.value.problems] == [
        (1, 3, "被保険者番号"),
        (1, 8, "居宅サービス計画作成者"),
    ]


def test_reader_tolerates_lf_header_row_and_a_trailing_blank_line() -> None:
    crlf = write_up2kyo(samples.table2_rows(), WriteOptions(header_row=True))
    lf = crlf.replace(b"\r\n", b"\n") + b"\n"
    # The embedded text has no newlines here, so LF-only is a faithful conversion.
    assert read_up2kyo(lf) == list(samples.table2_rows())
    assert read_up2kyo(crlf) == list(samples.table2_rows())


def test_reader_errors_carry_line_and_field() -> None:
    good = write_up1kyo([samples.table1()])
    bad = good + good.replace(b"20260401,20250401", b"20260431,20250401", 1)
    with pytest.raises(CsvReadError) as caught:
        read_up1kyo(bad)
    (problem,) = caught.value.problems
    # The first record spans two physical lines (an embedded CRLF), so record 2 starts on line 3.
    assert (problem.row, problem.line, problem.field_number) == (2, 3, 14)
    assert "存在しない日付" in problem.message
    with pytest.raises(CsvReadError, match="項目数が27"):
        read_up1kyo(good.replace(b",1\r\n", b"\r\n"))
    with pytest.raises(CsvReadError, match="MS932として読めない"):
        read_up1kyo(good + b"\x81")  # a lead byte with no trail byte
    with pytest.raises(CsvReadError, match="外字"):
        read_up1kyo(good.replace("担当".encode("cp932"), b"\xf0\x40"))
