"""The shared CSV machinery of ケアプランデータ連携 (REFERENCE §3.2): layouts as data, one
writer and one reader for every record type.

A record type is a `Layout`: an ordered tuple of `FieldSpec` (column position = index + 1).
Each module (`up1kyo`, `up2kyo`, …) declares its layout and a frozen dataclass; the
functions here turn a list of {field name: value} rows into MS932 bytes and back.

Python values per field kind:

* ``text``  — free text, written inside ``"…"`` with ``""`` escaping; newlines and commas kept → ``str``
* ``code``  — fixed codes and numbers that keep leading zeros (保険者番号, 郵便番号) → ``str``
* ``digits`` — unsigned integers (課題NO, 単位数) → ``int | None``
* ``date``  — YYYYMMDD → ``datetime.date | None``
* ``month`` — YYYYMM → ``str`` ("202604")
* ``time``  — HHMM, 0000–2400 → ``str`` ("0930")

Empty optional values are written as empty columns, except where a field declares a
`blank` text (利用者補足情報 writes "00000000" / "000000" when tied to another table).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from careplans.exchange.ms932 import is_gaiji, to_ms932_text

logger = logging.getLogger("careplans.exchange")

FieldKind = Literal["text", "code", "digits", "date", "month", "time"]

#: REFERENCE Unconfirmed #2 — the CSVバージョン value expected today. The v4.1 label is 202407.
DEFAULT_CSV_VERSION = "202407"
#: REFERENCE Unconfirmed #2 — line ending; CRLF is what Windows-based receivers expect.
DEFAULT_LINE_ENDING = "\r\n"

_MONTH = re.compile(r"\d{4}(0[1-9]|1[0-2])")
_TIME = re.compile(r"(([01]\d|2[0-3])[0-5]\d|2400)")
_DATE = re.compile(r"\d{8}")
_CSV_VERSION = re.compile(r"\d{6}")


@dataclass(frozen=True)
class FieldSpec:
    """One column: attribute name, Japanese label (as in the spec), kind, max length, required.

    `max_length` is the spec's 項目長 (None where the spec says ― i.e. free length).
    `pattern` further restricts code fields; `blank` is what an empty value is written as.
    """

    name: str
    label: str
    kind: FieldKind
    max_length: int | None = None
    required: bool = False
    pattern: str | None = None
    blank: str = ""


@dataclass(frozen=True)
class Layout:
    record_type: str  # the file prefix: UP1KYO, UP2KYO, UP3KYO, UPHOSOKU
    title: str
    fields: tuple[FieldSpec, ...]

    def __len__(self) -> int:
        return len(self.fields)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields)


def common_fields() -> tuple[FieldSpec, ...]:
    """Columns 1–3 of every file: CSVバージョン, 保険者番号, 被保険者番号."""
    return (
        FieldSpec("csv_version", "CSVバージョン", "code", 6, True, pattern=r"\d{6}"),
        FieldSpec("insurer_number", "保険者番号", "code", 6, True, pattern=r"\d{6}"),
        FieldSpec("insured_number", "被保険者番号", "code", 10, True, pattern=r"\d{10}|H\d{9}"),
    )


@dataclass(frozen=True)
class WriteOptions:
    """Choices the spec leaves open (REFERENCE Unconfirmed #2); defaults documented in docs/exchange.md."""

    csv_version: str = DEFAULT_CSV_VERSION
    line_ending: str = DEFAULT_LINE_ENDING
    header_row: bool = False  # a header row of Japanese labels; off: the spec shows none

    def __post_init__(self) -> None:
        if not _CSV_VERSION.fullmatch(self.csv_version):
            raise ValueError(f"csv_version must be YYYYMM, got {self.csv_version!r}")
        if self.line_ending not in ("\r\n", "\n"):
            raise ValueError("line_ending must be CRLF or LF")


@dataclass(frozen=True)
class Substitution:
    """A character that MS932 cannot carry, replaced visibly (see `ms932`)."""

    record_type: str
    row: int  # 1-based record number within the file (header not counted)
    field_number: int  # column position (No.) in the spec
    field_label: str
    original: str
    replacement: str
    kind: str  # "variant" or "replaced"

    def __str__(self) -> str:
        codepoints = " ".join(f"U+{ord(ch):04X}" for ch in self.original)
        return (
            f"{self.record_type} {self.row}行目 No.{self.field_number} {self.field_label}: "
            f"{self.original}({codepoints}) → {self.replacement}"
        )


@dataclass(frozen=True)
class FieldProblem:
    """Why a value could not be written or read: where (line/row/field) and what."""

    record_type: str
    row: int  # 1-based record number (0 = the file as a whole)
    field_number: int | None
    field_label: str
    message: str
    line: int | None = None  # physical line in the file where the record starts (reading)

    def __str__(self) -> str:
        where = f"{self.record_type} {self.row}件目"
        if self.line is not None:
            where += f"({self.line}行目)"
        if self.field_number is not None:
            where += f" No.{self.field_number} {self.field_label}"
        return f"{where}: {self.message}"


class ExchangeError(ValueError):
    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(str(problem) for problem in self.problems[:5])
        more = f" (+{len(self.problems) - 5})" if len(self.problems) > 5 else ""
        super().__init__(shown + more)


class CsvWriteError(ExchangeError):
    """A record cannot be written: missing required value, too long, wrong shape."""


class CsvReadError(ExchangeError):
    """A received file does not follow the layout."""


# --- writing -----------------------------------------------------------------------------------


def _format_value(spec: FieldSpec, value: Any) -> str:
    """The column text for `value` (before MS932 conversion and quoting); raises ValueError."""
    if value is None or value == "":
        return spec.blank
    if spec.kind == "text":
        if not isinstance(value, str):
            raise ValueError("文字列ではありません")
        return value
    if spec.kind == "digits":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("0以上の整数ではありません")
        text = str(value)
    elif spec.kind == "date":
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ValueError("日付ではありません")
        text = value.strftime("%Y%m%d")
    elif spec.kind == "month":
        text = str(value)
        if not _MONTH.fullmatch(text):
            raise ValueError("年月はYYYYMMで指定してください")
    elif spec.kind == "time":
        text = str(value)
        if not _TIME.fullmatch(text):
            raise ValueError("時刻はHHMM(0000〜2400)で指定してください")
    else:  # code
        if not isinstance(value, str):
            raise ValueError("文字列ではありません")
        text = value
        if any(ch in text for ch in ',"\r\n') or not text.isprintable():
            raise ValueError("コード項目に使えない文字があります")
        if spec.pattern and not re.fullmatch(spec.pattern, text):
            raise ValueError(f"形式が違います({spec.pattern})")
    if spec.max_length is not None and len(text) > spec.max_length:
        raise ValueError(f"{spec.max_length}桁を超えています")
    return text


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def write_rows(
    layout: Layout,
    rows: Iterable[Mapping[str, Any]],
    options: WriteOptions,
    report: list[Substitution] | None = None,
) -> bytes:
    """Encode `rows` ({field name: value}, csv_version taken from `options`) as one MS932 file.

    Characters MS932 cannot carry are replaced visibly and appended to `report`; with no
    report list they are logged as warnings (code points only, no client text), never dropped.
    """
    lines: list[str] = []
    problems: list[FieldProblem] = []
    substitutions: list[Substitution] = []
    if options.header_row:
        lines.append(",".join(_quote(spec.label) for spec in layout.fields))
    for row_number, row in enumerate(rows, start=1):
        values = {**row, "csv_version": options.csv_version}
        columns: list[str] = []
        for number, spec in enumerate(layout.fields, start=1):
            value = values.get(spec.name)
            if spec.required and (value is None or value == "") and not spec.blank:
                problems.append(
                    FieldProblem(layout.record_type, row_number, number, spec.label, "必須です")
                )
                columns.append("")
                continue
            try:
                text = _format_value(spec, value)
            except ValueError as error:
                problems.append(
                    FieldProblem(layout.record_type, row_number, number, spec.label, str(error))
                )
                columns.append("")
                continue
            text, changes = to_ms932_text(text)
            substitutions.extend(
                Substitution(
                    layout.record_type,
                    row_number,
                    number,
                    spec.label,
                    change.original,
                    change.replacement,
                    change.kind,
                )
                for change in changes
            )
            columns.append(_quote(text) if spec.kind == "text" else text)
        lines.append(",".join(columns))
    if problems:
        raise CsvWriteError(problems)
    if report is not None:
        report.extend(substitutions)
    else:
        for substitution in substitutions:
            logger.warning(
                "MS932 substitution in %s row %d No.%d: %s → %s",
                substitution.record_type,
                substitution.row,
                substitution.field_number,
                " ".join(f"U+{ord(ch):04X}" for ch in substitution.original),
                " ".join(f"U+{ord(ch):04X}" for ch in substitution.replacement),
            )
    body = "".join(line + options.line_ending for line in lines)
    return body.encode("cp932")


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedFile:
    """A whole received file: its CSVバージョン, rows as {name: value}, and every problem found."""

    record_type: str
    csv_version: str | None
    rows: tuple[dict[str, Any], ...]
    problems: tuple[FieldProblem, ...] = field(default=())
    had_header_row: bool = False


def _parse_value(spec: FieldSpec, text: str) -> Any:
    if "\x00" in text:  # PostgreSQL cannot store NUL in text: a row-numbered problem
        raise ValueError("NUL文字(制御文字 0x00)が含まれています")
    if any(is_gaiji(ch) for ch in text):
        raise ValueError("外字(MS932の利用者定義領域)は使えません")
    if spec.kind != "text":
        # other vendors write full-width digits (２０２６０４０１) or pad with spaces
        text = unicodedata.normalize("NFKC", text).strip()
    if text == "" or (spec.blank and text == spec.blank):
        if spec.kind in ("digits", "date"):
            return None
        return ""
    if spec.kind == "text":
        return text
    if spec.max_length is not None and len(text) > spec.max_length:
        raise ValueError(f"{spec.max_length}桁を超えています")
    if spec.kind == "digits":
        if not text.isascii() or not text.isdigit():
            raise ValueError("数字ではありません")
        return int(text)
    if spec.kind == "date":
        if not _DATE.fullmatch(text):
            raise ValueError("日付はYYYYMMDDです")
        try:
            return dt.datetime.strptime(text, "%Y%m%d").date()
        except ValueError as error:
            raise ValueError("存在しない日付です") from error
    if spec.kind == "month" and not _MONTH.fullmatch(text):
        raise ValueError("年月はYYYYMMです")
    if spec.kind == "time" and not _TIME.fullmatch(text):
        raise ValueError("時刻はHHMMです")
    if spec.kind == "code" and spec.pattern and not re.fullmatch(spec.pattern, text):
        raise ValueError(f"形式が違います({spec.pattern})")
    return text


def _looks_like_header(columns: list[str]) -> bool:
    """A row of labels: no CSVバージョン first, and no column that is a number. Every record
    carries numbers (保険者番号, dates), so a record whose first column is damaged is still a
    record (and its CSVバージョン a problem), never skipped as a header."""
    cleaned = [unicodedata.normalize("NFKC", column).strip() for column in columns]
    return (
        bool(cleaned)
        and not _CSV_VERSION.fullmatch(cleaned[0])
        and not any(column.isascii() and column.isdigit() for column in cleaned)
    )


def parse_rows(layout: Layout, data: bytes) -> ParsedFile:
    """Decode one file of `layout`. Tolerates a header row and CRLF or LF; collects problems."""
    problems: list[FieldProblem] = []

    def problem(row: int, number: int | None, message: str, line: int | None = None) -> None:
        label = layout.fields[number - 1].label if number else ""
        problems.append(FieldProblem(layout.record_type, row, number, label, message, line))

    try:
        text = data.decode("cp932")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problem(0, None, f"MS932として読めないバイトがあります(位置 {error.start})", line)
        return ParsedFile(layout.record_type, None, (), tuple(problems))
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[dict[str, Any]] = []
    versions: set[str] = set()
    version_lines: dict[str, int] = {}  # each CSVバージョン → the line it first appears on
    had_header = False
    row_number = 0
    line_start = 1
    try:
        for columns in reader:
            start = line_start
            line_start = reader.line_num + 1
            if not columns or columns == [""]:
                continue
            if row_number == 0 and not rows and not had_header and _looks_like_header(columns):
                had_header = True
                continue
            row_number += 1
            if len(columns) != len(layout.fields):
                problem(
                    row_number,
                    None,
                    f"項目数が{len(columns)}です({len(layout.fields)}項目のはずです)",
                    start,
                )
                continue
            values: dict[str, Any] = {}
            for number, (spec, raw) in enumerate(zip(layout.fields, columns, strict=True), 1):
                if spec.required and raw == "":
                    problem(row_number, number, "必須項目が空です", start)
                try:
                    values[spec.name] = _parse_value(spec, raw)
                except ValueError as error:
                    shown = raw[:20].replace("\x00", "␀")
                    problem(row_number, number, f"{error}: {shown!r}", start)
            if values.get("csv_version"):
                versions.add(values["csv_version"])
                version_lines.setdefault(values["csv_version"], start)
            rows.append(values)
    except csv.Error as error:
        problem(row_number + 1, None, f"CSVとして読めません: {error}", reader.line_num)
    if len(versions) > 1:
        second = sorted(version_lines.values())[1]  # the first line that disagrees
        problem(0, 1, f"1ファイルに複数のCSVバージョンがあります: {sorted(versions)}", second)
    version = next(iter(versions)) if len(versions) == 1 else None
    return ParsedFile(layout.record_type, version, tuple(rows), tuple(problems), had_header)


def read_rows(layout: Layout, data: bytes) -> list[dict[str, Any]]:
    """Like `parse_rows`, but raise `CsvReadError` listing every problem if there is any."""
    parsed = parse_rows(layout, data)
    if parsed.problems:
        raise CsvReadError(parsed.problems)
    return list(parsed.rows)
