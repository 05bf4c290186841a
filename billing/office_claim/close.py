"""送信済み: the office's 居宅介護支援費 claim of a month was sent to the 国保連.

Once 事務・管理者 marks a month 送信済み (`close_month`), nothing changes the claim of that
month silently: adding or deleting its ClaimEvidence and saving its 常勤換算 are refused
with `MonthClosedError` (services.py calls `refuse_if_closed` first), and the hospital-record
sync of monitoring leaves the month's evidence alone (`month_closed_for_client`). A
correction after sending is a 過誤申立て; 管理者 may undo the mark (`reopen_month`).

Every write of a month and the close itself take the same transaction-scoped advisory lock
of the office-month first, so a close cannot slip between a write's check and its commit
(the close then sees the written row in its snapshot, or the write sees the close).

What the records say now is still shown: later apps register a *record check* here (billing
may not import monitoring — tests/test_architecture.py):

    check(month, evidence_by_client) -> {client_id: [difference text, ...]}

`evidence_by_client` holds the month's ClaimEvidence rows of the claim's clients (as
`claim.office_month_claim` loaded them); a check answers for all of them in a fixed number
of queries. The claim page lists the texts under 「記録と請求の相違」 while the month is closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from billing.models.kago import OPEN_STATUSES, OfficeClaimKago
from billing.models.office_claim import ClaimEvidence, OfficeClaimMonthClose
from billing.office_claim.who import require_claim_writer, require_manager
from caremgmt.access import Actor
from caremgmt.models.organization import Role

CLOSED_MESSAGE = "この月の請求は送信済みです（{when} {who}）。訂正は過誤申立てで行います。"
ALREADY_CLOSED = "この月の請求は既に送信済みです（{when} {who}）。"
NOT_CLOSED = "この月の送信済みは既に取り消されています。"
HAS_KAGO = "この月には過誤申立てがあるため、送信済みを取り消せません。"
# Namespace of the office-month advisory lock (pg_advisory_xact_lock(int, int)): the office
# id and year*100+month are combined into the second key.
_LOCK_NAMESPACE = 4343

RecordCheck = Callable[[dt.date, Mapping[int, Sequence[ClaimEvidence]]], Mapping[int, list[str]]]
_checks: dict[str, RecordCheck] = {}


class MonthClosedError(Exception):
    """The month is 送信済み; nothing was written."""

    def __init__(self, close: OfficeClaimMonthClose) -> None:
        super().__init__("office claim month closed")
        self.close = close
        self.message = closed_message(close)


class AlreadyClosedError(MonthClosedError):
    """Someone marked the month 送信済み first (a second click); nothing was written."""

    def __init__(self, close: OfficeClaimMonthClose) -> None:
        super().__init__(close)
        self.message = ALREADY_CLOSED.format(**_when_who(close))


class NotClosedError(Exception):
    """The mark to undo is gone (already undone); nothing was written."""


class HasKagoError(Exception):
    """The month has 過誤申立て (they keep the mark); nothing was deleted."""


def _when_who(close: OfficeClaimMonthClose) -> dict[str, str]:
    day = timezone.localtime(close.closed_at).date()
    return {"when": f"{day.year}年{day.month}月{day.day}日", "who": close.closed_by_label}


def closed_message(close: OfficeClaimMonthClose) -> str:
    """「この月の請求は送信済みです（2026年12月8日 事務 山田）。訂正は過誤申立てで行います。」"""
    return CLOSED_MESSAGE.format(**_when_who(close))


def staff_label(actor: Actor) -> str:
    """「事務 山田 花子」: the role the person closes as (事務 before 管理者) and the name."""
    role = Role.CLERK if Role.CLERK in actor.roles else Role.OFFICE_MANAGER
    return f"{Role(role).label} {actor.staff.full_name}"[:100]


def lock_office_month(office_id: int, month: dt.date) -> None:
    """Serialize the writes of an office-month with its close (until the transaction ends)."""
    key = (office_id * 10000 + month.year * 100 + month.month) % 2_147_483_647
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, key])


def month_close(office_id: int, month: dt.date) -> OfficeClaimMonthClose | None:
    return OfficeClaimMonthClose.objects.filter(office_id=office_id, month=month).first()


def client_reopened(client_id: int, month: dt.date) -> bool:
    """Whether the client has an open 過誤申立て of `month` (作成済み・申立済み・過誤決定済み):
    their evidence of the month may then be written despite the close (kago.py)."""
    return OfficeClaimKago.objects.filter(
        client_id=client_id, month=month, status__in=OPEN_STATUSES
    ).exists()


def refuse_if_closed(office_id: int, month: dt.date, client_id: int | None = None) -> None:
    """Lock the office-month and raise MonthClosedError when it is 送信済み (call inside the
    write's transaction, before writing). A write of one client's evidence (`client_id`)
    passes while that client has an open 過誤申立て of the month; 常勤換算 (no client) never."""
    lock_office_month(office_id, month)
    close = month_close(office_id, month)
    if close is not None and not (client_id is not None and client_reopened(client_id, month)):
        raise MonthClosedError(close)


def month_closed_for_client(client_id: int, month: dt.date) -> bool:
    """Whether the client's office has sent `month` (the hospital-record sync asks this and
    then leaves the month's evidence alone) — False while the client has an open 過誤申立て
    of the month. Locks the office-month like the other writes."""
    from clients.models import Client

    office_id = Client.objects.filter(pk=client_id).values_list("office_id", flat=True).first()
    if office_id is None:
        return False
    lock_office_month(office_id, month)
    closed = OfficeClaimMonthClose.objects.filter(office_id=office_id, month=month).exists()
    return closed and not client_reopened(client_id, month)


def line_row(line) -> dict:  # noqa: ANN001 - ClaimLine
    """One claim line as `OfficeClaimMonthClose.lines` keeps it (kago.py keeps the same)."""
    return {
        "client_id": line.client.pk,
        "client_name": line.client.name,
        "level": f"{line.care_level_label}{line.band_label}",
        "codes": [[code.code, code.name, code.units] for code in line.codes],
        "total_units": line.total_units,
        "insurance_claim_yen": line.insurance_claim_yen,
        "billable": line.billable,
        "reasons": list(line.reasons),
    }


def _snapshot(claim) -> list[dict]:  # noqa: ANN001 - OfficeMonthClaim
    return [line_row(line) for line in claim.lines]


@transaction.atomic
def close_month(*, actor: Actor, month: dt.date, note: str = "") -> OfficeClaimMonthClose:
    """Mark the office's `month` 送信済み (事務・管理者), keeping the lines as claimed now.
    A second close of the month raises AlreadyClosedError (the unique constraint decides)."""
    from billing.office_claim.claim import office_month_claim
    from billing.office_claim.meisai_file import close_facts

    require_claim_writer(actor)
    office = actor.office
    lock_office_month(office.pk, month)
    existing = month_close(office.pk, month)
    if existing is not None:
        raise AlreadyClosedError(existing)
    claim = office_month_claim(office, month)
    lines = _snapshot(claim)
    facts = close_facts(office, claim)  # the 明細書 file's facts as sent (meisai_file.py)
    for row in lines:
        row["meisai"] = facts[row["client_id"]]
    try:
        with transaction.atomic():
            return OfficeClaimMonthClose.objects.create(
                office=office,
                month=month,
                closed_by=actor.staff,
                closed_by_label=staff_label(actor),
                note=note[:300],
                total_units=claim.total_units,
                billable_yen=claim.billable_yen,
                lines=lines,
            )
    except IntegrityError as error:  # closed by someone else in between
        found = month_close(office.pk, month)
        if found is None:
            raise
        raise AlreadyClosedError(found) from error


@transaction.atomic
def reopen_month(*, actor: Actor, month: dt.date, close_id: int | None) -> None:
    """Undo 送信済み (管理者 only; others 404). `close_id` is the mark the page showed: a mark
    already undone (or replaced by a newer one) raises NotClosedError, nothing deleted."""
    require_manager(actor)
    lock_office_month(actor.office.pk, month)
    try:
        deleted, _ = OfficeClaimMonthClose.objects.filter(
            office=actor.office, month=month, pk=close_id
        ).delete()
    except ProtectedError as error:  # a 過誤申立て refers to the mark (models/kago.py)
        raise HasKagoError from error
    if not deleted:
        raise NotClosedError


# --- record checks (registered by later apps) -------------------------------------------------
def register_record_check(check: RecordCheck, *, name: str = "") -> None:
    """Register `check` (see the module docstring); the same `name` again replaces it."""
    _checks[name or f"{check.__module__}.{check.__qualname__}"] = check


def unregister_record_check(name: str) -> None:
    _checks.pop(name, None)


def record_differences(month: dt.date, lines: Sequence) -> dict[int, list[str]]:
    """{client id: [difference text]} of the claim's lines (ClaimLine) from every registered
    check, each asked once for all clients."""
    if not lines:
        return {}
    evidence = {line.client.pk: list(line.evidence) for line in lines}
    found: dict[int, list[str]] = {}
    for check in _checks.values():
        for client_id, texts in check(month, evidence).items():
            if client_id in evidence and texts:
                found.setdefault(client_id, []).extend(texts)
    return found
