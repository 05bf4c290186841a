"""Effective-dated history: one selector answers "what was true on date D"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from clients import services
from clients.models import BurdenRatio, Certification
from clients.selectors import client_facts_on, client_month_certifications

pytestmark = pytest.mark.django_db
D = dt.date


def add_certification(actor, client, **overrides):  # noqa: ANN001, ANN003, ANN201
    values = {
        "application_kind": "renewal",
        "applied_on": D(2025, 2, 1),
        "certified_on": D(2025, 3, 15),
        "care_level": "22",
        "valid_from": D(2025, 4, 1),
        "valid_to": D(2026, 3, 31),
        "committee_opinion": "",
    }
    values.update(overrides)
    return services.certification_add(actor=actor, client=client, **values)


def test_facts_follow_period_boundaries(actor, own_client) -> None:  # noqa: ANN001
    add_certification(actor, own_client)
    add_certification(
        actor, own_client, care_level="23", valid_from=D(2026, 4, 1), valid_to=D(2027, 3, 31)
    )
    assert client_facts_on(client=own_client, day=D(2025, 3, 31)).certification is None
    assert client_facts_on(client=own_client, day=D(2025, 4, 1)).care_level == "22"
    assert client_facts_on(client=own_client, day=D(2026, 3, 31)).care_level == "22"
    assert client_facts_on(client=own_client, day=D(2026, 4, 1)).care_level == "23"
    assert client_facts_on(client=own_client, day=D(2027, 3, 31)).care_level_label == "要介護3"
    assert client_facts_on(client=own_client, day=D(2027, 4, 1)).certification is None


def test_facts_without_certification_say_pending(actor, own_client) -> None:  # noqa: ANN001
    services.application_create(
        actor=actor, client=own_client, kind="new", applied_on=D(2026, 11, 2)
    )
    facts = client_facts_on(client=own_client, day=D(2026, 11, 20))
    assert facts.certification is None
    assert facts.is_certified is False
    assert facts.pending_application.kind == "new"
    assert client_facts_on(client=own_client, day=D(2026, 11, 1)).pending_application is None


def test_mid_month_change_ends_the_old_certification_and_month_takes_the_heaviest(
    actor,
    own_client,  # noqa: ANN001
) -> None:
    old = add_certification(actor, own_client, care_level="21", valid_to=D(2026, 3, 31))
    new = add_certification(
        actor,
        own_client,
        application_kind="change",
        applied_on=D(2025, 9, 16),
        care_level="23",
        valid_from=D(2025, 9, 16),
        valid_to=D(2026, 3, 31),
    )
    old.refresh_from_db()
    assert (old.valid_to, old.ended_on) == (D(2026, 3, 31), D(2025, 9, 15))  # card kept as written
    assert client_facts_on(client=own_client, day=D(2025, 9, 15)).care_level == "21"
    assert client_facts_on(client=own_client, day=D(2025, 9, 16)).certification == new
    september = client_month_certifications(client=own_client, month=D(2025, 9, 1))
    assert [c.care_level for c in september.certifications] == ["21", "23"]
    assert september.heaviest_care_level == "23"
    assert september.has_mid_month_change
    august = client_month_certifications(client=own_client, month=D(2025, 8, 20))
    assert august.heaviest_care_level == "21"
    october = client_month_certifications(client=own_client, month=D(2025, 10, 1))
    assert [c.pk for c in october.certifications] == [new.pk]


def test_month_helper_over_a_renewal_boundary_and_an_empty_month(actor, own_client) -> None:  # noqa: ANN001
    add_certification(actor, own_client, care_level="13")
    assert (
        client_month_certifications(client=own_client, month=D(2025, 3, 1)).heaviest_care_level
        is None
    )
    assert (
        client_month_certifications(client=own_client, month=D(2026, 3, 1)).heaviest_care_level
        == "13"
    )


def test_overlapping_certification_refused_with_the_clashing_period(actor, own_client) -> None:  # noqa: ANN001
    add_certification(actor, own_client)
    with pytest.raises(ValidationError) as refused:
        add_certification(actor, own_client, valid_from=D(2026, 1, 1), valid_to=D(2026, 12, 31))
    assert refused.value.message_dict == {
        "valid_from": ["有効期間が既存の認定（令和7年4月1日〜令和8年3月31日）と重なっています。"]
    }
    assert Certification.objects.count() == 1


def test_correction_supersedes_and_keeps_the_old_row(actor, own_client) -> None:  # noqa: ANN001
    wrong = add_certification(actor, own_client, care_level="22")
    right = services.certification_add(
        actor=actor,
        client=own_client,
        application_kind="renewal",
        applied_on=D(2025, 2, 1),
        certified_on=D(2025, 3, 15),
        care_level="24",
        valid_from=D(2025, 4, 1),
        valid_to=D(2026, 3, 31),
        supersedes=wrong,
        reason="要介護度の入力誤り",
    )
    wrong.refresh_from_db()
    assert wrong.care_level == "22"  # never overwritten
    assert wrong.superseded_by == right
    assert wrong.superseded_reason == "要介護度の入力誤り"
    assert client_facts_on(client=own_client, day=D(2025, 6, 1)).care_level == "24"
    assert Certification.objects.current().get() == right


def test_fact_columns_cannot_be_updated_in_the_database(actor, own_client) -> None:  # noqa: ANN001
    certification = add_certification(actor, own_client)
    with pytest.raises(DatabaseError), transaction.atomic():
        Certification.objects.filter(pk=certification.pk).update(care_level="25")
    burden = services.burden_ratio_add(
        actor=actor, client=own_client, ratio=1, valid_from=D(2025, 8, 1), valid_to=D(2026, 7, 31)
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        BurdenRatio.objects.filter(pk=burden.pk).update(ratio=3)


def test_burden_ratio_new_card_mid_year_ends_the_old_one(actor, own_client) -> None:  # noqa: ANN001
    services.burden_ratio_add(
        actor=actor, client=own_client, ratio=1, valid_from=D(2025, 8, 1), valid_to=D(2026, 7, 31)
    )
    services.burden_ratio_add(
        actor=actor, client=own_client, ratio=2, valid_from=D(2026, 1, 1), valid_to=D(2026, 7, 31)
    )
    assert client_facts_on(client=own_client, day=D(2025, 12, 31)).ratio == 1
    assert client_facts_on(client=own_client, day=D(2026, 1, 1)).ratio == 2
    assert client_facts_on(client=own_client, day=D(2026, 8, 1)).ratio is None
    with pytest.raises(ValidationError):
        services.burden_ratio_add(
            actor=actor,
            client=own_client,
            ratio=3,
            valid_from=D(2025, 8, 1),
            valid_to=D(2026, 7, 31),
        )


def test_plan_request_filing_in_force_from_its_date_until_replaced(actor, own_client) -> None:  # noqa: ANN001
    first = services.plan_request_filing_add(actor=actor, client=own_client, filed_on=D(2025, 4, 3))
    second = services.plan_request_filing_add(
        actor=actor, client=own_client, filed_on=D(2026, 4, 10), notes="区分変更に伴う再届出"
    )
    assert client_facts_on(client=own_client, day=D(2025, 4, 2)).plan_request_filing is None
    assert client_facts_on(client=own_client, day=D(2025, 4, 3)).plan_request_filing == first
    assert client_facts_on(client=own_client, day=D(2026, 4, 9)).plan_request_filing == first
    assert client_facts_on(client=own_client, day=D(2026, 4, 10)).plan_request_filing == second
    assert first.municipality == "千代田区"  # defaults to the 保険者名


def test_facts_are_frozen(actor, own_client) -> None:  # noqa: ANN001
    facts = client_facts_on(client=own_client, day=D(2026, 1, 1))
    with pytest.raises(AttributeError):
        facts.day = D(2026, 1, 2)  # type: ignore[misc]
