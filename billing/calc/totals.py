"""The calculated month's output rows: 別表 detail lines, charges, subtotals and totals."""

from __future__ import annotations

from decimal import Decimal

from billing.calc.groups import KIND_ORDER, Group
from billing.calc.rounding import insurance_claim_yen, yen_floor
from billing.calc.schedule import ServiceCode
from billing.calc.types import (
    CalculationOptions,
    ChargeRow,
    DetailRow,
    MonthTotals,
    ProviderTypeSubtotal,
)


def group_detail_rows(group: Group) -> list[DetailRow]:
    provider = group.provider
    rows: list[tuple[tuple, DetailRow]] = []
    for (_code, units, beyond), (code, count) in group.fixed_rows.items():
        row = DetailRow(
            provider_number=provider.number,
            provider_name=provider.name,
            service_type=group.service_type.code,
            service_code=code.code,
            service_name=code.name,
            kind=code.kind.value,
            unit_value=units,
            count=count,
            service_units=units * count,
            counts_toward_limit=not beyond and group.counts_toward_limit(code),
            beyond_thirty_days=beyond,
        )
        rows.append(((beyond, KIND_ORDER[code.kind], code.code, units), row))
    for result in (*group.inside_percentages, *group.outside_percentages):
        code = result.code
        row = DetailRow(
            provider_number=provider.number,
            provider_name=provider.name,
            service_type=group.service_type.code,
            service_code=code.code,
            service_name=code.name,
            kind=code.kind.value,
            unit_value=result.total_units,
            count=1,
            service_units=result.total_units,
            counts_toward_limit=group.counts_toward_limit(code),
            percentage_rate=code.percentage_rate,
        )
        rows.append(((False, KIND_ORDER[code.kind], code.code, 0), row))
    rows.sort(key=lambda item: item[0])
    return [row for _key, row in rows]


def charge_row(
    kind: str,
    service_code: str | None,
    name: str,
    insured_units: int,
    self_pay_units: int,
    unit_price: Decimal,
    benefit_rate: int,
) -> ChargeRow:
    total_cost = yen_floor(insured_units, unit_price)
    claim = insurance_claim_yen(total_cost, benefit_rate)
    return ChargeRow(
        kind=kind,
        service_code=service_code,
        name=name,
        insured_units=insured_units,
        self_pay_units=self_pay_units,
        unit_price=unit_price,
        total_cost=total_cost,
        benefit_rate=benefit_rate,
        insurance_claim=claim,
        user_copay=total_cost - claim,
        user_full_pay=yen_floor(self_pay_units, unit_price),
    )


def outside_limit_items(group: Group) -> list[tuple[ServiceCode, int, int]]:
    """(code, insured units, self-pay units) of each out-of-limit code, by code."""
    fixed: dict[str, list] = {}
    for (_code, units, beyond), (code, count) in group.fixed_rows.items():
        if beyond or group.counts_toward_limit(code):
            continue
        entry = fixed.setdefault(code.code, [code, 0])
        entry[1] += units * count
    items = [(code, units, 0) for _key, (code, units) in sorted(fixed.items())]
    items.extend(
        (p.code, p.total_units - p.self_pay_units, p.self_pay_units)
        for p in group.outside_percentages
    )
    return items


def subtotal(group: Group, options: CalculationOptions) -> ProviderTypeSubtotal:
    """The provider × type 合計 with its charge rows (記載例 layout or folded)."""
    price, rate = group.unit_price, group.benefit_rate
    separate = group.limit_managed and options.out_of_limit_additions_charged_separately
    total_insured = group.within_limit_units
    total_self_pay = group.over_type_limit_units + group.over_limit_units
    charges: list[ChargeRow] = []
    outside_units = 0
    outside_self_pay = 0
    for code, insured, self_pay in outside_limit_items(group):
        outside_units += insured + self_pay
        outside_self_pay += self_pay
        if separate:
            charges.append(
                charge_row(
                    "out_of_limit_addition", code.code, code.name, insured, self_pay, price, rate
                )
            )
        else:
            total_insured += insured
            total_self_pay += self_pay
    charges.insert(0, charge_row("total", None, "合計", total_insured, total_self_pay, price, rate))
    if group.beyond_thirty_days_units:
        charges.append(
            charge_row(
                "beyond_thirty_days", None, "30日超", 0, group.beyond_thirty_days_units, price, rate
            )
        )
    total_cost = insurance_claim = user_copay = user_full_pay = 0
    for charge in charges:
        total_cost += charge.total_cost
        insurance_claim += charge.insurance_claim
        user_copay += charge.user_copay
        user_full_pay += charge.user_full_pay
    return ProviderTypeSubtotal(
        provider_number=group.provider.number,
        provider_name=group.provider.name,
        service_type=group.service_type.code,
        service_type_name=group.service_type.name,
        total_units=group.limit_target_units + outside_units + group.beyond_thirty_days_units,
        limit_target_units=group.limit_target_units,
        outside_limit_units=outside_units,
        beyond_thirty_days_units=group.beyond_thirty_days_units,
        over_type_limit_units=group.over_type_limit_units,
        within_type_limit_units=group.within_type_limit_units,
        over_limit_units=group.over_limit_units,
        within_limit_units=group.within_limit_units,
        outside_limit_self_pay_units=outside_self_pay,
        unit_price=price,
        benefit_rate=rate,
        total_cost=total_cost,
        insurance_claim=insurance_claim,
        user_copay=user_copay,
        user_full_pay=user_full_pay,
        charges=tuple(charges),
    )


def month_totals(subtotals: tuple[ProviderTypeSubtotal, ...]) -> MonthTotals:
    sums = [0] * 9
    for s in subtotals:
        sums[0] += s.total_units
        sums[1] += s.limit_target_units
        sums[2] += s.over_type_limit_units
        sums[3] += s.over_limit_units
        sums[4] += s.within_limit_units
        sums[5] += s.total_cost
        sums[6] += s.insurance_claim
        sums[7] += s.user_copay
        sums[8] += s.user_full_pay
    return MonthTotals(*sums, user_total=sums[7] + sums[8])
