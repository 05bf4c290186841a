"""Demo care plans (fictional). Idempotent: a client that already has a plan is left alone.

Per care manager, among their contracted 要介護1〜5 clients (by フリガナ): the first two get
a confirmed plan (assessment → 第1〜3表 → 担当者会議 → 同意・交付), sato's third a 原案 still
being written and the fourth a 原案 waiting for the 担当者会議.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from caremgmt.access import actor_for
from caremgmt.models import Staff
from careplans import services
from careplans.models import CarePlan
from clients.models import Client, ClientStatus, ServiceProvider
from clients.selectors import client_facts_on

CARE_LEVELS = ("21", "22", "23", "24", "25")
DAY_SERVICE_CODES = dict(
    zip(CARE_LEVELS, ("152441", "152442", "152443", "152444", "152445"), strict=True)
)
# login → what each of their first clients gets
PLANS = {
    "sato": ("confirmed", "confirmed", "draft", "awaiting_meeting"),
    "suzuki": ("confirmed", "awaiting_meeting"),
    "takahashi": ("confirmed", "draft"),
}

ANSWERS = {
    "1": {"plan_status": "初回", "note": "地域包括支援センターからの紹介。長女が同席。"},
    "2": {
        "note": "元は和裁の仕立て職人。夫を5年前に亡くし、一戸建てで一人暮らし。近所づきあいは多い。"
    },
    "3": {"pension": "国民年金", "public_assistance": "なし"},
    "4": {"note": "介護保険サービスの利用は初めて。長女が週末に買物を手伝っている。"},
    "5": {"rank_at_certification": "A2", "rank_current": "A2"},
    "6": {"rank_at_certification": "Ⅰ", "rank_current": "Ⅱa"},
    "7": {
        "client_wish": "住み慣れた家で暮らし続けたい。お風呂に安心して入りたい。",
        "family_wish": "転ばないように見守ってほしい。",
    },
    "10": {
        "diseases": "高血圧症、変形性膝関節症",
        "medication": "一部介助",
        "note": "月1回の外来受診。",
    },
    "11": {
        "adl_1": "自立",
        "adl_2": "見守り",
        "adl_3": "自立",
        "adl_4": "見守り",
        "adl_5": "見守り",
        "adl_6": "見守り",
        "adl_7": "一部介助",
        "adl_8": "自立",
        "adl_9": "一部介助",
        "adl_10": "自立",
        "adl_11": "自立",
        "adl_12": "自立",
        "note": "膝の痛みで浴槽のまたぎが不安定。",
    },
    "12": {
        "iadl_1": "一部介助",
        "iadl_2": "一部介助",
        "iadl_3": "見守り",
        "iadl_4": "全介助",
        "iadl_5": "自立",
        "iadl_6": "一部介助",
        "iadl_7": "自立",
        "iadl_8": "全介助",
    },
    "15": {"note": "6時起床、22時就寝。日中はテレビと裁縫。"},
    "21": {"main_caregiver": "長女（別居・週末）", "care_capacity": "不十分"},
    "22": {
        "housing": "一戸建て",
        "steps": "あり（未対応）",
        "note": "浴室と玄関に段差。寝室は和室で布団。",
    },
}

# 運営基準 第13条第22号: a 福祉用具貸与 line states why the equipment is needed.
RENTAL_REASONS = {
    "17": "膝の痛みで布団からの起き上がりに時間がかかり、転倒の危険があるため。"
    "特殊寝台の背上げと手すりで、自力で安全に起き上がれるようにする。",
}


def _providers(office: Any) -> dict[str, ServiceProvider]:
    found: dict[str, ServiceProvider] = {}
    for provider in ServiceProvider.objects.filter(office=office, is_active=True).order_by("pk"):
        for service_type in ("11", "15", "17"):
            if service_type in provider.service_types and service_type not in found:
                found[service_type] = provider
    return found


def _build(client: Client, kind: str, today: dt.date) -> None:
    facts = client_facts_on(client=client, day=today)
    certification = facts.certification
    if certification is None or certification.care_level not in CARE_LEVELS:
        return
    if certification.effective_to < today + dt.timedelta(days=30):
        return  # about to expire: a renewal plan would be made instead
    providers = _providers(client.office)
    if len(providers) < 3 or services.service_code_on("111211", today) is None:
        return  # no directory or no fee schedule loaded: nothing sensible to plan
    actor = actor_for(client.care_manager, client.office_id)
    base = max(certification.valid_from, today - dt.timedelta(days=40))
    if kind != "confirmed":
        base = max(certification.valid_from, today - dt.timedelta(days=6))
    end = certification.effective_to
    assessment = services.assessment_start(
        actor=actor, client=client, assessed_on=base, reason="initial", place="自宅"
    )
    services.assessment_update(
        actor=actor,
        assessment=assessment,
        expected_version=1,
        assessed_on=base,
        reason="initial",
        reason_note="",
        place="自宅",
        answers=ANSWERS,
    )
    drafted = base + dt.timedelta(days=2)
    plan = services.careplan_create(
        actor=actor,
        client=client,
        assessment=assessment,
        drafted_on=drafted,
        starts_on=drafted + dt.timedelta(days=5),
        fields={
            "wishes_and_analysis": "本人：住み慣れた家で暮らし続けたい。お風呂に安心して入りたい。\n"
            "長女：転ばないように見守ってほしい。\n"
            "膝の痛みから浴槽のまたぎと屋外歩行が不安定で、入浴と買物に支援が必要。",
            "overall_policy": "膝の痛みに配慮しながら、入浴と外出の機会を確保し、"
            "自宅での生活を安全に続けられるよう支援します。\n"
            "緊急連絡先：長女（090-0000-0000）、主治医 神田中央病院。",
        },
    )
    if kind == "draft":
        services.need_save(
            actor=actor,
            plan=plan,
            expected_version=plan.version,
            need=None,
            text="自宅で安全に入浴したい",
        )
        return
    starts = plan.starts_on
    long_to = min(end, starts + dt.timedelta(days=364))
    short_to = min(end, starts + dt.timedelta(days=180))

    def version() -> int:
        return CarePlan.objects.get(pk=plan.pk).version

    rows = (
        (
            "自宅で安全に入浴したい",
            "週2回、安心して入浴できる",
            "介助を受けて浴槽をまたげる",
            [("入浴介助（洗身・浴槽の出入り）", "11", "週2回")],
        ),
        (
            "人と話し、体を動かす機会を持ちたい",
            "週1回以上外出し、楽しみを持って過ごせる",
            "デイサービスで体操と入浴ができる",
            [("通所介護（機能訓練・入浴・昼食）", "15", "週1回")],
        ),
        (
            "布団からの起き上がりを楽にしたい",
            "寝起きの動作を一人で安全にできる",
            "特殊寝台を使い、手すりにつかまって起き上がれる",
            [("特殊寝台の貸与", "17", "毎日")],
        ),
    )
    for text, long_term, short_term, items in rows:
        need = services.need_save(
            actor=actor, plan=plan, expected_version=version(), need=None, text=text
        ).instance
        goal = services.goal_save(
            actor=actor,
            plan=plan,
            expected_version=version(),
            need=need,
            goal=None,
            fields={
                "long_term": long_term,
                "long_term_from": starts,
                "long_term_to": long_to,
                "short_term": short_term,
                "short_term_from": starts,
                "short_term_to": short_to,
            },
        ).instance
        for content, service_type, frequency in items:
            services.support_item_save(
                actor=actor,
                plan=plan,
                expected_version=version(),
                goal=goal,
                item=None,
                fields={
                    "content": content,
                    "insured": True,
                    "service_type": service_type,
                    "provider": providers[service_type],
                    "frequency": frequency,
                    "period_from": starts,
                    "period_to": short_to,
                    "equipment_rental_reason": RENTAL_REASONS.get(service_type, ""),
                },
            )
    weekly = (
        ([2, 5], dt.time(10), dt.time(10, 45), "訪問介護（入浴介助）", "11", "111211"),
        (
            [3],
            dt.time(9, 30),
            dt.time(16, 30),
            "通所介護",
            "15",
            DAY_SERVICE_CODES[certification.care_level],  # 7時間以上8時間未満
        ),
    )
    for weekdays, start, finish, content, service_type, code in weekly:
        services.weekly_service_save(
            actor=actor,
            plan=plan,
            expected_version=version(),
            weekly=None,
            fields={
                "weekdays": weekdays,
                "starts_at": start,
                "ends_at": finish,
                "content": content,
                "insured": True,
                "provider": providers[service_type],
                "service_code": code,
            },
        )
    services.weekly_service_save(
        actor=actor,
        plan=plan,
        expected_version=version(),
        weekly=None,
        fields={
            "weekdays": [6],
            "starts_at": dt.time(13),
            "ends_at": dt.time(15),
            "content": "長女の訪問（買物）",
            "insured": False,
            "provider": None,
            "service_code": "",
        },
    )
    for start, activity in (
        (dt.time(6), "起床"),
        (dt.time(7), "朝食"),
        (dt.time(12), "昼食"),
        (dt.time(18), "夕食"),
        (dt.time(22), "就寝"),
    ):
        services.daily_activity_save(
            actor=actor,
            plan=plan,
            expected_version=version(),
            activity=None,
            fields={"starts_at": start, "ends_at": None, "activity": activity},
        )
    CarePlan.objects.filter(pk=plan.pk).update(
        non_weekly_services=f"福祉用具貸与：特殊寝台（171003）{providers['17'].name}\n月1回 外来受診（長女付き添い）"
    )
    if kind == "awaiting_meeting":
        return
    plan = CarePlan.objects.get(pk=plan.pk)
    services.meeting_record(
        actor=actor,
        plan=plan,
        fields={
            "held_on": drafted + dt.timedelta(days=3),
            "sheet_date": drafted + dt.timedelta(days=3),
            "place": "利用者宅（居間）",
            "starts_at": dt.time(14),
            "ends_at": dt.time(14, 45),
            "items_discussed": "居宅サービス計画原案の内容、入浴時の安全確保、緊急時の連絡方法",
            "discussion": "浴室の段差と膝の痛みについて各事業所と確認した。"
            "訪問介護は浴槽の出入りを介助し、通所介護では機能訓練で下肢筋力の維持を図る。",
            "conclusion": "原案のとおり実施する。浴室の手すり設置は住宅改修として次回検討する。",
            "remaining_issues": "浴室の手すり設置（住宅改修）。次回は3か月後のモニタリング時に開催予定。",
            "concludes_plan": True,
        },
        attendees=[
            {"kind": "client", "affiliation": "本人", "name": client.name, "attended": True},
            {
                "kind": "family",
                "affiliation": "長女",
                "name": client.name.split()[0] + " 恵子",
                "attended": True,
            },
            {
                "kind": "provider",
                "provider": providers["11"],
                "affiliation": f"{providers['11'].name}（サービス提供責任者）",
                "name": "田村",
                "attended": True,
            },
            {
                "kind": "provider",
                "provider": providers["15"],
                "affiliation": f"{providers['15'].name}（生活相談員）",
                "name": "竹内",
                "attended": True,
            },
            {
                "kind": "provider",
                "provider": providers["17"],
                "affiliation": f"{providers['17'].name}（福祉用具専門相談員）",
                "name": "杉本",
                "attended": False,
                "absence_reason": "他の利用者宅への納品のため",
                "inquiry_on": drafted + dt.timedelta(days=2),
                "inquiry_content": "特殊寝台の機種と設置位置について",
                "inquiry_answer": "3モーターの特殊寝台を寝室の壁側に設置することで了承",
            },
        ],
    )
    consent = drafted + dt.timedelta(days=4)
    services.careplan_confirm(
        actor=actor,
        plan=CarePlan.objects.get(pk=plan.pk),
        consented_on=consent,
        delivered_on=consent,
        consented_by="本人",
        provider_deliveries={provider.pk: consent for provider in providers.values()},
    )


@transaction.atomic
def load_demo_careplans() -> None:
    today = timezone.localdate()
    for login_id, kinds in PLANS.items():
        staff = Staff.objects.filter(username=login_id).first()
        if staff is None:
            continue
        clients = [
            client
            for client in Client.objects.filter(care_manager=staff, status=ClientStatus.CONTRACTED)
            .select_related("office", "care_manager")
            .order_by("name_kana", "pk")
            if (facts := client_facts_on(client=client, day=today)).certification is not None
            and facts.care_level in CARE_LEVELS
        ]
        for client, kind in zip(clients, kinds, strict=False):
            if CarePlan.objects.filter(client=client).exists():
                continue
            _build(client, kind, today)
