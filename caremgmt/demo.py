"""The demo office: one 法人, two 事業所, a manager, a clerk and three care managers.

Every function here is idempotent (keyed on natural keys), so `load_demo` can run on every
`make run`. Fictional people only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from caremgmt.choices import RegionalGrade
from caremgmt.models import Corporation, Membership, Office, OfficeRegionalGrade, Role, Staff


@dataclass(frozen=True)
class DemoStaff:
    login_id: str
    full_name: str
    full_name_kana: str
    memberships: tuple[tuple[str, str, str], ...]  # (office_number, role, care manager number)


DEMO_OFFICES = (
    (
        "1370100011",
        "さくら居宅介護支援センター",
        "東京都千代田区神田一丁目2番3号",
        "03-1234-5678",
        RegionalGrade.GRADE_1,
    ),
    (
        "1470200025",
        "みどり居宅介護支援事業所",
        "神奈川県横浜市港北区日吉四丁目5番6号",
        "045-234-5678",
        RegionalGrade.GRADE_3,
    ),
)
SAKURA, MIDORI = DEMO_OFFICES[0][0], DEMO_OFFICES[1][0]

DEMO_STAFF = (
    DemoStaff(
        "kanri",
        "山本 恵子",
        "ヤマモト ケイコ",
        (
            (SAKURA, Role.OFFICE_MANAGER, ""),
            (SAKURA, Role.CHIEF_CARE_MANAGER, "13012345"),
            (MIDORI, Role.OFFICE_MANAGER, ""),
        ),
    ),
    DemoStaff("jimu", "中村 直子", "ナカムラ ナオコ", ((SAKURA, Role.CLERK, ""),)),
    DemoStaff("sato", "佐藤 美咲", "サトウ ミサキ", ((SAKURA, Role.CARE_MANAGER, "13023456"),)),
    DemoStaff("suzuki", "鈴木 健一", "スズキ ケンイチ", ((SAKURA, Role.CARE_MANAGER, "13034567"),)),
    DemoStaff(
        "takahashi", "高橋 由美", "タカハシ ユミ", ((MIDORI, Role.CARE_MANAGER, "14045678"),)
    ),
)


R6_GRADES_FROM = dt.date(2024, 4, 1)


@transaction.atomic
def load_demo_office() -> list[str]:
    """Create or refresh the demo organisation; return the login lines to print."""
    corporation, _ = Corporation.objects.update_or_create(
        name="社会福祉法人 ひだまり会", defaults={"address": "東京都千代田区神田一丁目2番3号"}
    )
    offices = {}
    for number, name, address, phone, grade in DEMO_OFFICES:
        offices[number], _ = Office.objects.update_or_create(
            office_number=number,
            defaults={
                "corporation": corporation,
                "name": name,
                "address": address,
                "phone": phone,
                "regional_grade": grade,
            },
        )
    for office in offices.values():
        # The grade of the R6 告示 period (令和6年4月1日〜), as a history row.
        OfficeRegionalGrade.objects.get_or_create(
            office=office,
            valid_from=R6_GRADES_FROM,
            defaults={"grade": office.regional_grade},
        )
    lines = []
    for person in DEMO_STAFF:
        staff, created = Staff.objects.get_or_create(
            username=person.login_id,
            defaults={
                "full_name": person.full_name,
                "full_name_kana": person.full_name_kana,
                "email": f"{person.login_id}@demo.example.jp",
            },
        )
        if created or not staff.has_usable_password():
            staff.set_password(settings.DEMO_PASSWORD)
            staff.save(update_fields=["password"])
        for office_number, role, number in person.memberships:
            Membership.objects.update_or_create(
                staff=staff,
                office=offices[office_number],
                role=role,
                defaults={"care_manager_number": number, "is_active": True},
            )
        roles = "・".join(dict.fromkeys(Role(role).label for _, role, _ in person.memberships))
        lines.append(f"  {person.login_id:<10} {person.full_name}（{roles}）")
    for office in offices.values():
        if office.manager_id is None:
            office.manager = Staff.objects.get(username="kanri")
            office.save(update_fields=["manager"])
    return lines
