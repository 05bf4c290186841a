"""入院時情報提供書: its sections and the text they start with, filled from the records.

`prefill_admission_sheet(stay)` → {section key: text}. Every section is plain text the care
manager edits before printing (AdmissionInfoSheet.content); nothing here is stored until
they save. Sources: the client register (basics, 世帯状況, 主治医, contacts), the
certification and 負担割合 in force on the admission day, the plan in force (第1表 意向,
第2表 services with their providers, 第3表 weekly services), the latest assessment's items
(健康状態, ADL, IADL, 認知, 排泄, 食事, 居住環境) and the care manager and office.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from careplans.assessment_items import NOTE_KEY, item_set
from careplans.models import Assessment, CarePlan, SupportItem, WeeklyService
from careplans.models.plan import PlanStatus
from careplans.models.rows import weekdays_label
from clients.models import HospitalStay
from clients.selectors import client_contacts, client_facts_on

# (key, heading) in the order the sheet prints them.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("basics", "利用者の基本情報"),
    ("certification", "介護保険の認定・負担割合"),
    ("doctor", "かかりつけ医（主治医）"),
    ("family", "家族構成・キーパーソン・連絡先"),
    ("living", "入院前の暮らし（世帯・住環境）"),
    ("services", "入院前の介護サービス等の利用状況"),
    ("health", "心身の状況（健康状態・ADL・認知機能等）"),
    ("wishes", "本人・家族の意向"),
    ("requests", "退院に向けた要望・連携のお願い"),
    ("care_manager", "担当介護支援専門員・事業所の連絡先"),
)
SECTION_KEYS = tuple(key for key, _ in SECTIONS)
# Assessment items summarised under "health" (2023-10 numbering) and "living".
HEALTH_ITEMS = (10, 11, 12, 13, 14, 16, 19)
LIVING_ITEMS = (22,)
WISH_ITEMS = (7,)


def _wareki(day: dt.date | None) -> str:
    from caremgmt.wareki import wareki_date

    return wareki_date(day) if day else ""


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def plan_in_force(client_id: int, day: dt.date) -> CarePlan | None:
    """The confirmed plan that had started by `day` (the latest), else the latest confirmed."""
    confirmed = CarePlan.objects.filter(
        client_id=client_id, status__in=(PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED)
    )
    return (
        confirmed.filter(starts_on__lte=day).order_by("-starts_on", "-sequence").first()
        or confirmed.order_by("-sequence").first()
    )


def _item_text(spec: Any, answer: dict[str, Any] | None) -> str:
    if not answer:
        return ""
    values = []
    for field in spec.fields:
        value = answer.get(field.key)
        if value not in (None, ""):
            values.append(f"{field.label}：{value}")
    note = (answer.get(NOTE_KEY) or "").strip()
    if note:
        values.append(note)
    return f"【{spec.name}】" + "、".join(values) if values else ""


def _assessment_texts(client_id: int, numbers: tuple[int, ...]) -> list[str]:
    assessment = (
        Assessment.objects.filter(client_id=client_id).order_by("-assessed_on", "-sequence").first()
    )
    if assessment is None:
        return []
    specs = {spec.number: spec for spec in item_set(assessment.item_set)}
    texts = []
    for number in numbers:
        spec = specs.get(number)
        if spec is not None:
            text = _item_text(spec, assessment.answers.get(str(number)))
            if text:
                texts.append(text)
    if texts:
        texts.insert(0, f"（{_wareki(assessment.assessed_on)}のアセスメントから）")
    return texts


def _services_text(plan: CarePlan | None) -> str:
    if plan is None:
        return "確定した居宅サービス計画はありません。"
    lines = [f"居宅サービス計画 第{plan.sequence}版（{_wareki(plan.starts_on)}から）"]
    items = (
        SupportItem.objects.filter(goal__need__plan=plan)
        .select_related("provider")
        .order_by("goal__need__order", "goal__order", "order")
    )
    for item in items:
        provider = item.provider_label
        kind = item.service_kind_label
        lines.append(
            "・"
            + "　".join(part for part in (item.content, kind, item.frequency, provider) if part)
        )
    weekly = WeeklyService.objects.filter(plan=plan).select_related("provider")
    for service in weekly.order_by("starts_at", "pk"):
        days = weekdays_label(service.weekdays)
        provider = service.provider.name if service.provider_id else ""
        lines.append(
            f"・週間：{days} {service.starts_at:%H:%M}〜{service.ends_at:%H:%M} "
            f"{service.content}{('（' + provider + '）') if provider else ''}"
        )
    if plan.non_weekly_services:
        lines.append(f"・週単位以外：{plan.non_weekly_services}")
    return "\n".join(lines)


def prefill_admission_sheet(stay: HospitalStay) -> dict[str, str]:
    """The sheet's sections filled from the records as of the admission day."""
    client = stay.client
    day = stay.admitted_on
    facts = client_facts_on(client=client, day=day)
    plan = plan_in_force(client.pk, day)
    doctor = client.primary_doctor
    care_manager = client.care_manager
    office = client.office

    certification = facts.certification
    certification_text = (
        _lines(
            f"要介護度：{facts.care_level_label}",
            f"認定の有効期間：{_wareki(certification.valid_from)}〜{_wareki(certification.valid_to)}",
        )
        if certification
        else "認定：申請中または未登録"
    )
    if facts.ratio:
        certification_text += f"\n負担割合：{facts.ratio}割"
    family = []
    for contact in client_contacts(client=client):
        marks = "・".join(
            label
            for flag, label in (
                (contact.is_primary_caregiver, "主介護者（キーパーソン）"),
                (contact.lives_together, "同居"),
                (contact.is_emergency_contact, f"緊急連絡先{contact.priority}"),
            )
            if flag
        )
        phones = " / ".join(p for p in (contact.phone, contact.mobile_phone) if p)
        family.append(
            f"{contact.name}（{contact.relationship}）"
            + (f"　{marks}" if marks else "")
            + (f"　電話 {phones}" if phones else "")
            + (f"　{contact.notes}" if contact.notes else "")
        )
    wishes = plan.wishes_and_analysis if plan is not None else ""
    if not wishes:
        wishes = "\n".join(_assessment_texts(client.pk, WISH_ITEMS))
    return {
        "basics": _lines(
            f"氏名：{client.name}（{client.name_kana}）",
            f"生年月日：{_wareki(client.birth_date)}　性別：{client.get_sex_display()}",
            f"住所：{client.address}" if client.address else "",
            f"電話：{client.phone}" if client.phone else "",
            f"保険者：{client.insurer_name}（{client.insurer_number}）　被保険者番号：{client.insured_number}",
        ),
        "certification": certification_text,
        "doctor": _lines(
            f"{doctor.institution_name}　{doctor.department}　{doctor.doctor_name}".strip(),
            f"電話：{doctor.phone}" if doctor.phone else "",
        )
        if doctor
        else "（登録なし）",
        "family": "\n".join(family) or "（登録なし）",
        "living": _lines(
            f"世帯状況：{client.get_living_situation_display()}" if client.living_situation else "",
            *_assessment_texts(client.pk, LIVING_ITEMS),
        ),
        "services": _services_text(plan),
        "health": "\n".join(_assessment_texts(client.pk, HEALTH_ITEMS)),
        "wishes": wishes,
        "requests": "",
        "care_manager": _lines(
            f"事業所：{office.name}",
            f"担当：{care_manager.full_name}",
            f"電話：{office.phone}" if office.phone else "",
            f"FAX：{office.fax}" if office.fax else "",
        ),
    }
