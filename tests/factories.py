"""factory_boy factories shared by every test module."""

from __future__ import annotations

import datetime as dt

import factory
from django.conf import settings

from caremgmt.models import Corporation, Membership, Office, Role, Staff
from clients.kana import client_search_kana
from clients.models import (
    BenefitRestriction,
    BurdenRatio,
    Certification,
    CertificationApplication,
    Client,
    ClientContact,
    ClientStatus,
    Doctor,
    InformalResource,
    PublicExpense,
    ServiceProvider,
)


class CorporationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Corporation

    name = factory.Sequence(lambda n: f"テスト法人{n}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    corporation = factory.SubFactory(CorporationFactory)
    office_number = factory.Sequence(lambda n: f"13701{n:05d}")
    name = factory.Sequence(lambda n: f"テスト居宅介護支援事業所{n}")
    regional_grade = "1"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    full_name = factory.Sequence(lambda n: f"職員 {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.jp")
    password = factory.PostGenerationMethodCall("set_password", settings.DEMO_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: ANN001, N805
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    staff = factory.SubFactory(StaffFactory)
    office = factory.SubFactory(OfficeFactory)
    role = Role.CARE_MANAGER
    care_manager_number = factory.LazyAttribute(
        lambda o: (
            f"{o.staff.pk % 10**8:08d}"
            if o.role in (Role.CARE_MANAGER, Role.CHIEF_CARE_MANAGER)
            else ""
        )
    )


def staff_in(office: Office, role: str = Role.CARE_MANAGER, **kwargs) -> Staff:  # noqa: ANN003
    """A staff member holding `role` in `office`."""
    staff = StaffFactory(**kwargs)
    MembershipFactory(staff=staff, office=office, role=role)
    return staff


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"利用者 {n}")
    name_kana = factory.Sequence(lambda n: f"リヨウシャ {n}")
    birth_date = dt.date(1940, 4, 1)
    sex = "2"
    care_manager = factory.LazyAttribute(lambda o: staff_in(o.office))
    status = ClientStatus.CONTRACTED
    insurer_number = "131011"  # 千代田区 (passes the check digit)
    insurer_name = "千代田区"
    insured_number = factory.Sequence(lambda n: f"{1000000000 + n:010d}")
    search_kana = factory.LazyAttribute(
        lambda o: client_search_kana(name=o.name, name_kana=o.name_kana)
    )


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    client = factory.SubFactory(ClientFactory)
    application_kind = "renewal"
    applied_on = dt.date(2026, 2, 10)
    certified_on = dt.date(2026, 3, 20)
    care_level = "22"
    valid_from = dt.date(2026, 4, 1)
    valid_to = dt.date(2027, 3, 31)


class BurdenRatioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BurdenRatio

    client = factory.SubFactory(ClientFactory)
    ratio = 1
    valid_from = dt.date(2026, 8, 1)
    valid_to = dt.date(2027, 7, 31)


class PublicExpenseFactory(factory.django.DjangoModelFactory):
    """生活保護（介護扶助）: 公費負担者番号 12130019 (check digit 9), 受給者番号 7 digits."""

    class Meta:
        model = PublicExpense

    client = factory.SubFactory(ClientFactory)
    law_number = "12"
    payer_number = "12130019"
    recipient_number = "1234567"
    valid_from = dt.date(2026, 4, 1)
    valid_to = dt.date(2027, 3, 31)


class BenefitRestrictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenefitRestriction

    client = factory.SubFactory(ClientFactory)
    kind = "rate_reduction"
    benefit_rate = 70
    valid_from = dt.date(2026, 4, 1)
    valid_to = dt.date(2027, 3, 31)


class CertificationApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificationApplication

    client = factory.SubFactory(ClientFactory)
    kind = "renewal"
    applied_on = dt.date(2026, 11, 1)
    submitted_by = factory.LazyAttribute(lambda o: o.client.care_manager)


class ClientContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientContact

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"家族 {n}")
    relationship = "長女"
    phone = "03-1111-2222"


class DoctorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Doctor

    office = factory.SubFactory(OfficeFactory)
    institution_name = factory.Sequence(lambda n: f"テスト医院{n}")
    department = "内科"
    doctor_name = "医師 太郎"


class ServiceProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceProvider

    office = factory.SubFactory(OfficeFactory)
    provider_number = factory.Sequence(lambda n: f"13712{n:05d}")
    name = factory.Sequence(lambda n: f"テスト訪問介護{n}")
    service_types = factory.LazyFunction(lambda: ["11"])
    regional_grade = "1"


class InformalResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformalResource

    office = factory.SubFactory(OfficeFactory)
    kind = "meals"
    name = factory.Sequence(lambda n: f"配食サービス{n}")
    offers = "昼食の配達（月〜金）"


# --- careplans ---------------------------------------------------------------------------


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "careplans.Assessment"

    client = factory.SubFactory(ClientFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    assessed_on = dt.date(2026, 4, 3)
    assessor = factory.LazyAttribute(lambda o: o.client.care_manager)
    reason = "initial"
    answers = factory.LazyFunction(dict)


class CarePlanFactory(factory.django.DjangoModelFactory):
    """A 原案 (draft) with its assessment, for a client certified 2026-04-01〜2027-03-31."""

    class Meta:
        model = "careplans.CarePlan"

    client = factory.SubFactory(ClientFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    status = "draft"
    assessment = factory.LazyAttribute(lambda o: AssessmentFactory(client=o.client))
    author = factory.LazyAttribute(lambda o: o.client.care_manager)
    sheet_date = dt.date(2026, 4, 5)
    plan_kind = "11"
    drafted_on = dt.date(2026, 4, 5)
    first_plan_on = dt.date(2026, 4, 5)
    starts_on = dt.date(2026, 4, 10)
    certification_state = "2"
    certification = factory.LazyAttribute(lambda o: CertificationFactory(client=o.client))


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "careplans.Need"

    plan = factory.SubFactory(CarePlanFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = "自宅で安全に入浴したい"


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "careplans.Goal"

    need = factory.SubFactory(NeedFactory)
    order = 1
    long_term = "週2回、安心して入浴できる"
    long_term_from = dt.date(2026, 4, 10)
    long_term_to = dt.date(2027, 3, 31)
    short_term = "介助を受けて浴槽をまたげる"
    short_term_from = dt.date(2026, 4, 10)
    short_term_to = dt.date(2026, 9, 30)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "careplans.Meeting"

    plan = factory.SubFactory(CarePlanFactory)
    held_on = dt.date(2026, 4, 7)
    place = "利用者宅"
    starts_at = dt.time(14, 0)
    ends_at = dt.time(14, 45)
    count = 1
    items_discussed = "原案の内容"
    discussion = "入浴の方法について"
    conclusion = "原案のとおり実施する"
    recorded_by = factory.LazyAttribute(lambda o: o.plan.client.care_manager)


def ensure_fee_schedule() -> None:
    """Re-seed the R6 fee schedule when a transactional test flushed it (the data migration
    only runs once per test database)."""
    from importlib import import_module

    from django.apps import apps

    from caremgmt.models import ServiceCode

    if not ServiceCode.objects.exists():
        import_module("caremgmt.migrations.0003_load_r6_fee_schedule").load(apps, None)
