"""Helpers for the office-claim tests: a client counted as a case of 2026-12 (certified,
confirmed plan, a 利用票 for the month) and its 給付管理票."""

from __future__ import annotations

import datetime as dt

from billing.models import BenefitManagementSheet, ServiceTicket
from clients.models import Contract
from tests.factories import CarePlanFactory, CertificationFactory, ClientFactory

MONTH = dt.date(2026, 12, 1)


def make_case(
    office,  # noqa: ANN001
    care_manager,  # noqa: ANN001
    *,
    level: str = "23",
    contracted_on: dt.date | None = dt.date(2025, 1, 10),
    earlier_ticket: bool = True,
    sheet_status: str | None = "submitted",
    month: dt.date = MONTH,
    previous_level: str | None = None,
):  # noqa: ANN201
    client = ClientFactory(office=office, care_manager=care_manager)
    if previous_level is None:
        certification = CertificationFactory(client=client, care_level=level)
    else:  # the previous level until 2026-11-30, `level` from 2026-12-01
        CertificationFactory(
            client=client,
            care_level=previous_level,
            valid_from=dt.date(2026, 4, 1),
            valid_to=dt.date(2026, 11, 30),
        )
        certification = CertificationFactory(
            client=client,
            care_level=level,
            application_kind="change",
            valid_from=dt.date(2026, 12, 1),
            valid_to=dt.date(2027, 11, 30),
        )
    CarePlanFactory(
        client=client,
        certification=certification,
        assessment=None,
        status="confirmed",
        consented_on=dt.date(2026, 4, 8),
        delivered_on=dt.date(2026, 4, 8),
    )
    if contracted_on is not None:
        Contract.objects.create(
            client=client,
            contracted_on=contracted_on,
            important_matters_explained=True,
            created_by=care_manager,
        )
    if earlier_ticket:
        ServiceTicket.objects.create(client=client, month=dt.date(2026, 11, 1))
    ticket = ServiceTicket.objects.create(client=client, month=month)
    if sheet_status is not None:
        BenefitManagementSheet.objects.create(
            ticket=ticket,
            kind="1",
            status=sheet_status,
            created_on=dt.date(2027, 1, 5),
            insurer_number=client.insurer_number,
            insured_number=client.insured_number,
            care_level=level,
            limit_units=27048,
            limit_from=certification.valid_from,
            limit_to=certification.valid_to,
        )
    return client
