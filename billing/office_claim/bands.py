"""取扱件数 and the (ⅰ)/(ⅱ)/(ⅲ) band of each case (REFERENCE §5.3). Pure functions.

取扱件数 = 要介護 cases + 要支援 cases × 1/3, divided by the care managers' 常勤換算 (FTE)
of the month. A care manager with no `StaffMonthFte` row counts 1.00 (a warning is shown).

Only the cases *beyond* the threshold get the reduced rate [C]. Which cases those are is not
settled (REFERENCE open question 14) [U]: we order every case of the office-month by its
first contract date, then client id (stable; a client without a contract date goes last),
add each case's weight (1, or 1/3 for 要支援) to a running count, and compare the count
*including* the case with threshold × FTE:

* count < (ⅰ) limit × FTE → (ⅰ)    ((Ⅰ) 45, (Ⅱ) 50)
* count < 60 × FTE         → (ⅱ)
* otherwise                → (ⅲ)

So with 1.00 FTE, 44 cases are all (ⅰ); with 45, the 45th is (ⅱ); the 60th is (ⅲ).
Counts are `Fraction`s so 1/3 adds up exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

SUPPORT_LEVELS = frozenset({"12", "13"})
CARE_LEVELS = frozenset({"21", "22", "23", "24", "25"})
HEAVY_LEVELS = frozenset({"23", "24", "25"})

# fee_category → (ⅰ) limit, (ⅱ) limit (cases per FTE, exclusive)
THRESHOLDS: dict[str, tuple[int, int]] = {"1": (45, 60), "2": (50, 60)}

BAND_LABELS = {"i": "（ⅰ）", "ii": "（ⅱ）", "iii": "（ⅲ）"}

# (fee_category, band) → level_group of the fee schedule (codes 432111…435611)
LEVEL_GROUPS: dict[tuple[str, str], str] = {
    ("1", "i"): "43-I-i",
    ("1", "ii"): "43-I-ii",
    ("1", "iii"): "43-I-iii",
    ("2", "i"): "43-II-i",
    ("2", "ii"): "43-II-ii",
    ("2", "iii"): "43-II-iii",
}

DEFAULT_FTE = Decimal("1.00")
MISSING_FTE_MESSAGE = "{name}さんの常勤換算が未登録のため1.00として数えています。"


@dataclass(frozen=True)
class Case:
    """One client counted in the office-month (see `claim.case_clients` for who counts)."""

    client_id: int
    care_manager_id: int | None
    care_level: str
    contracted_on: dt.date | None

    @property
    def weight(self) -> Fraction:
        return Fraction(1, 3) if self.care_level in SUPPORT_LEVELS else Fraction(1)

    @property
    def billable_here(self) -> bool:
        """要介護 cases are billed as 居宅介護支援 (43); 要支援 ones only count."""
        return self.care_level in CARE_LEVELS


@dataclass(frozen=True)
class CareManagerLoad:
    staff_id: int
    name: str
    fte: Decimal
    fte_recorded: bool
    cases: Fraction

    @property
    def cases_display(self) -> str:
        return format_count(self.cases)


@dataclass(frozen=True)
class BandResult:
    fee_category: str
    total_cases: Fraction
    total_fte: Decimal
    first_limit: int
    second_limit: int
    bands: Mapping[int, str]  # client_id → "i" / "ii" / "iii"
    order: tuple[int, ...]  # client ids in assignment order
    loads: tuple[CareManagerLoad, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def cases_per_fte(self) -> Fraction:
        if not self.total_fte:
            return Fraction(0)
        return self.total_cases / Fraction(self.total_fte)

    @property
    def cases_display(self) -> str:
        return format_count(self.total_cases)

    @property
    def per_fte_display(self) -> str:
        return format_count(self.cases_per_fte)

    @property
    def first_capacity(self) -> Fraction:
        return self.first_limit * Fraction(self.total_fte)

    @property
    def second_capacity(self) -> Fraction:
        return self.second_limit * Fraction(self.total_fte)

    def clients_in(self, band: str) -> list[int]:
        return [client_id for client_id in self.order if self.bands.get(client_id) == band]


def format_count(value: Fraction) -> str:
    """A case count for the screen: whole numbers as is, others to 2 decimals (truncated)."""
    if value.denominator == 1:
        return str(value.numerator)
    hundredths = (value * 100).numerator // (value * 100).denominator
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def assignment_order(cases: Iterable[Case]) -> list[Case]:
    """[U] contract date, then client id; cases without a contract date last."""
    return sorted(
        cases,
        key=lambda case: (
            case.contracted_on is None,
            case.contracted_on or dt.date.min,
            case.client_id,
        ),
    )


def compute_bands(
    *,
    fee_category: str,
    cases: Sequence[Case],
    care_managers: Sequence[tuple[int, str]],
    fte_by_staff: Mapping[int, Decimal],
) -> BandResult:
    """Bands of every case of the office-month.

    `care_managers`: (staff id, name) of the office's care managers that month;
    `fte_by_staff`: recorded 常勤換算 (missing → 1.00 with a warning).
    """
    first_limit, second_limit = THRESHOLDS.get(fee_category, THRESHOLDS["1"])
    warnings: list[str] = []
    loads: list[CareManagerLoad] = []
    total_fte = Decimal(0)
    cases_by_cm: dict[int | None, Fraction] = {}
    for case in cases:
        cases_by_cm[case.care_manager_id] = cases_by_cm.get(case.care_manager_id, 0) + case.weight
    for staff_id, name in care_managers:
        recorded = staff_id in fte_by_staff
        fte = fte_by_staff[staff_id] if recorded else DEFAULT_FTE
        if not recorded:
            warnings.append(MISSING_FTE_MESSAGE.format(name=name))
        total_fte += fte
        loads.append(
            CareManagerLoad(staff_id, name, fte, recorded, Fraction(cases_by_cm.get(staff_id, 0)))
        )
    if not care_managers:
        warnings.append("この月の介護支援専門員が登録されていません。")
    first_capacity = first_limit * Fraction(total_fte)
    second_capacity = second_limit * Fraction(total_fte)
    bands: dict[int, str] = {}
    order: list[int] = []
    running = Fraction(0)
    for case in assignment_order(cases):
        running += case.weight
        order.append(case.client_id)
        if running < first_capacity:
            bands[case.client_id] = "i"
        elif running < second_capacity:
            bands[case.client_id] = "ii"
        else:
            bands[case.client_id] = "iii"
    return BandResult(
        fee_category=fee_category,
        total_cases=sum((case.weight for case in cases), Fraction(0)),
        total_fte=total_fte,
        first_limit=first_limit,
        second_limit=second_limit,
        bands=bands,
        order=tuple(order),
        loads=tuple(loads),
        warnings=tuple(warnings),
    )


def level_group_for(fee_category: str, band: str) -> str:
    return LEVEL_GROUPS[(fee_category if fee_category in THRESHOLDS else "1", band)]
