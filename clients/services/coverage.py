"""Writes of 公費 and 給付制限 — the same rules as the 負担割合 history (see
`clients.services.burden_ratio_add`): lock the client, refuse overlaps with a Japanese
message at the field, let a new document starting inside the one in force end it the day
before, and correct by superseding (never by editing)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from caremgmt.access import Actor, require_writer
from clients.coverage import raise_for_public_expense_numbers
from clients.models import BenefitRestriction, Client, PublicExpense, RestrictionKind
from clients.services.common import _lock_client
from clients.services.histories import _period_text, _supersede

PERIOD_ORDER_MESSAGE = "有効期間の終了日は開始日以降の日付にしてください。"
RATE_REQUIRED_MESSAGE = "給付率引下げのときは引下げ後の給付率（%）を入力してください。"
RATE_RANGE_MESSAGE = "給付率は1〜89（%）の整数で入力してください。例：70、60"
RATE_NOT_FOR_REIMBURSEMENT = "償還払いのときは給付率を空欄にしてください。"


@transaction.atomic
def public_expense_add(
    *,
    actor: Actor,
    client: Client,
    law_number: str,
    payer_number: str,
    recipient_number: str,
    valid_from: dt.date,
    valid_to: dt.date,
    supersedes: PublicExpense | None = None,
    reason: str = "",
) -> PublicExpense:
    """Record a 公費受給者証. Several 公費 may run side by side (different 法別番号); a new
    one of the same 法別番号 starting inside the one in force ends that one the day before,
    any other overlap with the same 法別番号 is refused."""
    require_writer(actor)
    locked = _lock_client(client)
    raise_for_public_expense_numbers(
        law_number=law_number, payer_number=payer_number, recipient_number=recipient_number
    )
    if valid_to < valid_from:
        raise ValidationError({"valid_to": PERIOD_ORDER_MESSAGE})
    others = PublicExpense.objects.filter(client=locked, law_number=law_number).overlapping(
        valid_from, valid_to
    )
    if supersedes is not None:
        others = others.exclude(pk=supersedes.pk)
    to_end = []
    for other in others.order_by("valid_from"):
        if other.valid_from < valid_from <= other.effective_to:
            to_end.append(other)
            continue
        raise ValidationError(
            {
                "valid_from": f"有効期間が同じ法別番号の既存の公費（{_period_text(other)}）と"
                "重なっています。"
            }
        )
    for other in to_end:
        PublicExpense.objects.filter(pk=other.pk).update(ended_on=valid_from - dt.timedelta(days=1))
    public_expense = PublicExpense.objects.create(
        client=locked,
        law_number=law_number,
        payer_number=payer_number,
        recipient_number=recipient_number,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=actor.staff,
    )
    if supersedes is not None:
        _supersede(PublicExpense, supersedes, public_expense, reason)
    return public_expense


def _check_rate(kind: str, benefit_rate: int | None) -> None:
    if kind == RestrictionKind.RATE_REDUCTION:
        if benefit_rate is None:
            raise ValidationError({"benefit_rate": RATE_REQUIRED_MESSAGE})
        if not 1 <= benefit_rate < 90:
            raise ValidationError({"benefit_rate": RATE_RANGE_MESSAGE})
    elif kind == RestrictionKind.REIMBURSEMENT:
        if benefit_rate is not None:
            raise ValidationError({"benefit_rate": RATE_NOT_FOR_REIMBURSEMENT})
    else:
        raise ValidationError({"kind": "給付制限の種類を選んでください。"})


@transaction.atomic
def benefit_restriction_add(
    *,
    actor: Actor,
    client: Client,
    kind: str,
    benefit_rate: int | None,
    valid_from: dt.date,
    valid_to: dt.date,
    note: str = "",
    supersedes: BenefitRestriction | None = None,
    reason: str = "",
) -> BenefitRestriction:
    """Record a 給付制限 (給付率引下げ with the reduced rate, or 償還払い). One restriction
    at a time: a new one starting inside the one in force ends it the day before."""
    require_writer(actor)
    locked = _lock_client(client)
    _check_rate(kind, benefit_rate)
    if valid_to < valid_from:
        raise ValidationError({"valid_to": PERIOD_ORDER_MESSAGE})
    others = BenefitRestriction.objects.filter(client=locked).overlapping(valid_from, valid_to)
    if supersedes is not None:
        others = others.exclude(pk=supersedes.pk)
    to_end = []
    for other in others.order_by("valid_from"):
        if other.valid_from < valid_from <= other.effective_to:
            to_end.append(other)
            continue
        raise ValidationError(
            {"valid_from": f"有効期間が既存の給付制限（{_period_text(other)}）と重なっています。"}
        )
    for other in to_end:
        BenefitRestriction.objects.filter(pk=other.pk).update(
            ended_on=valid_from - dt.timedelta(days=1)
        )
    restriction = BenefitRestriction.objects.create(
        client=locked,
        kind=kind,
        benefit_rate=benefit_rate,
        note=note,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=actor.staff,
    )
    if supersedes is not None:
        _supersede(BenefitRestriction, supersedes, restriction, reason)
    return restriction
