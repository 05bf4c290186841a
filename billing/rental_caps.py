"""福祉用具貸与の上限額 (RentalPriceCap) from a CSV: tais_code,item_name,cap_yen,average_yen,
valid_from,valid_to. 厚生労働省 publishes the caps per TAIS code (全国平均貸与価格 + 1標準偏差)
and reviews them periodically; convert the published list to these columns to load it.
`billing/data/rental_caps_sample.csv` is SAMPLE data (invented codes and amounts).

All or nothing: one bad line and nothing is saved; every problem is reported with its line.
A row with the same (tais_code, valid_from) is updated; a new one is added."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from billing.models import RentalPriceCap

COLUMNS = ("tais_code", "item_name", "cap_yen", "average_yen", "valid_from", "valid_to")
#: the largest value a PositiveIntegerField holds in PostgreSQL
YEN_MAX = 2_147_483_647


class RentalCapImportError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class RentalCapReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"追加 {self.added}件、更新 {self.updated}件、変更なし {self.unchanged}件"


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp932")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise RentalCapImportError(
            [
                f"{line}行目：文字コードを判別できません（{error.start + 1}バイト目。"
                "UTF-8 または Shift_JIS）。"
            ]
        ) from error


def _date(text: str, line: int, name: str, problems: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        problems.append(f"{line}行目：{name}「{text}」は YYYY-MM-DD の日付ではありません。")
        return None


def _yen(text: str, line: int, name: str, problems: list[str], *, required: bool) -> int | None:
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        if required:
            problems.append(f"{line}行目：{name}が空です。")
        return None
    if not (cleaned.isascii() and cleaned.isdigit()) or not 0 < int(cleaned) <= YEN_MAX:
        problems.append(f"{line}行目：{name}「{text}」は1以上の整数（円）ではありません。")
        return None
    return int(cleaned)


def parse_rental_caps(text: str) -> list[dict]:
    """The CSV's rows as model fields; lines starting with # are comments."""
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise RentalCapImportError(
            ["1行目：データがありません（空のファイルか、コメントだけです）。"]
        )
    # each physical line read on its own: line numbers stay right whatever the line holds
    # (a stray quote, a form feed that splitlines() breaks on but csv does not)
    rows = [next(csv.reader([line]), []) for _number, line in lines]
    header = [name.strip() for name in rows[0]]
    if tuple(header) != COLUMNS:
        raise RentalCapImportError(
            [f"{lines[0][0]}行目：見出しは「{','.join(COLUMNS)}」にしてください。"]
        )
    problems: list[str] = []
    out: list[dict] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for (number, _line), values in zip(lines[1:], rows[1:], strict=True):
        if len(values) != len(COLUMNS):
            problems.append(f"{number}行目：列の数が{len(values)}です（{len(COLUMNS)}列）。")
            continue
        if any("\x00" in value for value in values):
            problems.append(f"{number}行目：NUL文字（0x00）が含まれています。")
            continue
        record = dict(zip(COLUMNS, values, strict=True))
        tais = record["tais_code"].strip()
        if not tais or len(tais) > 12:
            problems.append(f"{number}行目：TAISコード「{tais}」は1〜12文字で入力してください。")
        cap = _yen(record["cap_yen"], number, "上限額", problems, required=True)
        average = _yen(record["average_yen"], number, "全国平均貸与価格", problems, required=False)
        valid_from = _date(record["valid_from"], number, "適用開始日", problems)
        valid_to = (
            _date(record["valid_to"], number, "適用終了日", problems)
            if record["valid_to"].strip()
            else None
        )
        if valid_from and valid_to and valid_to < valid_from:
            problems.append(f"{number}行目：適用終了日が適用開始日より前です。")
        if cap and average and average > cap:
            problems.append(f"{number}行目：全国平均貸与価格が上限額を超えています。")
        if tais and valid_from:
            if (tais, valid_from) in seen:
                problems.append(
                    f"{number}行目：TAISコード{tais}・適用開始日{valid_from}が"
                    f"{seen[(tais, valid_from)]}行目と重複しています。"
                )
            seen[(tais, valid_from)] = number
        out.append(
            {
                "tais_code": tais,
                "item_name": record["item_name"].strip()[:200],
                "cap_yen": cap,
                "average_yen": average,
                "valid_from": valid_from,
                "valid_to": valid_to,
            }
        )
    if problems:
        raise RentalCapImportError(problems)
    return out


@transaction.atomic
def import_rental_caps(path: Path, *, dry_run: bool = False) -> RentalCapReport:
    records = parse_rental_caps(_read_text(path))
    report = RentalCapReport()
    existing = {
        (cap.tais_code, cap.valid_from): cap
        for cap in RentalPriceCap.objects.filter(
            tais_code__in={record["tais_code"] for record in records}
        )
    }
    for record in records:
        cap = existing.get((record["tais_code"], record["valid_from"]))
        if cap is None:
            RentalPriceCap.objects.create(**record)
            report.added += 1
            continue
        changed = [name for name, value in record.items() if getattr(cap, name) != value]
        if not changed:
            report.unchanged += 1
            continue
        for name in changed:
            setattr(cap, name, record[name])
        cap.save(update_fields=changed)
        report.updated += 1
    if dry_run:
        transaction.set_rollback(True)
    return report
