"""Page geometry of the ticket PDFs (第6表 利用票/提供票 and 第7表 別表), as plain data.

Why it looks like this (measured, docs/tickets.md): WeasyPrint's cost is almost all per
laid-out line of text — every table cell, positioned box or span is at least one. A 31-day
grid drawn as one bordered `<table>` has ~800 cells. Here every sheet is one fixed-size
A4-landscape box holding

* one inline SVG with every ruled line and shaded column (drawn once, no CSS borders), and
* a few text boxes: every piece of text on one baseline shares ONE line (billing.pdf_text
  sets it sideways with spaces and tabs), and lines at an even pitch share one box — a grid
  row of 時間帯, サービス内容, 事業所, 予定/実績, 31 day marks and 合計回数 is two lines.

All coordinates are millimetres from the sheet's top-left corner. The module is pure: it
reads the snapshot (`billing.tickets.snapshot`) and the calendar, never the database, and
never computes money — yen and units are copied from the snapshot, only formatted.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from billing.pdf_text import PT, Line, wrap
from billing.tickets.month import holidays_in_month
from caremgmt.wareki import wareki_date, wareki_month

SHEET_W = 283.0  # A4 landscape 297 × 210 minus the 7 mm page margin on each side
SHEET_H = 196.0
WEEKDAYS = "月火水木金土日"
FULL_DIGITS = "０１２３４５６７８９"

# 第6表 grid columns: 提供時間帯, サービス内容, 事業所名, 予定/実績, 31 days, 合計回数.
GRID_X = 0.0
COL_TIME = 17.0
COL_CONTENT = 44.0
COL_PROVIDER = 35.0
COL_KIND = 7.0
DAY_W = 5.3
COL_TOTAL = 15.7
DAYS_X = GRID_X + COL_TIME + COL_CONTENT + COL_PROVIDER + COL_KIND
TOTAL_X = DAYS_X + 31 * DAY_W
GRID_RIGHT = TOTAL_X + COL_TOTAL  # = SHEET_W
LINE_H = 4.4  # one 予定 or 実績 line
FIRST_SHEET_ROWS = 15  # service rows under the header
NEXT_SHEET_ROWS = 19
MIN_GRID_ROWS = 8  # empty ruled rows keep the form's look on a short month
CONTENT_TEXT_W = COL_CONTENT - 1.2
GRID_SIZE = 6.0  # pt: every text of the grid body, so a row's texts share two lines
SHADE = "#e6e6e6"
LABEL_FILL = "#f0f0f0"
THIN = 0.18
THICK = 0.45


@dataclass(frozen=True, slots=True)
class Box:
    """A line (or a segment of a line) of text (see billing.pdf_text), in mm."""

    x: float
    y: float
    h: float
    size: float
    text: str

    @property
    def style(self) -> str:
        return (
            f"left:{self.x:.2f}mm;top:{self.y:.2f}mm;width:{SHEET_W - self.x:.2f}mm;"
            f"font-size:{self.size}pt;line-height:{self.h:.2f}mm"
        )


class Ruler:
    """Collects the lines and fills of one sheet and writes them as one SVG."""

    def __init__(self) -> None:
        self.thin: list[str] = []
        self.thick: list[str] = []
        self.fills: dict[str, list[str]] = {}

    def h(self, y: float, x0: float, x1: float, thick: bool = False) -> None:
        (self.thick if thick else self.thin).append(f"M{x0:.2f} {y:.2f}H{x1:.2f}")

    def v(self, x: float, y0: float, y1: float, thick: bool = False) -> None:
        (self.thick if thick else self.thin).append(f"M{x:.2f} {y0:.2f}V{y1:.2f}")

    def rect(self, x: float, y: float, w: float, h: float, thick: bool = False) -> None:
        (self.thick if thick else self.thin).append(f"M{x:.2f} {y:.2f}h{w:.2f}v{h:.2f}h{-w:.2f}z")

    def fill(self, x: float, y: float, w: float, h: float, color: str = SHADE) -> None:
        self.fills.setdefault(color, []).append(f"M{x:.2f} {y:.2f}h{w:.2f}v{h:.2f}h{-w:.2f}z")

    def svg(self) -> str:
        parts = [
            f'<svg class="rules" width="{SHEET_W}mm" height="{SHEET_H}mm" '
            f'viewBox="0 0 {SHEET_W} {SHEET_H}" xmlns="http://www.w3.org/2000/svg">'
        ]
        for color, paths in self.fills.items():
            parts.append(f'<path fill="{color}" d="{"".join(paths)}"/>')
        for width, paths in ((THIN, self.thin), (THICK, self.thick)):
            if paths:
                parts.append(
                    f'<path fill="none" stroke="#000" stroke-width="{width}" d="{"".join(paths)}"/>'
                )
        parts.append("</svg>")
        return "".join(parts)


MAX_CHAIN = 6  # lines per text box: WeasyPrint lays out the rest of a box for every line
# Text sizes whose em is a whole number of CSS px (multiples of 0.75 pt): at other sizes the
# tabs of billing.pdf_text drift (measured ~0.3 mm per piece at 6.5 pt).
SIZES = {"s45": 4.5, "s6": 6.0, "s75": 7.5, "s9": 9.0, "s12": 12.0}


@dataclass
class Sheet:
    ruler: Ruler = field(default_factory=Ruler)
    lines: dict[tuple[float, float], Line] = field(default_factory=dict)
    svg: str = ""
    boxes: list[Box] = field(default_factory=list)

    def put(
        self, x: float, y: float, room: float, text: Any, size: float, align: str = "l"
    ) -> None:
        """One line of text centred vertically on y, in `room` mm from x (cut to fit)."""
        if text in (None, ""):
            return
        key = (round(y, 2), size)
        line = self.lines.get(key)
        if line is None:
            line = self.lines[key] = Line(key[0], size)
        line.put(x, str(text), room, align)

    def text(self, x: float, y: float, w: float, h: float, text: Any, cls: str = "") -> None:
        """Text (lines split at \\n) centred in the box x, y, w, h; `cls` names the size
        (s5 … s12), the alignment (c, r) and, with "half", a pitch of half the box: two
        lines at ¼ and ¾ of the height, so they share their lines with the neighbours'."""
        if text in (None, ""):
            return
        names = cls.split()
        size = next((SIZES[n] for n in names if n in SIZES), 7.5)
        align = "c" if "c" in names else "r" if "r" in names else "l"
        parts = str(text).split("\n")
        pitch = h / 2 if "half" in names else size * PT * 1.25
        first = y + h / 2 - (len(parts) - 1) * pitch / 2
        for index, part in enumerate(parts):
            self.put(x, first + index * pitch, w, part, size, align)

    def cell(
        self, x: float, y: float, w: float, h: float, text: Any, cls: str = "", label: bool = False
    ) -> None:
        """A ruled cell with its text (labels shaded)."""
        if label:
            self.ruler.fill(x, y, w, h, LABEL_FILL)
        self.ruler.rect(x, y, w, h)
        self.text(x + 0.6, y, w - 1.2, h, text, cls)

    def close(self) -> None:
        self.svg = self.ruler.svg()
        self.boxes = [_chain_box(chain) for chain in _chains(self.lines.values())]


def _chains(lines: Any) -> list[list[Line]]:
    """Lines of one size in runs at an even pitch: each run becomes ONE text box of several
    lines, since WeasyPrint costs far less per line inside a box than per box."""
    chains: list[list[Line]] = []
    for line in sorted(lines, key=lambda line: (line.size, line.y)):
        chain = chains[-1] if chains else None
        if chain is None or chain[-1].size != line.size or len(chain) >= MAX_CHAIN:
            chains.append([line])
            continue
        pitch = line.y - chain[-1].y
        # a line box far taller than its text could push the sheet onto another page
        even = pitch <= 2.2 * line.height and (
            len(chain) == 1 or abs(pitch - (chain[1].y - chain[0].y)) < 0.005
        )
        if even:
            chain.append(line)
        else:
            chains.append([line])
    return chains


def _chain_box(chain: list[Line]) -> Box:
    pitch = chain[1].y - chain[0].y if len(chain) > 1 else chain[0].height
    left = math.floor(min(line.left for line in chain) * 10) / 10
    text = "\n".join(line.text(left) for line in chain)
    return Box(left, chain[0].y - pitch / 2, pitch, chain[0].size, text)


# --- formatting (no arithmetic on money) -------------------------------------------------


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def wareki(value: str) -> str:
    return wareki_date(_date(value))


def num(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else ("" if value is None else str(value))


def paren(value: Any) -> str:
    return f"({num(value)})"


def month_of(snapshot: dict[str, Any]) -> dt.date:
    year, month = snapshot["month"].split("-")
    return dt.date(int(year), int(month), 1)


# --- common strip: title, client, month (on every sheet) ---------------------------------


def _title_strip(sheet: Sheet, snapshot: dict[str, Any], title: str, badge: str, page: str) -> None:
    client = snapshot["client"]
    month_label = wareki_month(month_of(snapshot))
    sheet.text(0, 0, 60, 6, f"{month_label}分", "s9 mid")
    sheet.text(60, 0, 130, 6, title, "s12 mid c")
    sheet.text(
        190, 0, 76, 6, f"被保険者番号 {client['insured_number']}　{client['name']} 様", "s9 mid r"
    )
    if badge:
        sheet.ruler.rect(268, 0.5, 15, 5, thick=True)
        sheet.text(268, 0.5, 15, 5, badge, "s9 mid c")
    sheet.text(233, SHEET_H - 4, 50, 4, page, "s75 mid r")


def _footer_totals(sheet: Sheet, text: str) -> None:
    sheet.text(0, SHEET_H - 4, 230, 4, text, "s75 mid")


# --- 第6表 header ------------------------------------------------------------------------


def _header(sheet: Sheet, snapshot: dict[str, Any], confirmation: bool) -> float:
    """The 被保険者証 and office fields; returns the y where the grid starts."""
    client, office = snapshot["client"], snapshot["office"]
    cert = snapshot["certification"]
    short_stay = snapshot.get("short_stay") or {}
    y, h = 7.0, 6.4
    state = "認定済・申請中".replace(cert["state_label"], f"【{cert['state_label']}】")
    level_before = (
        cert.get("first_care_level_label") if cert["changed_care_level"] else None
    ) or cert["care_level_label"]
    rows: list[list[tuple[str, str, float, float]]] = [
        [
            ("", state, 0, 30),
            ("保険者番号", client["insurer_number"], 16, 22),
            ("保険者名", client["insurer_name"], 14, 32),
            (
                "居宅介護支援事業者\n事業所名・担当者名",
                f"{office['name']}\n{office['care_manager_name']}",
                26,
                100,
            ),
            ("作成年月日", wareki(snapshot.get("created_on") or ""), 16, 27),
        ],
        [
            ("被保険者番号", client["insured_number"], 18, 24),
            ("フリガナ\n被保険者氏名", f"{client['name_kana']}\n{client['name']} 様", 20, 50),
            ("生年月日", wareki(client["birth_date"]), 14, 30),
            ("性別", client["sex_label"], 8, 8),
            ("届出年月日", "", 16, 27),
        ],
        [
            # before a mid-month change: the first level; the limit is the heavier one's
            ("要介護状態区分", level_before, 20, 16),
            (
                "変更後の区分\n変更日",
                f"{cert['changed_care_level_label']}\n{wareki(cert['changed_on'])}"
                if cert["changed_care_level"]
                else "",
                18,
                30,
            ),
            ("区分支給限度\n基準額", f"{num(cert['limit_units'])} 単位／月", 18, 28),
            (
                "限度額適用期間",
                f"{wareki(cert['period_from'])}〜\n{wareki(cert['period_to'])}"
                if cert["period_from"]
                else "",
                20,
                32,
            ),
            (
                "前月までの\n短期入所利用日数",
                f"{short_stay.get('days_before_month', 0)} 日",
                24,
                16,
            ),
        ],
    ]
    for index, fields in enumerate(rows):
        x = 0.0
        row_y = y + index * h
        for label, value, label_w, value_w in fields:
            if label:
                sheet.cell(x, row_y, label_w, h, label, "s75 half", label=True)
                x += label_w
            sheet.cell(x, row_y, value_w, h, value, "s75 half")
            x += value_w
    # 利用者確認欄: only on the office copy (控え), a signature / seal line.
    box_x, box_w = 230.0, SHEET_W - 230.0
    if confirmation:
        sheet.cell(box_x, y + h, box_w, 2 * h, "", "")
        sheet.ruler.fill(box_x, y + h, 12, 2 * h, LABEL_FILL)
        sheet.ruler.v(box_x + 12, y + h, y + 3 * h)
        sheet.text(box_x + 0.5, y + h, 11, h, "利用者\n確認欄", "s75 half c")
        room = box_w - 14
        sheet.put(box_x + 13, y + h + h / 4, room, "上記の内容に同意します。", 7.5)
        sheet.put(box_x + 13, y + h + 3 * h / 4, room, "　　　　年　　月　　日", 7.5)
        sheet.put(box_x + 13, y + 2 * h + h / 2, room, "氏名　　　　　　　　　　印", 7.5)
    return y + 3 * h + 2.5


# --- 第6表 grid --------------------------------------------------------------------------
# Every text of the grid body is GRID_SIZE, so all of a row's texts sit on its two lines
# (予定, 実績): the day marks are pieces centred in their day columns.


def _day_numbers(sheet: Sheet, top: float, month_days: int) -> None:
    y = top + LINE_H / 2
    for day in range(1, month_days + 1):
        sheet.put(DAYS_X + (day - 1) * DAY_W, y, DAY_W, day, GRID_SIZE, "c")


def _grid_head(sheet: Sheet, top: float, month: dt.date, month_days: int) -> float:
    ruler = sheet.ruler
    holidays = holidays_in_month(month.year, month.month)
    head_h = 2 * LINE_H
    for day in range(1, 32):
        x = DAYS_X + (day - 1) * DAY_W
        if day > month_days:
            ruler.fill(x, top, DAY_W, head_h, "#bbbbbb")
        elif dt.date(month.year, month.month, day).weekday() >= 5 or day in holidays:
            ruler.fill(x, top, DAY_W, head_h)
    _day_numbers(sheet, top, month_days)
    for day in range(1, month_days + 1):
        weekday = WEEKDAYS[dt.date(month.year, month.month, day).weekday()]
        sheet.put(DAYS_X + (day - 1) * DAY_W, top + LINE_H * 1.5, DAY_W, weekday, GRID_SIZE, "c")
    labels = [
        (GRID_X, COL_TIME, "提供時間帯"),
        (GRID_X + COL_TIME, COL_CONTENT, "サービス内容"),
        (GRID_X + COL_TIME + COL_CONTENT, COL_PROVIDER, "サービス事業者\n事業所名"),
        (TOTAL_X, COL_TOTAL, "合計回数"),
    ]
    for x, w, label in labels:
        ruler.fill(x, top, w, head_h, LABEL_FILL)
        sheet.text(x, top, w, head_h, label, "s6 half c")
    ruler.fill(DAYS_X - COL_KIND, top, COL_KIND, head_h, LABEL_FILL)
    sheet.text(DAYS_X - COL_KIND, top, COL_KIND, head_h, "日付\n曜日", "s6 half c")
    ruler.h(top + LINE_H, DAYS_X, TOTAL_X)
    return top + head_h


def _grid_rules(sheet: Sheet, top: float, bottom: float, month_days: int, rows: int) -> None:
    ruler = sheet.ruler
    ruler.rect(GRID_X, top, GRID_RIGHT - GRID_X, bottom - top, thick=True)
    inner = (GRID_X + COL_TIME, GRID_X + COL_TIME + COL_CONTENT, DAYS_X - COL_KIND, DAYS_X, TOTAL_X)
    for x in inner:
        ruler.v(x, top, bottom)
    for day in range(1, 31):
        ruler.v(DAYS_X + day * DAY_W, top, bottom)
    body_top = top + 2 * LINE_H
    ruler.h(body_top, GRID_X, GRID_RIGHT, thick=True)
    for index in range(rows):
        y = body_top + index * 2 * LINE_H
        ruler.h(y + LINE_H, DAYS_X - COL_KIND, GRID_RIGHT)
        if index:
            ruler.h(y, GRID_X, GRID_RIGHT)
    if month_days < 31:
        ruler.fill(
            DAYS_X + month_days * DAY_W,
            body_top,
            (31 - month_days) * DAY_W,
            bottom - body_top,
            "#bbbbbb",
        )


def _content_lines(row: dict[str, Any]) -> list[str]:
    """サービス内容 in two lines: the code's name (with a rental's 用具名称), then what is
    done, or the TAIS / 届出 code of a rental item."""
    name = row["service_name"] or row["service_code"]
    if row["item_name"] or row["tais_code"] or row["notified_code"]:
        code = f"TAIS {row['tais_code']}" if row["tais_code"] else f"届出 {row['notified_code']}"
        return [f"{name}　{row['item_name']}".strip(), code]
    content = row["content"] if row["content"] and row["content"] != name else ""
    return [name, content]


def _grid_row(sheet: Sheet, y: float, row: dict[str, Any], month_days: int, weekdays: str) -> None:
    """One service row: two lines (予定, 実績) that every column's text shares."""
    size = GRID_SIZE
    lines = (y + LINE_H / 2, y + LINE_H * 1.5)
    if row["starts_at"]:
        sheet.put(GRID_X, lines[0], COL_TIME, row["starts_at"], size, "c")
        sheet.put(GRID_X, lines[1], COL_TIME, f"〜{row['ends_at'] or ''}", size, "c")
    for line, text in zip(lines, _content_lines(row), strict=True):
        sheet.put(GRID_X + COL_TIME + 0.6, line, CONTENT_TEXT_W, text, size)
    provider = wrap(row["provider_name"], COL_PROVIDER - 1.2, size, 2)
    for line, text in zip(lines, provider, strict=True):
        sheet.put(GRID_X + COL_TIME + COL_CONTENT + 0.6, line, COL_PROVIDER - 1.2, text, size)
    for line, label, days, count in (
        (lines[0], "予定", row["planned_days"], num(row["planned_count"])),
        (
            lines[1],
            "実績",
            row["actual_days"],
            num(row["actual_count"]) if row["actual_days"] else "",
        ),
    ):
        sheet.put(DAYS_X - COL_KIND, line, COL_KIND, label, size, "c")
        mark = FULL_DIGITS[row["count_per_date"]] if 0 < row["count_per_date"] < 10 else "＊"
        for day in days:
            if day <= month_days:
                sheet.put(DAYS_X + (day - 1) * DAY_W, line, DAY_W, mark, size, "c")
        sheet.put(TOTAL_X, line, COL_TOTAL - 1.2, count, size, "r")


def ticket_sheets(
    snapshot: dict[str, Any], rows: list[dict[str, Any]], *, confirmation: bool
) -> list[Sheet]:
    """The 第6表 sheets: header and grid, as many sheets as the rows need."""
    month = month_of(snapshot)
    month_days = days_in(month)
    weekdays = "".join(
        WEEKDAYS[(month + dt.timedelta(days=n)).weekday()] for n in range(month_days)
    )
    chunks = [rows[:FIRST_SHEET_ROWS]]
    rest = rows[FIRST_SHEET_ROWS:]
    while rest:
        chunks.append(rest[:NEXT_SHEET_ROWS])
        rest = rest[NEXT_SHEET_ROWS:]
    sheets = []
    for index, chunk in enumerate(chunks):
        sheet = Sheet()
        top = _header(sheet, snapshot, confirmation) if index == 0 else 8.0
        body_top = _grid_head(sheet, top, month, month_days)
        count = max(len(chunk), MIN_GRID_ROWS)
        _grid_rules(sheet, top, body_top + count * 2 * LINE_H, month_days, count)
        for number, row in enumerate(chunk):
            _grid_row(sheet, body_top + number * 2 * LINE_H, row, month_days, weekdays)
        sheets.append(sheet)
    return sheets


def days_in(month: dt.date) -> int:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (following - month).days


def finish(
    sheets: list[Sheet], snapshot: dict[str, Any], *, titles: list[str], badge: str, footer: str
) -> list[Sheet]:
    """Title strip (month, title, 被保険者番号 and name, badge), totals line and "n / N" on
    every sheet; then the SVG of each sheet's rules."""
    for number, (sheet, title) in enumerate(zip(sheets, titles, strict=True), 1):
        _title_strip(sheet, snapshot, title, badge, f"{number} / {len(sheets)}")
        _footer_totals(sheet, footer)
        sheet.close()
    return sheets
