"""Small facts about codes, read from the fee schedule (process-cached)."""

from __future__ import annotations

import datetime as dt

from billing.calc.schedule import Basis, CodeKind, ServiceCode
from billing.fee_schedule import cached_fee_schedule


def code_on(code: str, day: dt.date) -> ServiceCode | None:
    return cached_fee_schedule().service_code(code, day)


def is_short_stay_code(code: str) -> bool:
    service_type = cached_fee_schedule().service_type(code[:2])
    return bool(service_type and service_type.short_stay)


def is_month_basis(code: str, day: dt.date) -> bool:
    found = code_on(code, day)
    return found is not None and found.basis == Basis.MONTH


def is_rental(code: str) -> bool:
    return code[:2] in {"17", "67"}


def code_for_level(code: str, care_level: str | None, day: dt.date) -> str:
    """The level variant of `code` for `care_level` on `day` (通所介護Ⅰ51 → Ⅰ53 after a
    区分変更 to 要介護3); the code itself when it has no level variants or none fits."""
    if care_level is None:
        return code
    schedule = cached_fee_schedule()
    found = schedule.service_code(code, day)
    if found is None or not found.level_group:
        return code
    variant = schedule.level_variant(found.level_group, care_level, day)
    return variant.code if variant is not None else code


def code_name(code: str, day: dt.date) -> str:
    found = code_on(code, day)
    return found.name if found is not None else ""


def is_addition(code: str, day: dt.date) -> bool:
    found = code_on(code, day)
    return found is not None and found.kind in (
        CodeKind.ADDITION,
        CodeKind.PERCENTAGE,
        CodeKind.REDUCTION,
    )
