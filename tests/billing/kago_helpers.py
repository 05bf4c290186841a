"""Helpers for the 過誤申立て tests: a 送信済み 2026-12 with one billable case."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from billing.office_claim import close, kago
from caremgmt.access import actor_for
from tests.billing.office_claim_world import MONTH, make_case

PAGE = reverse("billing:office_claim")
NEW = reverse("billing:office_claim_kago_new")
MOVE = reverse("billing:office_claim_kago_move")
EVIDENCE = reverse("billing:office_claim_evidence")
FTE = reverse("billing:office_claim_fte")
REOPEN = reverse("billing:office_claim_reopen")
PRINT = reverse("billing:office_claim_kago_print")
MEISAI = reverse("billing:office_claim_kago_meisai")
LIST = reverse("billing:office_claim_kagos")


def today() -> dt.date:
    return timezone.localdate()


def sent_case(world, care_manager=None, **case):  # noqa: ANN001, ANN003, ANN201
    """A case of `care_manager` (default: the world's) and the month closed by the clerk."""
    client = make_case(world.office, care_manager or world.care_manager, **case)
    if close.month_close(world.office.pk, MONTH) is None:
        close.close_month(actor=actor_for(world.clerk), month=MONTH)
    return client


def sent_cases(world, count: int):  # noqa: ANN001, ANN201
    """`count` cases of the care manager, all in the close."""
    clients = [make_case(world.office, world.care_manager) for _ in range(count)]
    close.close_month(actor=actor_for(world.clerk), month=MONTH)
    return clients


def new_kago(world, client, **extra):  # noqa: ANN001, ANN003, ANN201
    values = {
        "same_month": False,
        "reason_code": "4002",
        "reason_text": "運営基準減算の算定漏れ",
        **extra,
    }
    return kago.create_kago(
        actor=actor_for(world.clerk), client_id=client.pk, month=MONTH, **values
    )


def move(http, row, action: str, on: dt.date | None = None, version: int | None = None):  # noqa: ANN001, ANN201
    data = {
        "month": "2026-12",
        "kago": row.pk,
        "action": action,
        "version": row.version if version is None else version,
    }
    if on is not None:
        data["on"] = on.isoformat()
    return http.post(MOVE, data)
