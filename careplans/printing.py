"""PDFs of 第1〜4表 for one plan version, through the shared print job service.

    careplan_print(actor=..., plan=..., table="1" | "2" | "3" | "4" | "all") -> PrintJob

The HTML is rendered from `careplans.documents.plan_documents` (one version's own rows, so a
superseded version prints its own content) and handed to `print_job_request`, which returns
the finished job when the same HTML was rendered before (content hash; no re-render).
No print date goes into the HTML: it would change the hash every day.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from caremgmt.access import Actor
from caremgmt.models import PrintJob
from caremgmt.printing.services import print_job_request
from careplans.documents import plan_documents
from careplans.models import CarePlan

TABLES: dict[str, str] = {
    "1": "第1表 居宅サービス計画書（1）",
    "2": "第2表 居宅サービス計画書（2）",
    "3": "第3表 週間サービス計画表",
    "4": "第4表 サービス担当者会議の要点",
    "all": "居宅サービス計画書 第1表〜第4表",
}

# 初回・紹介・継続: which words the CSV code circles (REFERENCE §1.1).
_KIND_WORDS = {
    "初回": {"11", "51", "52", "54"},
    "紹介": {"12", "51", "53", "54"},
    "継続": {"21", "52", "53", "54"},
}
CARE_LEVELS = ["要介護1", "要介護2", "要介護3", "要介護4", "要介護5"]
LIVING_SUPPORT_REASONS = [("1", "一人暮らし"), ("2", "家族等が障害、疾病等"), ("3", "その他")]
# 第3表 time axis: 2-hour rows, grouped in the bands of the standard form.
TIME_BANDS = [
    ("深夜", [0, 2, 4]),
    ("早朝", [6]),
    ("午前", [8, 10]),
    ("午後", [12, 14, 16]),
    ("夜間", [18, 20]),
    ("深夜", [22]),
]


def _hour(value: str) -> int:
    return int(value.split(":", 1)[0]) if value else 0


def _table1_marks(t1: dict[str, Any]) -> dict[str, Any]:
    level = t1["care_level"]
    return {
        "plan_kinds": [
            (word, t1["plan_kind_code"] in codes) for word, codes in _KIND_WORDS.items()
        ],
        "certification_states": [
            ("認定済", t1["certification_state_code"] == "2"),
            ("申請中", t1["certification_state_code"] == "1"),
        ],
        "care_levels": [(label, label == level) for label in CARE_LEVELS],
        "care_level_other": level if level and level not in CARE_LEVELS else "",
        "living_support_reasons": [
            (code, label, t1["living_support_reason_code"] == code)
            for code, label in LIVING_SUPPORT_REASONS
        ],
    }


def _table2_rows(t2: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten ニーズ → 目標 → 援助内容 into grid rows with rowspans for the merged cells. A
    長期目標 with several 短期目標 spans the rows of all of them (`long_start`)."""
    rows: list[dict[str, Any]] = []
    for need in t2["needs"]:
        need_rows: list[dict[str, Any]] = []
        long_row: dict[str, Any] | None = None
        for goal in need["goals"] or [None]:
            items = (goal["support_items"] if goal else []) or [None]
            joins = (
                goal is not None
                and long_row is not None
                and goal["long_term_head"] is not None
                and goal["long_term_head"] == long_row["goal"]["pk"]
            )
            for index, item in enumerate(items):
                row = {
                    "goal": goal if index == 0 else None,
                    "goal_rowspan": len(items),
                    "goal_start": index == 0,
                    "long_start": index == 0 and not joins,
                    "long_rowspan": len(items),
                    "item": item,
                }
                need_rows.append(row)
                if index == 0 and not joins:
                    long_row = row if goal is not None else None
            if joins and long_row is not None:
                long_row["long_rowspan"] += len(items)
        need_rows[0]["need"] = need
        need_rows[0]["need_rowspan"] = len(need_rows)
        rows.extend(need_rows)
    return rows


def _minutes(value: str) -> int:
    hour, minute = value.split(":", 1)
    return int(hour) * 60 + int(minute)


def _week_blocks(t3: dict[str, Any]) -> list[tuple[int, int, int, dict[str, Any], bool]]:
    """(column, from minute, to minute, service, first) spans of the weekly grid.

    A band past midnight (22:00〜翌06:00) fills its evening rows in the weekday's column and
    continues in the early-morning rows of the next day's column (日 → 月: the week repeats),
    as it happens on the calendar."""
    blocks = []
    for service in t3["weekly_services"]:
        start, end = _minutes(service["starts_at"]), _minutes(service["ends_at"])
        for weekday in service["weekdays"]:
            column = weekday - 1
            if end > start:
                blocks.append((column, start, end, service, True))
            else:
                blocks.append((column, start, 24 * 60, service, True))
                if end:
                    blocks.append(((column + 1) % 7, 0, end, service, False))
    return blocks


def _table3_grid(t3: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the weekly grid (2 hours each). A service fills every row its time band
    overlaps: the row where it starts shows the band and content, the following rows a
    continuation cell (`cont`), so 9:00〜12:00 covers the 8:00 and 10:00 rows."""
    blocks = _week_blocks(t3)
    rows = []
    for band, hours in TIME_BANDS:
        for index, hour in enumerate(hours):
            slot_start, slot_end = hour * 60, hour * 60 + 120
            days: list[list[dict[str, Any]]] = [[] for _ in t3["weekdays"]]
            for column, start, end, service, first in blocks:
                if start < slot_end and end > slot_start:
                    starts_here = first and slot_start <= start < slot_end
                    days[column].append({**service, "cont": not starts_here})
            for cell in days:
                cell.sort(key=lambda s: (not s["cont"], s["starts_at"]))
            rows.append(
                {
                    "band": band if index == 0 else None,
                    "band_rowspan": len(hours),
                    "time": f"{hour}:00",
                    "days": days,
                    "activities": [
                        a
                        for a in t3["daily_activities"]
                        if _hour(a["starts_at"]) in range(hour, hour + 2)
                    ],
                }
            )
    return rows


def _meetings(t4: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """第4表 pages: attendees three (所属・氏名) pairs per row, padded. A plan without a
    meeting (and without a recorded reason for not holding one) prints one form marked
    未開催 (`not_held`), so the 全表 still prints 第1〜3表 and the sheet says why it is empty."""
    meetings = []
    for meeting in t4 or [{"attendees": [], "absentees": [], "not_held": True}]:
        people: list[dict[str, Any] | None] = list(meeting["attendees"]) or [None]
        people += [None] * (-len(people) % 3)
        rows = [people[i : i + 3] for i in range(0, len(people), 3)]
        meetings.append({**meeting, "attendee_rows": rows, "attendee_rowspan": len(rows) + 1})
    return meetings


def careplan_print_html(*, plan: CarePlan, table: str) -> str:
    """The print HTML of one sheet ("1".."4") or of all four ("all")."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    docs = plan_documents(plan=plan)
    t1 = docs["table1"]
    context = {
        **docs,
        "plan": {"sequence": plan.sequence, "status": t1["status"]},
        "marks": _table1_marks(t1),
        "table2_rows": _table2_rows(docs["table2"]),
        "table3_grid": _table3_grid(docs["table3"]),
        "meetings": _meetings(docs["table4"]),
        "document_title": TABLES[table],
        "client_name": t1["client_name"],
        "office_name": t1["office_name"],
        "printed_on": None,
    }
    return render_to_string(f"pdf/careplans/table{table}.html", context)


def careplan_print(*, actor: Actor, plan: CarePlan, table: str) -> PrintJob:
    """Request the PDF of one sheet (or "all") of this plan version; any version may print."""
    html = careplan_print_html(plan=plan, table=table)
    label = "第1〜4表" if table == "all" else f"第{table}表"
    return print_job_request(
        actor=actor,
        kind="careplan_all" if table == "all" else f"careplan_table{table}",
        subject_id=plan.pk,
        client_id=plan.client_id,
        html=html,
        filename=f"{label}_{plan.client.name}_第{plan.sequence}版.pdf",
    )
