"""居宅介護支援 加算/減算 as data (REFERENCE §5.3, §12.6).

Fixed 加算 are fee schedule codes (units are read from the schedule, never written here).
The percentage 加算/減算 have no row in the fee schedule we hold: they get the placeholder
codes below, marked unconfirmed [U], and are added to the engine's schedule as percentage
codes of type 43 (`percentage_codes`) so the engine does the rounding (四捨五入 per code on
the month's units of the client, 加算 included — the base the 告示 means is [U]).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from billing.calc.schedule import Basis, CodeKind, ServiceCode

SERVICE_TYPE = "43"


@dataclass(frozen=True)
class FixedAddition:
    key: str
    label: str
    code: str


@dataclass(frozen=True)
class PercentageItem:
    key: str
    label: str
    code: str  # placeholder, [U]
    rate: Decimal
    confirmed_code: bool = False


# ClaimEvidence.kind → the fee schedule code it adds (one per client-month).
EVIDENCE_ADDITIONS: dict[str, FixedAddition] = {
    "initial": FixedAddition("initial", "初回加算", "434001"),
    "hospital_1": FixedAddition("hospital_1", "入院時情報連携加算（Ⅰ）", "436125"),
    "hospital_2": FixedAddition("hospital_2", "入院時情報連携加算（Ⅱ）", "436129"),
    # 退院・退所加算: the code follows ClaimEvidence.variant (DISCHARGE_ADDITIONS); a row
    # without a variant (saved before the field existed) is claimed as Ⅰイ.
    "discharge": FixedAddition("discharge", "退院・退所加算（Ⅰイ）", "436132"),
    "outpatient": FixedAddition("outpatient", "通院時情報連携加算", "436135"),
    "terminal": FixedAddition("terminal", "ターミナルケアマネジメント加算", "436100"),
    "emergency": FixedAddition("emergency", "緊急時等居宅カンファレンス加算", "436133"),
}

# ClaimEvidence.variant → the 退院・退所加算 code (REFERENCE §12.6; units from the schedule:
# 450 / 600 / 600 / 750 / 900).
DISCHARGE_ADDITIONS: dict[str, FixedAddition] = {
    "1i": FixedAddition("discharge", "退院・退所加算（Ⅰイ）", "436132"),
    "1ro": FixedAddition("discharge", "退院・退所加算（Ⅰロ）", "436143"),
    "2i": FixedAddition("discharge", "退院・退所加算（Ⅱイ）", "436144"),
    "2ro": FixedAddition("discharge", "退院・退所加算（Ⅱロ）", "436145"),
    "3": FixedAddition("discharge", "退院・退所加算（Ⅲ）", "436146"),
}
DISCHARGE_VARIANT_MISSING = (
    "退院・退所加算の区分が選ばれていません（Ⅰイ 450単位で算定しています）。"
    "記録を確かめ、取り消して区分を選んで登録し直してください。"
)


def evidence_addition(kind: str, variant: str = "") -> FixedAddition | None:
    """The fixed 加算 an evidence row of `kind` claims (退院・退所加算: by its variant)."""
    if kind == "discharge" and variant:
        return DISCHARGE_ADDITIONS[variant]
    return EVIDENCE_ADDITIONS.get(kind)


# OfficeClaimSettings.specific_office_addition → code.
SPECIFIC_OFFICE_ADDITIONS: dict[str, FixedAddition] = {
    "1": FixedAddition("specific_1", "特定事業所加算（Ⅰ）", "434002"),
    "2": FixedAddition("specific_2", "特定事業所加算（Ⅱ）", "434003"),
    "3": FixedAddition("specific_3", "特定事業所加算（Ⅲ）", "434004"),
    "A": FixedAddition("specific_a", "特定事業所加算（A）", "434006"),
}

# Percentages: office settings (fields of OfficeClaimSettings) and per-client evidence.
PERCENTAGES: dict[str, PercentageItem] = {
    "special_area": PercentageItem(
        "special_area", "特別地域居宅介護支援加算", "43P015", Decimal(15)
    ),
    "hilly_small_office": PercentageItem(
        "hilly_small_office", "中山間地域等小規模事業所加算", "43P010", Decimal(10)
    ),
    "hilly_resident": PercentageItem(
        "hilly_resident", "中山間地域等居住者サービス提供加算", "43P005", Decimal(5)
    ),
    "same_building": PercentageItem("same_building", "同一建物減算", "43M005", Decimal(-5)),
    "standard_violation": PercentageItem(
        "standard_violation", "運営基準減算", "43M050", Decimal(-50)
    ),
    "abuse_prevention_missing": PercentageItem(
        "abuse_prevention_missing", "高齢者虐待防止措置未実施減算", "43M001", Decimal(-1)
    ),
    "bcp_missing": PercentageItem("bcp_missing", "業務継続計画未策定減算", "43M002", Decimal(-1)),
}
OFFICE_PERCENTAGE_FIELDS = (
    "special_area",
    "hilly_small_office",
    "hilly_resident",
    "abuse_prevention_missing",
    "bcp_missing",
)
CLIENT_PERCENTAGE_KINDS = ("same_building", "standard_violation")

STANDARD_VIOLATION_SECOND_MONTH = (
    "運営基準減算が2か月続いているため、この月の居宅介護支援費は算定できません。"
)

# 要介護状態区分 order for the 初回加算 "two or more levels up" rule.
LEVEL_ORDER = ("12", "13", "21", "22", "23", "24", "25")


def percentage_service_codes(valid_from: dt.date = dt.date(2024, 4, 1)) -> tuple[ServiceCode, ...]:
    """The percentage items as engine codes (type 43, outside the limit, confidence U)."""
    return tuple(
        ServiceCode(
            code=item.code,
            service_type=SERVICE_TYPE,
            name=item.label,
            units=0,
            basis=Basis.MONTH,
            kind=CodeKind.PERCENTAGE,
            percentage_rate=item.rate,
            counts_toward_limit=False,
            level_group=None,
            care_levels=frozenset(),
            valid_from=valid_from,
            confidence="U",
        )
        for item in PERCENTAGES.values()
    )


def levels_up(previous: str | None, current: str | None) -> int:
    """How many 要介護状態区分 steps `current` is above `previous` (0 when unknown)."""
    if previous not in LEVEL_ORDER or current not in LEVEL_ORDER:
        return 0
    return LEVEL_ORDER.index(current) - LEVEL_ORDER.index(previous)
