"""Demo clients and address book (fictional people and places). Idempotent: clients are keyed
on office + name + birth date, directory entries on their natural keys, and a client's
histories are written only when the client has none yet (history rows are never edited).

Dates are relative to the day the demo is first loaded, so some certifications always fall
in the 60-day renewal window and one client has a mid-month 区分変更.
"""

from __future__ import annotations

import calendar
import datetime as dt
from itertools import cycle

from django.db import transaction
from django.utils import timezone

from caremgmt.access import actor_for
from caremgmt.models import Office, Staff
from clients import services
from clients.kana import client_search_kana
from clients.models import (
    Client,
    ClientContact,
    ClientStatus,
    Consultation,
    Contract,
    Doctor,
    EndReason,
    InformalResource,
    ProviderRegionalGrade,
    ServiceProvider,
)
from clients.services import coverage as services_coverage
from clients.validators import insurer_check_digit

SAKURA, MIDORI = "1370100011", "1470200025"


def _insurer(first_five: str) -> str:
    return f"{first_five}{insurer_check_digit(first_five)}"


INSURERS = {
    SAKURA: (
        (_insurer("13101"), "千代田区"),
        (_insurer("13102"), "中央区"),
        (_insurer("13105"), "文京区"),
    ),
    MIDORI: ((_insurer("14100"), "横浜市"), (_insurer("14130"), "川崎市")),
}
ADDRESSES = {
    SAKURA: ("101-0047", "東京都千代田区内神田{n}丁目{m}番{k}号"),
    MIDORI: ("223-0061", "神奈川県横浜市港北区日吉{n}丁目{m}番{k}号"),
}

# office, login, count — kanri (管理者兼主任) carries a small caseload too.
CASELOADS = (
    (SAKURA, "sato", 13),
    (SAKURA, "suzuki", 12),
    (SAKURA, "kanri", 5),
    (MIDORI, "takahashi", 10),
)

SURNAMES = (
    ("青木", "アオキ"),
    ("石井", "イシイ"),
    ("上田", "ウエダ"),
    ("遠藤", "エンドウ"),
    ("岡田", "オカダ"),
    ("加藤", "カトウ"),
    ("木村", "キムラ"),
    ("小林", "コバヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
    ("須田", "スダ"),
    ("関口", "セキグチ"),
    ("高田", "タカダ"),
    ("千葉", "チバ"),
    ("土屋", "ツチヤ"),
    ("寺島", "テラシマ"),
    ("徳永", "トクナガ"),
    ("中川", "ナカガワ"),
    ("西村", "ニシムラ"),
    ("野口", "ノグチ"),
    ("橋本", "ハシモト"),
    ("平野", "ヒラノ"),
    ("藤井", "フジイ"),
    ("堀内", "ホリウチ"),
    ("松田", "マツダ"),
    ("三浦", "ミウラ"),
    ("村上", "ムラカミ"),
    ("森下", "モリシタ"),
    ("矢野", "ヤノ"),
    ("湯川", "ユカワ"),
    ("吉岡", "ヨシオカ"),
    ("若林", "ワカバヤシ"),
    ("秋山", "アキヤマ"),
    ("今井", "イマイ"),
    ("内田", "ウチダ"),
    ("大野", "オオノ"),
    ("北川", "キタガワ"),
    ("久保", "クボ"),
    ("小山", "コヤマ"),
    ("桜井", "サクライ"),
)
GIVEN = (
    ("トメ", "トメ", "2"),
    ("正男", "マサオ", "1"),
    ("千代", "チヨ", "2"),
    ("清", "キヨシ", "1"),
    ("ハル", "ハル", "2"),
    ("勇", "イサム", "1"),
    ("フミ", "フミ", "2"),
    ("茂", "シゲル", "1"),
    ("キヨ", "キヨ", "2"),
    ("武", "タケシ", "1"),
    ("静子", "シズコ", "2"),
    ("博", "ヒロシ", "1"),
    ("タケ", "タケ", "2"),
    ("實", "ミノル", "1"),
    ("ヨシ子", "ヨシコ", "2"),
    ("昭二", "ショウジ", "1"),
)
LEVELS = ("21", "22", "13", "23", "12", "24", "21", "25", "22", "06")
RELATIONS = (("長女", "2"), ("長男", "1"), ("妻", "2"), ("夫", "1"), ("次女", "2"), ("甥", "1"))
LIVING = ("alone", "elderly", "with_family", "alone_daytime", "with_family")
ROUTES = ("community_center", "hospital", "family", "self", "other_office")


class _Rotations:
    """Fresh round-robin iterators for one load. Module-level iterators kept their position
    between loads in one process, so a second load (another test, `load_demo` twice) handed
    out different care levels and the demo's facts depended on what ran before."""

    def __init__(self) -> None:
        self.levels = cycle(LEVELS)
        self.relations = cycle(RELATIONS)
        self.living = cycle(LIVING)
        self.routes = cycle(ROUTES)


def _month_end(year: int, month: int) -> dt.date:
    while month > 12:
        year, month = year + 1, month - 12
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    end = _month_end(day.year, day.month + months)
    return end.replace(day=min(day.day, end.day))


PROVIDERS = (
    # number suffix, name, kana, service types, contact, additions
    (
        "0001",
        "さくら訪問介護ステーション",
        "サクラホウモンカイゴステーション",
        ["11"],
        "田村",
        [{"name": "特定事業所加算(II)", "note": "算定あり"}],
    ),
    (
        "0002",
        "ひだまりヘルパーセンター",
        "ヒダマリヘルパーセンター",
        ["11", "76"],
        "大川",
        [{"name": "介護職員等処遇改善加算(I)", "note": ""}],
    ),
    (
        "0003",
        "こもれび訪問看護ステーション",
        "コモレビホウモンカンゴステーション",
        ["13", "63"],
        "佐野",
        [{"name": "緊急時訪問看護加算", "note": "24時間対応"}],
    ),
    ("0004", "あおば訪問看護", "アオバホウモンカンゴ", ["13"], "小川", []),
    (
        "0005",
        "デイサービスなごみ",
        "デイサービスナゴミ",
        ["15"],
        "竹内",
        [
            {"name": "入浴介助加算(I)", "note": ""},
            {"name": "個別機能訓練加算(I)イ", "note": "火木"},
        ],
    ),
    ("0006", "リハビリデイいきいき", "リハビリデイイキイキ", ["15", "78"], "工藤", []),
    ("0007", "ふれあい福祉用具", "フレアイフクシヨウグ", ["17", "67", "41"], "杉本", []),
    ("0008", "ケアレンタルみらい", "ケアレンタルミライ", ["17", "41"], "野村", []),
    (
        "0009",
        "ショートステイかえで",
        "ショートステイカエデ",
        ["21"],
        "水野",
        [{"name": "送迎加算", "note": "片道"}],
    ),
    (
        "0010",
        "特別養護老人ホームやすらぎ",
        "トクベツヨウゴロウジンホームヤスラギ",
        ["21", "51"],
        "松井",
        [],
    ),
)
DOCTORS = (
    ("神田中央病院", "内科", "山下 誠", "地域連携室", "平日 14時〜16時", "phone"),
    ("内神田クリニック", "在宅診療", "川口 恵", "看護師 松本さん", "火・木 13時〜14時", "fax"),
    ("こころ整形外科", "整形外科", "石田 修", "受付", "午前診療の終了後 12時半頃", "phone"),
    ("日吉ファミリークリニック", "内科", "西田 涼子", "事務長", "月〜金 13時〜15時", "ict"),
)
RESOURCES = (
    ("commissioner", "民生委員（担当地区）", "丁目ごと", "町会長宅経由", "見守り・行政との橋渡し"),
    ("meals", "まごころ配食", "区内全域", "配食センター", "昼食・夕食の配達と安否確認（1食550円）"),
    ("volunteer", "傾聴ボランティアひまわり", "区内", "社会福祉協議会", "月2回の訪問・話し相手"),
    ("salon", "いきいきサロン", "町会会館", "町会", "毎週水曜 10時〜12時の体操と茶話会"),
    (
        "private",
        "暮らしサポート（自費）",
        "区内",
        "サポート事業者",
        "通院付き添い・大掃除（1時間3,300円）",
    ),
)


def _directories(office: Office, index: int) -> None:
    prefix = office.office_number[:2] + "7" + ("01" if index == 0 else "02")
    for suffix, name, kana, types, contact, additions in PROVIDERS:
        number = f"{prefix}0{suffix}"
        provider, _ = ServiceProvider.objects.update_or_create(
            office=office,
            provider_number=number,
            defaults={
                "name": name,
                "name_kana": kana,
                "service_types": types,
                "regional_grade": office.regional_grade,
                "postal_code": ADDRESSES[office.office_number][0],
                "address": ADDRESSES[office.office_number][1].format(
                    n=1 + int(suffix) % 3, m=int(suffix), k=7
                ),
                "phone": f"0{3 if index == 0 else 45}-5{suffix[1:]}-{suffix}",
                "fax": f"0{3 if index == 0 else 45}-5{suffix[1:]}-9{suffix[1:]}",
                "contact_person": contact,
                "additions": additions,
            },
        )
        ProviderRegionalGrade.objects.get_or_create(
            provider=provider,
            valid_from=dt.date(2024, 4, 1),  # the R6 告示 period
            defaults={"grade": office.regional_grade},
        )
    for institution, department, doctor, window, hours, channel in DOCTORS[
        index * 2 : index * 2 + 3
    ]:
        Doctor.objects.update_or_create(
            office=office,
            institution_name=institution,
            doctor_name=doctor,
            defaults={
                "department": department,
                "contact_window": window,
                "best_contact_time": hours,
                "contact_channel": channel,
                "phone": "03-3251-0101" if index == 0 else "045-561-0202",
                "notes": "受診同行の際は事前に電話連絡",
            },
        )
    for kind, name, area, contact, offers in RESOURCES:
        InformalResource.objects.update_or_create(
            office=office,
            name=name,
            defaults={"kind": kind, "area": area, "contact_person": contact, "offers": offers},
        )


def _histories(
    client: Client,
    actor,  # noqa: ANN001
    today: dt.date,
    serial: int,
    rotations: _Rotations,
) -> None:
    """Two certification periods, 負担割合 for this and last year, the 届出, a contact."""
    if client.status == ClientStatus.CONSULTING:
        Consultation.objects.create(
            client=client,
            consulted_on=today - dt.timedelta(days=12),
            route="community_center",
            route_detail="地域包括支援センター",
            chief_complaint="退院後の生活が心配。介護保険を申請したい。",
            taken_by=client.care_manager,
        )
        services.application_create(
            actor=actor, client=client, kind="new", applied_on=today - dt.timedelta(days=10)
        )
        return
    level = next(rotations.levels)
    # End of the current period: this month … 20 months ahead; serials 0, 5, 10… expire soon.
    months_ahead = (0, 1, 4, 7, 10, 13, 2, 16, 19, 5)[serial % 10]
    valid_to = _month_end(today.year, today.month + months_ahead)
    valid_from = _month_end(valid_to.year, valid_to.month - 12) + dt.timedelta(days=1)
    previous_from = _month_end(valid_from.year, valid_from.month - 13) + dt.timedelta(days=1)
    services.certification_add(
        actor=actor,
        client=client,
        application_kind="new",
        applied_on=previous_from,
        certified_on=previous_from + dt.timedelta(days=30),
        care_level=level,
        valid_from=previous_from,
        valid_to=valid_from - dt.timedelta(days=1),
    )
    services.certification_add(
        actor=actor,
        client=client,
        application_kind="renewal",
        applied_on=valid_from - dt.timedelta(days=45),
        certified_on=valid_from - dt.timedelta(days=10),
        care_level=level,
        valid_from=valid_from,
        valid_to=valid_to,
        committee_opinion="特になし"
        if serial % 3
        else "認知症の進行に留意し、通所系サービスの利用が望ましい。",
        disability_independence=("J2", "A1", "A2", "B1")[serial % 4],
        disability_independence_source="doctor_opinion",
        dementia_independence=("I", "IIa", "IIb", "IIIa", "independent")[serial % 5],
        dementia_independence_source="survey" if serial % 2 else "doctor_opinion",
    )
    _coverage(client, actor, valid_from, valid_to, serial)
    if serial == 1:  # a mid-month 区分変更 after a fall: heavier from the 16th
        change_from = _add_months(today, -2).replace(day=16)
        if valid_from < change_from <= valid_to:
            services.certification_add(
                actor=actor,
                client=client,
                application_kind="change",
                applied_on=change_from,
                certified_on=change_from + dt.timedelta(days=28),
                care_level="24",
                valid_from=change_from,
                valid_to=_month_end(change_from.year, change_from.month + 6),
                committee_opinion="転倒による状態悪化。福祉用具の見直しを検討すること。",
            )
    start_year = today.year if today.month >= 8 else today.year - 1
    ratio = 3 if serial % 13 == 4 else 2 if serial % 5 == 3 else 1
    services.burden_ratio_add(
        actor=actor,
        client=client,
        ratio=ratio,
        valid_from=dt.date(start_year - 1, 8, 1),
        valid_to=dt.date(start_year, 7, 31),
    )
    services.burden_ratio_add(
        actor=actor,
        client=client,
        ratio=ratio,
        valid_from=dt.date(start_year, 8, 1),
        valid_to=dt.date(start_year + 1, 7, 31),
    )
    services.plan_request_filing_add(
        actor=actor, client=client, filed_on=previous_from + dt.timedelta(days=3)
    )
    Consultation.objects.create(
        client=client,
        consulted_on=previous_from - dt.timedelta(days=7),
        route=next(rotations.routes),
        chief_complaint="自宅での生活を続けたい。入浴と買い物に手伝いが必要。",
        taken_by=client.care_manager,
    )
    Contract.objects.create(
        client=client,
        contracted_on=previous_from,
        important_matters_explained=True,
        personal_info_consent=True,
        created_by=client.care_manager,
        ended_on=client.status_changed_on if client.status == ClientStatus.ENDED else None,
    )
    # An 更新 application already filed for some of those in the renewal window.
    if serial % 4 == 1 and client.status == ClientStatus.CONTRACTED and months_ahead <= 1:
        services.application_create(
            actor=actor, client=client, kind="renewal", applied_on=today - dt.timedelta(days=5)
        )


def _coverage(
    client: Client,
    actor,  # noqa: ANN001
    valid_from: dt.date,
    valid_to: dt.date,
    serial: int,
) -> None:
    """One client on 生活保護 (介護扶助 pays the co-payment) and one with a 給付制限."""
    if serial == 2:
        services_coverage.public_expense_add(
            actor=actor,
            client=client,
            law_number="12",
            payer_number="12130019",
            recipient_number=f"{3000000 + serial:07d}",
            valid_from=valid_from,
            valid_to=valid_to,
        )
    if serial == 6:
        services_coverage.benefit_restriction_add(
            actor=actor,
            client=client,
            kind="rate_reduction",
            benefit_rate=70,
            valid_from=valid_from,
            valid_to=valid_to,
            note="保険料の滞納による給付率の引下げ",
        )


@transaction.atomic
def load_demo_clients() -> None:
    today = timezone.localdate()
    rotations = _Rotations()
    offices = {office.office_number: office for office in Office.objects.all()}
    staff = {person.username: person for person in Staff.objects.all()}
    kanri = staff["kanri"]
    for index, number in enumerate((SAKURA, MIDORI)):
        _directories(offices[number], index)
    serial = 0
    for office_number, login_id, count in CASELOADS:
        office = offices[office_number]
        actor = actor_for(kanri, office.pk)
        doctors = list(Doctor.objects.filter(office=office).order_by("pk"))
        for position in range(count):
            surname, surname_kana = SURNAMES[serial % len(SURNAMES)]
            given, given_kana, sex = GIVEN[(serial * 7) % len(GIVEN)]
            name, kana = f"{surname} {given}", f"{surname_kana} {given_kana}"
            birth = dt.date(1928 + serial % 20, 1 + serial % 12, 1 + (serial * 3) % 28)
            insurer_number, insurer_name = INSURERS[office_number][
                serial % len(INSURERS[office_number])
            ]
            status = ClientStatus.CONTRACTED
            if position == count - 1:
                status = ClientStatus.CONSULTING
            elif position == 3:
                status = ClientStatus.HOSPITALIZED
            elif position == 5 and login_id != "kanri":
                status = ClientStatus.ENDED
            postal, address = ADDRESSES[office_number]
            client, created = Client.objects.update_or_create(
                office=office,
                name=name,
                birth_date=birth,
                defaults={
                    "name_kana": kana,
                    "search_kana": client_search_kana(name=name, name_kana=kana),
                    "sex": sex,
                    "care_manager": staff[login_id],
                    "deputy_care_manager": staff["suzuki" if login_id == "sato" else "sato"]
                    if office_number == SAKURA and position % 4 == 0
                    else None,
                    "insurer_number": insurer_number,
                    "insurer_name": insurer_name,
                    "insured_number": f"{int(office_number[:2]):02d}{serial + 1:08d}",
                    "postal_code": postal,
                    "address": address.format(
                        n=1 + serial % 3, m=1 + serial % 9, k=1 + serial % 12
                    ),
                    "phone": f"0{3 if office_number == SAKURA else 45}-3{serial:03d}-{1000 + serial:04d}",
                    "living_situation": next(rotations.living),
                    "primary_doctor": doctors[serial % len(doctors)] if doctors else None,
                    "status": status,
                    "status_changed_on": today - dt.timedelta(days=20 + serial),
                    "end_reason": EndReason.FACILITY if status == ClientStatus.ENDED else "",
                },
            )
            if not client.certifications.exists() and not client.applications.exists():
                _histories(client, actor, today, serial, rotations)
            if not client.contacts.exists():
                relation, contact_sex = next(rotations.relations)
                ClientContact.objects.create(
                    client=client,
                    name=f"{surname} {'恵子' if contact_sex == '2' else '健太'}",
                    name_kana=f"{surname_kana} {'ケイコ' if contact_sex == '2' else 'ケンタ'}",
                    relationship=relation,
                    is_primary_caregiver=True,
                    is_emergency_contact=True,
                    lives_together=serial % 3 == 0,
                    mobile_phone=f"090-{1000 + serial:04d}-{2000 + serial:04d}",
                    notes="平日日中は仕事のため夕方以降に連絡" if serial % 2 else "",
                )
            serial += 1
