"""The hospital 加算 as pure functions (no Django): 入院時情報連携加算 Ⅰ/Ⅱ and the
退院・退所加算 variant. REFERENCE §5.3; the day rules are in docs/hospital.md.

入院時情報連携加算 (R6):
- Ⅰ (250): the information reached the hospital on or before the day of admission
  (information given before the admission counts);
- Ⅱ (200): on the day after admission or the day after that (翌日又は翌々日);
- `after_hours` (admitted after office hours or on a closed day) moves each deadline by one
  day — the exact after-hours reading is unconfirmed (docs/hospital.md).

退院・退所加算 (R6), by the number of liaisons with the hospital's staff that collected
information for the plan, and whether one of them was a カンファレンス:

| liaisons | no conference | with a conference |
|---|---|---|
| 1  | Ⅰイ 450 | Ⅰロ 600 |
| 2  | Ⅱイ 600 | Ⅱロ 750 |
| 3+ | Ⅱイ 600 | Ⅲ 900 |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

HOSPITAL_1 = "hospital_1"
HOSPITAL_2 = "hospital_2"

# Liaison kinds (monitoring.models.hospital.ConferenceKind values) that count for
# 退院・退所加算: a conference, or an interview (面談) with the hospital's staff. Information
# by phone or in writing only does not count (面談 is required; unconfirmed in the doc).
COUNTED_LIAISON_KINDS = frozenset({"conference", "interview"})
CONFERENCE_KIND = "conference"

DISCHARGE_VARIANTS: dict[str, int] = {"1i": 450, "1ro": 600, "2i": 600, "2ro": 750, "3": 900}
DISCHARGE_VARIANT_LABELS: dict[str, str] = {
    "1i": "Ⅰイ",
    "1ro": "Ⅰロ",
    "2i": "Ⅱイ",
    "2ro": "Ⅱロ",
    "3": "Ⅲ",
}


def admission_info_deadlines(
    admitted_on: dt.date, *, after_hours: bool = False
) -> tuple[dt.date, dt.date]:
    """The last day for Ⅰ and the last day for Ⅱ."""
    shift = dt.timedelta(days=1 if after_hours else 0)
    return admitted_on + shift, admitted_on + dt.timedelta(days=2) + shift


def admission_info_addition(
    admitted_on: dt.date, provided_on: dt.date | None, *, after_hours: bool = False
) -> str | None:
    """The 加算 earned: "hospital_1", "hospital_2" or None (not provided, or too late)."""
    if provided_on is None:
        return None
    first_deadline, second_deadline = admission_info_deadlines(admitted_on, after_hours=after_hours)
    if provided_on <= first_deadline:
        return HOSPITAL_1
    if provided_on <= second_deadline:
        return HOSPITAL_2
    return None


def discharge_addition_variant(liaisons: Iterable[str]) -> str | None:
    """The 退院・退所加算 variant ("1i", "1ro", "2i", "2ro", "3") for a stay's liaisons, given
    as their kinds ("conference", "interview", "other"); None when none counts."""
    counted = [kind for kind in liaisons if kind in COUNTED_LIAISON_KINDS]
    if not counted:
        return None
    conference = CONFERENCE_KIND in counted
    if len(counted) == 1:
        return "1ro" if conference else "1i"
    if len(counted) == 2 or not conference:
        return "2ro" if conference else "2i"
    return "3"


def discharge_variant_label(variant: str | None) -> str:
    if variant is None:
        return ""
    return f"退院・退所加算（{DISCHARGE_VARIANT_LABELS[variant]}）{DISCHARGE_VARIANTS[variant]}単位"
