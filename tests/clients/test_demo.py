"""The demo loader: idempotent, valid numbers, realistic histories."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from caremgmt.access import actor_for
from caremgmt.demo import load_demo_office
from caremgmt.models import Staff
from clients.demo import load_demo_clients
from clients.models import (
    BenefitRestriction,
    Certification,
    Client,
    PublicExpense,
    ServiceProvider,
)
from clients.selectors import (
    certifications_expiring,
    client_month_certifications,
    client_public_expenses_on,
)
from clients.validators import insurer_number_validator

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_valid() -> None:
    load_demo_office()
    load_demo_clients()
    counts = (
        Client.objects.count(),
        Certification.objects.count(),
        ServiceProvider.objects.count(),
    )
    load_demo_clients()
    assert (
        Client.objects.count(),
        Certification.objects.count(),
        ServiceProvider.objects.count(),
    ) == counts
    assert counts[0] == 40
    for client in Client.objects.all():
        insurer_number_validator(client.insurer_number)
        assert len(client.insured_number) == 10 and client.insured_number.isdigit()
        assert client.search_kana
    caseloads = {
        login: Client.objects.filter(care_manager__username=login).count()
        for login in ("sato", "suzuki", "kanri", "takahashi")
    }
    assert caseloads == {"sato": 13, "suzuki": 12, "kanri": 5, "takahashi": 10}
    for office_number in ("1370100011", "1470200025"):
        types = set()
        for provider in ServiceProvider.objects.filter(office__office_number=office_number):
            types |= set(provider.service_types)
        assert {"11", "13", "15", "17", "21"} <= types
        assert ServiceProvider.objects.filter(office__office_number=office_number).count() == 10

    today = timezone.localdate()
    kanri = Staff.objects.get(username="kanri")
    assert certifications_expiring(actor=actor_for(kanri), today=today).count() >= 3
    changed = Certification.objects.get(application_kind="change")
    month = client_month_certifications(client=changed.client, month=changed.valid_from)
    assert month.has_mid_month_change and month.heaviest_care_level == "24"
    assert changed.valid_from.day == 16
    assert Client.objects.filter(status="consulting", certifications__isnull=True).exists()
    assert isinstance(changed.valid_to, dt.date)
    welfare = PublicExpense.objects.get()
    assert client_public_expenses_on(client=welfare.client, day=welfare.valid_from) == [welfare]
    restriction = BenefitRestriction.objects.get()
    assert (restriction.kind, restriction.benefit_rate) == ("rate_reduction", 70)
    assert Certification.objects.exclude(disability_independence="").exists()
