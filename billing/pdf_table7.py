"""Sheets of the 別表 (第7表 区分支給限度管理・利用者負担計算) on the ruled-sheet layout of
`billing.pdf_layout`. Every figure is copied from the snapshot (the engine's result);
nothing here adds up yen.
"""

from __future__ import annotations

from typing import Any

from billing.pdf_layout import LABEL_FILL, SHEET_H, Sheet, num, paren

# Columns in the official order (REFERENCE §1.7): key, header, width (mm), text class.
COLUMNS: list[tuple[str, str, float, str]] = [
    ("provider_name", "事業所名", 30, "s6"),
    ("provider_number", "事業所番号", 16.5, "s6"),
    ("service", "サービス内容／種類", 40, "s6"),
    ("code", "サービス\nコード", 11, "s6 c"),
    ("unit", "単位数", 10.5, "s6 r"),
    ("discount_rate", "率％", 6.5, "s6 r"),
    ("discount_units", "単位数", 9, "s6 r"),
    ("count", "回数", 7.5, "s6 r"),
    ("service_units", "サービス単位\n／金額", 14, "s6 r"),
    ("over_type", "種類支給限度\n基準を超える\n単位数", 13, "s6 r"),
    ("within_type", "種類支給限度\n基準内単位数", 13, "s6 r"),
    ("over_limit", "区分支給限度\n基準を超える\n単位数", 13, "s6 r"),
    ("within_limit", "区分支給限度\n基準内単位数", 13, "s6 r"),
    ("unit_price", "単位数\n単価", 10, "s6 r"),
    ("total_cost", "費用総額\n（保険／事業\n対象分）", 15, "s6 r"),
    ("rate", "給付率\n（％）", 8, "s6 r"),
    ("claim", "保険／事業費\n請求額", 15, "s6 r"),
    ("fixed", "定額利用者\n負担単価金額", 11, "s6 r"),
    ("copay", "利用者負担\n（保険／事業\n対象分）", 14, "s6 r"),
    ("full", "利用者負担\n（全額負担分）", 13, "s6 r"),
]
TOP = 8.0
HEAD_H = 11.0
ROW_H = 4.3
SUB_H = 34.0  # the sub-tables under the last sheet's main table
ROWS_PER_SHEET = int((SHEET_H - TOP - HEAD_H - 6) // ROW_H)


def _charge_cells(charge: dict[str, Any]) -> dict[str, str]:
    return {
        "unit_price": charge["unit_price"],
        "total_cost": num(charge["total_cost"]),
        "rate": num(charge["benefit_rate"]),
        "claim": num(charge["insurance_claim"]),
        "copay": num(charge["user_copay"]),
        "full": num(charge["user_full_pay"]),
    }


def table7_rows(snapshot: dict[str, Any], provider_numbers: set[str] | None) -> list[dict]:
    """The rows of the main table: per 事業所 × 種類 its service rows, a 合計 row carrying
    the limit columns and yen, the 区分支給限度対象外 加算 charged on their own, the 30日超
    rows; then (whole client only) the month's 合計."""
    rows: list[dict[str, Any]] = []
    details = snapshot["detail_rows"]
    for subtotal in snapshot["subtotals"]:
        number, kind = subtotal["provider_number"], subtotal["service_type"]
        if provider_numbers is not None and number not in provider_numbers:
            continue
        first = True
        own = [d for d in details if d["provider_number"] == number and d["service_type"] == kind]
        charges = subtotal["charges"]
        for detail in own:
            if detail["beyond_thirty_days"]:
                continue
            inside = detail["counts_toward_limit"]
            rows.append(
                {
                    "row": "detail",
                    "provider_name": subtotal["provider_name"] if first else "",
                    "provider_number": number if first else "",
                    "service": detail["service_name"],
                    "code": detail["service_code"],
                    "unit": num(detail["unit_value"]) if inside else paren(detail["unit_value"]),
                    "discount_rate": "",
                    "discount_units": "",
                    "count": num(detail["count"]),
                    "service_units": (
                        num(detail["service_units"]) if inside else paren(detail["service_units"])
                    ),
                }
            )
            first = False
        total = next((c for c in charges if c["kind"] == "total"), None)
        rows.append(
            {
                "row": "total",
                "provider_name": subtotal["provider_name"] if first else "",
                "provider_number": number if first else "",
                "service": f"{subtotal['service_type_name']}合計",
                "service_units": num(subtotal["limit_target_units"]),
                "over_type": num(subtotal["over_type_limit_units"]),
                "within_type": num(subtotal["within_type_limit_units"]),
                "over_limit": num(subtotal["over_limit_units"]),
                "within_limit": num(subtotal["within_limit_units"]),
                **(_charge_cells(total) if total else {}),
            }
        )
        for charge in charges:
            if charge["kind"] == "out_of_limit_addition":
                rows.append(
                    {
                        "row": "addition",
                        "service": charge["name"],
                        "code": charge["service_code"] or "",
                        "over_limit": paren(charge["self_pay_units"])
                        if charge["self_pay_units"]
                        else "",
                        "within_limit": paren(charge["insured_units"]),
                        **_charge_cells(charge),
                    }
                )
        beyond_charges = [c for c in charges if c["kind"] == "beyond_thirty_days"]
        for detail in own:
            if not detail["beyond_thirty_days"]:
                continue
            charge = next(
                (c for c in beyond_charges if c["service_code"] == detail["service_code"]), None
            )
            if charge is not None:
                beyond_charges.remove(charge)
            rows.append(
                {
                    "row": "beyond",
                    "service": f"30日超 {detail['service_name']}",
                    "code": detail["service_code"],
                    "unit": num(detail["unit_value"]),
                    "count": num(detail["count"]),
                    "service_units": num(detail["service_units"]),
                    **(_charge_cells(charge) if charge else {}),
                }
            )
        for charge in beyond_charges:
            rows.append(
                {
                    "row": "beyond",
                    "service": f"30日超 {charge['name']}",
                    "code": charge["service_code"] or "",
                    "service_units": num(charge["self_pay_units"]),
                    **_charge_cells(charge),
                }
            )
    if provider_numbers is None:
        totals = snapshot["totals"]
        rows.append(
            {
                "row": "grand",
                "provider_name": "区分支給限度基準額",
                "provider_number": num(snapshot["certification"]["limit_units"]),
                "service": "合計",
                "service_units": num(totals["total_units"]),
                "over_type": num(totals["over_type_limit_units"]),
                "over_limit": num(totals["over_limit_units"]),
                "within_limit": num(totals["within_limit_units"]),
                "total_cost": num(totals["total_cost"]),
                "claim": num(totals["insurance_claim"]),
                "copay": num(totals["user_copay"]),
                "full": num(totals["user_full_pay"]),
            }
        )
    return rows


def _head(sheet: Sheet, top: float) -> None:
    ruler = sheet.ruler
    ruler.fill(0, top, sum(c[2] for c in COLUMNS), HEAD_H, LABEL_FILL)
    x = 0.0
    for key, label, width, _ in COLUMNS:
        if key == "discount_rate":
            ruler.h(top + 4, x, x + width + COLUMNS[6][2])
            sheet.text(x, top, width + COLUMNS[6][2], 4, "割引後", "s45 mid c")
            sheet.text(x, top + 4, width, HEAD_H - 4, label, "s45 mid2 c")
        elif key == "discount_units":
            sheet.text(x, top + 4, width, HEAD_H - 4, label, "s45 mid2 c")
        else:
            sheet.text(x, top, width, HEAD_H, label, "s45 mid2 c")
        if x:
            ruler.v(x, top + (4 if key == "discount_units" else 0), top + HEAD_H)
        x += width
    ruler.rect(0, top, x, HEAD_H, thick=True)


def _body(sheet: Sheet, top: float, rows: list[dict[str, Any]]) -> float:
    ruler = sheet.ruler
    width = sum(c[2] for c in COLUMNS)
    bottom = top + len(rows) * ROW_H
    x = 0.0
    for _, _, col_w, _ in COLUMNS:
        if x:
            ruler.v(x, top, bottom)
        x += col_w
    for index, row in enumerate(rows):
        y = top + index * ROW_H
        if index:
            ruler.h(y, 0, width, thick=row["row"] == "grand")
        if row["row"] in ("total", "grand"):
            ruler.fill(30 + 16.5, y, width - 46.5, ROW_H, "#f4f4f4")
        x = 0.0
        for key, _, col_w, cls in COLUMNS:
            value = row.get(key, "")
            if value:
                mid = "mid2" if "\n" in value else "mid"
                sheet.text(x + 0.5, y, col_w - 1.0, ROW_H, value, f"{cls} {mid}")
            x += col_w
    ruler.rect(0, top, width, bottom - top, thick=True)
    return bottom


def _sub_tables(
    sheet: Sheet, snapshot: dict[str, Any], top: float, provider_numbers: set[str] | None
) -> None:
    client_copy = provider_numbers is None
    # 種類別支給限度管理
    sheet.text(0, top, 120, 4, "種類別支給限度管理", "s75 mid")
    cols = [("サービス種類", 40), ("種類支給限度\n基準額（単位）", 26), ("合計単位数", 26),
            ("種類支給限度基準を\n超える単位数", 28)]  # fmt: skip
    y = top + 4.5
    usages = snapshot["service_type_limit_usages"]
    if provider_numbers is not None:  # a provider's 別表: the types it provides
        types = {
            s["service_type"]
            for s in snapshot["subtotals"]
            if s["provider_number"] in provider_numbers
        }
        usages = [usage for usage in usages if usage["service_type"] in types]
    usages = usages or [None]
    x = 0.0
    for label, w in cols:
        sheet.cell(x, y, w, 6.5, label, "s45 mid2 c", label=True)
        x += w
    for usage in usages:
        y += 6.5 if usage is usages[0] else ROW_H
        values = (
            [usage["service_type"], num(usage["limit_units"]), num(usage["total_units"]),
             num(usage["over_units"])]
            if usage
            else ["（設定なし）", "", "", ""]
        )  # fmt: skip
        x = 0.0
        for (_, w), value in zip(cols, values, strict=True):
            sheet.cell(x, y, w, ROW_H, value, "s6 mid r" if x else "s6 mid")
            x += w
    # 要介護認定期間中の短期入所利用日数
    short = snapshot.get("short_stay") or {}
    sheet.text(126, top, 80, 4, "要介護認定期間中の短期入所利用日数", "s75 mid")
    x = 126.0
    for label, value in (
        ("前月までの利用日数", short.get("days_before_month", 0)),
        ("当月の計画利用日数", short.get("planned_days", 0)),
        ("累積利用日数", short.get("cumulative_days", 0)),
    ):
        sheet.cell(x, top + 4.5, 26, 6.5, label, "s45 mid c", label=True)
        sheet.cell(x, top + 11, 26, ROW_H, f"{value} 日", "s6 mid r")
        x += 26
    if not client_copy:
        return
    # 利用者負担: the engine's totals, the 公費 of the register, the amount asked of the client.
    totals = snapshot["totals"]
    lines = [
        ("利用者負担（保険対象分）", totals["user_copay"]),
        ("利用者負担（全額負担分）", totals["user_full_pay"]),
        *[(f"公費 {e['label']}", e["paid_yen"]) for e in snapshot["public_expenses"]],
        ("利用者請求額", snapshot["user_charge_yen"]),
    ]
    y = top + 4.5
    for label, value in lines:
        sheet.cell(214, y, 45, ROW_H, label, "s6 mid", label=True)
        sheet.cell(259, y, 24, ROW_H, f"{num(value)} 円", "s6 mid r")
        y += ROW_H


def table7_sheets(
    snapshot: dict[str, Any], provider_numbers: set[str] | None = None
) -> list[Sheet]:
    rows = table7_rows(snapshot, provider_numbers)
    chunks = [rows[i : i + ROWS_PER_SHEET] for i in range(0, len(rows), ROWS_PER_SHEET)] or [[]]
    sheets = []
    for chunk in chunks:
        sheet = Sheet()
        _head(sheet, TOP)
        _body(sheet, TOP + HEAD_H, chunk)
        sheets.append(sheet)
    last_bottom = TOP + HEAD_H + len(chunks[-1]) * ROW_H + 3
    if last_bottom + SUB_H > SHEET_H - 5:
        sheets.append(Sheet())
        last_bottom = TOP
    _sub_tables(sheets[-1], snapshot, last_bottom, provider_numbers)
    return sheets
