"""第3表 週単位以外のサービス as data (`MonthlyService`): 福祉用具貸与 items and 短期入所
stays, which the monthly 利用票 is generated from (billing.tickets.generate).

Saved like the weekly rows: plan writers only, on an editable plan (原案・会議済), under the
plan's version lock (a concurrent save of another field merges, a conflict is shown).
Refused at the field: a code the fee schedule does not know on the period's start, a code of
the wrong service type for the kind (福祉用具貸与 17/67, 短期入所 with day counting), a
provider that does not offer it, a rental without TAIS/届出コード, 用具名称 or 貸与価格, a
stay without its end, an end before the start, a period outside the 認定 (only warned while
an application is pending). Warned: a 軽度者 item without a recorded 例外給付.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from caremgmt.access import Actor, require_plan_writer
from caremgmt.choices import CareLevel
from careplans.models import CarePlan, MonthlyService, MonthlyServiceKind
from careplans.service_kinds import EQUIPMENT_RENTAL_SERVICE_TYPES
from careplans.services.common import PERIOD_ORDER_MESSAGE, SaveResult, _bump, _w
from careplans.services.rows import (
    _check_provider_offers,
    _check_within_certification,
    _edit_row,
    plan_care_level,
    plan_service_type_error,
    service_code_on,
)

# Item numbers (last two digits of 17xx/67xx codes) a 軽度者 may rent only with a 例外給付.
LIGHT_CARE_ITEMS = {"01", "02", "03", "04", "05", "06", "11", "12"}
LIGHT_CARE_LEVELS = {CareLevel.SUPPORT_1, CareLevel.SUPPORT_2, CareLevel.CARE_1}
EXCRETION_ITEM = "13"
EXCRETION_LEVELS = LIGHT_CARE_LEVELS | {CareLevel.CARE_2, CareLevel.CARE_3}

KIND_LABELS = {
    MonthlyServiceKind.RENTAL: "福祉用具貸与",
    MonthlyServiceKind.SHORT_STAY: "短期入所",
    MonthlyServiceKind.MONTHLY: "月単位のサービス",
}
MONTHLY_FIELDS = (
    "provider",
    "service_code",
    "content",
    "period_from",
    "period_to",
    "tais_code",
    "notified_code",
    "item_name",
    "rental_price_yen",
    "light_care_exception_on",
    "light_care_exception_note",
    "support_item",
)


def light_care_exception_needed(code: str, care_level: str | None) -> bool:
    """True when the item needs a recorded 例外給付 at `care_level`."""
    if code[:2] not in EQUIPMENT_RENTAL_SERVICE_TYPES or care_level is None:
        return False
    item = code[4:]
    if item in LIGHT_CARE_ITEMS:
        return care_level in LIGHT_CARE_LEVELS
    return item == EXCRETION_ITEM and care_level in EXCRETION_LEVELS


def _check_code(plan: CarePlan, kind: str, fields: Mapping[str, Any], errors: dict) -> Any:
    code = (fields.get("service_code") or "").strip().upper()
    if not code:
        errors["service_code"] = "サービスコード（6桁）を入力してください。"
        return None
    if len(code) != 6 or not code.isalnum():
        errors["service_code"] = "サービスコードは英数字6桁で入力してください。"
        return None
    day = fields.get("period_from") or plan.starts_on
    found = service_code_on(code, day)
    if found is None:
        errors["service_code"] = f"サービスコード「{code}」は{_w(day)}に有効ではありません。"
        return None
    service_type = found.service_type_id
    if kind == MonthlyServiceKind.RENTAL and service_type not in EQUIPMENT_RENTAL_SERVICE_TYPES:
        errors["service_code"] = (
            f"「{code}」（{found.name}）は福祉用具貸与のコードではありません（17xxxx／67xxxx）。"
        )
    elif kind == MonthlyServiceKind.SHORT_STAY and not found.service_type.short_stay:
        errors["service_code"] = f"「{code}」（{found.name}）は短期入所のコードではありません。"
    elif type_error := plan_service_type_error(plan, service_type):
        errors["service_code"] = type_error
    return found


@transaction.atomic
def monthly_service_save(
    *,
    actor: Actor,
    plan: CarePlan,
    expected_version: int,
    item: MonthlyService | None,
    kind: str,
    fields: Mapping[str, Any],
    original: Mapping[str, str] | None = None,
) -> SaveResult:
    """Add or change one 週単位以外 item (see the module docstring for what is refused)."""
    require_plan_writer(actor)
    if kind not in MonthlyServiceKind.values:
        raise ValidationError({"kind": "種別が正しくありません。"})
    locked, item, fields, merged = _edit_row(
        actor=actor,
        plan=plan,
        expected_version=expected_version,
        row=item,
        fields=fields,
        original=original,
    )
    errors: dict[str, str] = {}
    provider = fields.get("provider")
    if provider is None:
        errors["provider"] = "事業所を選んでください。"
    code = _check_code(locked, kind, fields, errors)
    start, end = fields.get("period_from"), fields.get("period_to")
    if start is None:
        errors["period_from"] = "期間の開始日を入力してください。"
    if kind == MonthlyServiceKind.SHORT_STAY and end is None:
        errors["period_to"] = "短期入所は終了日も入力してください。"
    if start and end and end < start:
        errors["period_to"] = PERIOD_ORDER_MESSAGE
    if kind == MonthlyServiceKind.RENTAL:
        if (
            not (fields.get("tais_code") or "").strip()
            and not (fields.get("notified_code") or "").strip()
        ):
            errors["tais_code"] = "TAISコードか福祉用具届出コードのどちらかを入力してください。"
        if not (fields.get("item_name") or "").strip():
            errors["item_name"] = "用具名称（機種名）を入力してください。"
        price = fields.get("rental_price_yen")
        if price is None or price < 1:
            errors["rental_price_yen"] = "貸与価格（円／月、1以上）を入力してください。"
        if (
            fields.get("light_care_exception_on")
            and not (fields.get("light_care_exception_note") or "").strip()
        ):
            errors["light_care_exception_note"] = (
                "例外給付の根拠（医師の意見・担当者会議・保険者の確認）を入力してください。"
            )
    if code is not None and provider is not None and "provider" not in errors:
        try:
            _check_provider_offers(provider, code.service_type_id, "provider")
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    warnings = _check_within_certification(locked, [("period_from", KIND_LABELS[kind], start, end)])
    if item is None:
        item = MonthlyService(plan=locked, kind=kind)
    for name in MONTHLY_FIELDS:
        value = fields.get(name)
        if name not in ("provider", "period_from", "period_to", "rental_price_yen",
                        "light_care_exception_on", "support_item"):  # fmt: skip
            value = (value or "").strip()
        setattr(item, name, value)
    item.service_code = code.code
    item.content = item.content or code.name
    if kind != MonthlyServiceKind.RENTAL:
        item.tais_code = item.notified_code = item.item_name = ""
        item.rental_price_yen = None
        item.light_care_exception_on = None
        item.light_care_exception_note = ""
    item.full_clean(exclude=["plan", "support_item"])
    item.save()
    _bump(locked)
    if (
        kind == MonthlyServiceKind.RENTAL
        and not item.light_care_exception_on
        and light_care_exception_needed(item.service_code, plan_care_level(locked))
    ):
        warnings.append(
            f"{plan.certification.get_care_level_display()}の方は「{code.name}」を原則として"
            "貸与できません。例外給付（医師の意見・担当者会議・保険者の確認）の確認日と根拠を"
            "記録してください。記録がないと利用票に警告が出ます。"
        )
    return SaveResult(item, warnings, merged=merged)


def copy_monthly_services(source: CarePlan, target: CarePlan, item_map: Mapping) -> None:
    """A revision carries the 週単位以外 items over (called by the plan's row copy)."""
    for monthly in source.monthly_services.all():
        monthly.pk = None
        monthly.plan = target
        monthly.support_item = (
            item_map.get(monthly.support_item_id) if monthly.support_item_id else None
        )
        monthly.save()


def monthly_delete_text(item: MonthlyService) -> str:
    period = f"{_w(item.period_from)}〜{_w(item.period_to) if item.period_to else ''}"
    return f"{KIND_LABELS.get(item.kind, '')} {item.content}（{item.service_code}）{period}"
