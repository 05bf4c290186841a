"""factory_boy factories shared by every test module."""

from __future__ import annotations

import datetime as dt

import factory
from django.conf import settings

from caremgmt.models import Corporation, Membership, Office, Role, Staff
from clients.models import Client, ClientStatus


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
