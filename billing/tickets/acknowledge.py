"""Acknowledging a plan-check warning on a ticket (介護支援専門員・主任・管理者).

An acknowledgement is append-only: one row per (ticket, rule, subject_key) with who and why.
It is refused when the warning is not (or no longer) on the ticket, when it is an error that
must be fixed instead, when someone already acknowledged it (their note is named), and on a
claimed month. It does not change the ticket's content, so it does not bump `version`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from billing.models import ServiceTicket, TicketCheckAcknowledgement
from billing.tickets.checks import TicketWarning, ticket_warnings
from billing.tickets.compute import CLAIMED_MESSAGE, ticket_figures
from caremgmt.access import Actor, require_plan_writer

NOTE_REQUIRED = "確認した内容（理由）を入力してください。"
NOT_FOUND = "この警告は現在の利用票にはありません（内容が変わった可能性があります）。"
ERROR_NOT_ACKNOWLEDGEABLE = "この項目はエラーのため確認済みにできません。利用票を修正してください。"


def _already(ack: TicketCheckAcknowledgement) -> str:
    by = getattr(ack.acknowledged_by, "full_name", "") or str(ack.acknowledged_by)
    return f"この警告は{by}さんが確認済みにしています（{ack.note}）。"


@transaction.atomic
def acknowledge_warning(
    *, actor: Actor, ticket: ServiceTicket, rule: str, subject_key: str, note: str
) -> tuple[TicketCheckAcknowledgement, TicketWarning]:
    """Record that the office checked one warning (rule + subject) and why."""
    require_plan_writer(actor)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": NOTE_REQUIRED})
    if len(note) > 300:
        raise ValidationError({"note": "確認内容は300文字以内で入力してください。"})
    locked = ServiceTicket.objects.select_for_update().get(pk=ticket.pk)
    if locked.is_claimed:
        raise ValidationError(CLAIMED_MESSAGE)
    existing = (
        TicketCheckAcknowledgement.objects.filter(ticket=locked, rule=rule, subject_key=subject_key)
        .select_related("acknowledged_by")
        .first()
    )
    if existing is not None:
        raise ValidationError(_already(existing))
    warning = next(
        (
            w
            for w in ticket_warnings(locked, ticket_figures(locked))
            if w.rule == rule and w.subject_key == subject_key
        ),
        None,
    )
    if warning is None:
        raise ValidationError(NOT_FOUND)
    if warning.severity != "warning":
        raise ValidationError(ERROR_NOT_ACKNOWLEDGEABLE)
    try:
        with transaction.atomic():
            ack = TicketCheckAcknowledgement.objects.create(
                ticket=locked,
                rule=rule,
                subject_key=subject_key,
                note=note,
                acknowledged_by=actor.staff,
            )
    except IntegrityError as error:  # pragma: no cover - the ticket row lock serialises
        raise ValidationError("この警告はすでに確認済みです。") from error
    return ack, warning
