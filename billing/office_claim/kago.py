"""過誤申立て of the office's own 居宅介護支援費 claim (models/kago.py; docs/office_claim.md).

Writes (事務・管理者; others 404) take the office-month lock of close.py first, like every
write of a month, and raise `ValidationError` with field messages on bad input (nothing
written). A transition names the version the page showed: a stale one raises
`StaleKagoError` (409, nothing written); an illegal move raises `IllegalKagoMove`.

While a client's 過誤 of a month is open (作成済み・申立済み・過誤決定済み), close.py lets that
client's evidence of the month be written again and the hospital sync write it
(`close.client_reopened`); 常勤換算 stays frozen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from billing.models.kago import OPEN_STATUSES, KagoStatus, OfficeClaimKago
from billing.office_claim import kago_codes
from billing.office_claim.close import line_row, lock_office_month, month_close
from billing.office_claim.who import require_claim_writer
from caremgmt.access import Actor, visible

NOT_SENT = "この利用者のこの月の請求は送信していません。過誤申立てではなく通常の請求で行います。"
MONTH_NOT_CLOSED = "この月の請求はまだ送信済みではありません。過誤申立ては送信済みの月に行います。"
OPEN_EXISTS = "この利用者のこの月には「{status}」の過誤申立てがあります。"
STALE = "他の人が先にこの過誤申立てを更新しました。"
NOT_BILLABLE_NOW = "現在の計算ではこの利用者の請求は請求不可です：{reasons}"

# action → (label, from statuses, to status, date field)
ACTIONS = {
    "file": ("申立済みにする", (KagoStatus.DRAFT,), KagoStatus.FILED, "filed_on"),
    "withdraw": ("過誤決定済みにする", (KagoStatus.FILED,), KagoStatus.WITHDRAWN, "decided_on"),
    "rebill": ("再請求済みにする", (KagoStatus.WITHDRAWN,), KagoStatus.REBILLED, "rebilled_on"),
    "cancel": ("取りやめる", OPEN_STATUSES, KagoStatus.CANCELLED, "cancelled_on"),
}
DATE_LABELS = {"filed_on": "提出日", "decided_on": "過誤決定日", "rebilled_on": "再請求日"}


class StaleKagoError(Exception):
    """The 過誤 moved on after the page was loaded; nothing was written."""

    message = STALE


class IllegalKagoMove(Exception):  # noqa: N818 - a refused move, not a failure
    """The move does not fit the 過誤's status; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _today() -> dt.date:
    return timezone.localdate()


def sent_row(close, client_id: int) -> dict | None:  # noqa: ANN001 - OfficeClaimMonthClose
    return next((row for row in close.lines if row.get("client_id") == client_id), None)


@transaction.atomic
def create_kago(
    *,
    actor: Actor,
    client_id: int,
    month: dt.date,
    same_month: bool,
    reason_code: str,
    reason_text: str,
) -> OfficeClaimKago:
    """A 作成済み 過誤 of the client's line of a 送信済み month (the line as sent is copied)."""
    from clients.models import Client

    require_claim_writer(actor)
    client = visible(Client.objects.all(), actor).filter(pk=client_id).first()
    if client is None:
        raise Http404("見つかりません。")
    lock_office_month(actor.office.pk, month)
    close = month_close(actor.office.pk, month)
    if close is None:
        raise ValidationError({NON_FIELD_ERRORS: MONTH_NOT_CLOSED})
    row = sent_row(close, client.pk)
    errors: dict[str, str] = {}
    if row is None or not row.get("billable"):
        errors["client"] = NOT_SENT
    reason_code = (reason_code or "").strip().upper()
    if not kago_codes.CODE_PATTERN.match(reason_code):
        errors["reason_code"] = "申立事由コードは英数字4桁で選んでください（例：4002）。"
    reason_text = (reason_text or "").strip()
    if not reason_text:
        errors["reason_text"] = "申立理由を入力してください。"
    elif len(reason_text) > 200:
        errors["reason_text"] = "申立理由は200文字以内で入力してください。"
    open_one = (
        OfficeClaimKago.objects.filter(client=client, month=month, status__in=OPEN_STATUSES)
        .only("status")
        .first()
    )
    if open_one is not None:
        errors["client"] = OPEN_EXISTS.format(status=open_one.get_status_display())
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return OfficeClaimKago.objects.create(
                office=actor.office,
                client=client,
                month=month,
                close=close,
                same_month=same_month,
                reason_code=reason_code,
                reason_text=reason_text,
                sent_line=dict(row),
                created_by=actor.staff,
            )
    except IntegrityError as error:  # another 過誤 was saved in between
        raise ValidationError({"client": OPEN_EXISTS.format(status="作成済み")}) from error


def _live_row(kago: OfficeClaimKago) -> dict:
    """The client's line of the live claim of the month (close.lines' shape)."""
    from billing.office_claim.claim import office_month_claim

    claim = office_month_claim(kago.office, kago.month)
    line = next((line for line in claim.lines if line.client.pk == kago.client_id), None)
    if line is None:
        raise ValidationError({"on": NOT_BILLABLE_NOW.format(reasons="対象の利用者ではありません")})
    if not line.billable:
        raise ValidationError({"on": NOT_BILLABLE_NOW.format(reasons="／".join(line.reasons))})
    return line_row(line)


def _check_date(kago: OfficeClaimKago, field: str, on: dt.date | None, today: dt.date) -> None:
    if field == "cancelled_on":
        return
    label = DATE_LABELS[field]
    if on is None:
        raise ValidationError({"on": f"{label}を入力してください。"})
    if on > today:
        raise ValidationError({"on": f"{label}に未来の日付は入力できません。"})
    earlier = [
        (DATE_LABELS[name], getattr(kago, name))
        for name in ("filed_on", "decided_on")
        if name != field and getattr(kago, name) is not None
    ]
    for name, day in earlier:
        if on < day:
            raise ValidationError(
                {
                    "on": f"{label}は{name}（{day.year}年{day.month}月{day.day}日）以降にしてください。"
                }
            )


@transaction.atomic
def move_kago(
    *,
    actor: Actor,
    kago_id: int,
    action: str,
    expected_version: int | None,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> OfficeClaimKago:
    """申立済み (提出日) / 過誤決定済み (決定日) / 再請求済み (再請求日, keeps the live line) /
    取りやめ. 同月過誤 goes from 申立済み straight to 再請求済み (withdrawn and re-billed at once)."""
    require_claim_writer(actor)
    found = visible(OfficeClaimKago.objects.all(), actor).filter(pk=kago_id).first()
    if found is None or action not in ACTIONS:
        raise Http404("見つかりません。")
    lock_office_month(found.office_id, found.month)
    kago = OfficeClaimKago.objects.select_for_update().select_related("office").get(pk=found.pk)
    if expected_version is None or kago.version != expected_version:
        raise StaleKagoError
    label, _sources, target, field = ACTIONS[action]
    if kago.status not in _sources_of(action, kago):
        raise IllegalKagoMove(
            f"この過誤申立ては「{kago.get_status_display()}」のため、{label}ことはできません。"
        )
    today = today or _today()
    _check_date(kago, field, on, today)
    if action == "rebill":
        kago.rebilled_line = _live_row(kago)
    setattr(kago, field, today if field == "cancelled_on" else on)
    kago.status = target
    kago.version += 1
    kago.save()
    return kago


# --- reading ---------------------------------------------------------------------------------
@dataclass
class KagoRow:
    kago: OfficeClaimKago
    sent_units: int
    sent_yen: int
    current_units: int | None  # the live line (None: no line now)
    current_yen: int | None
    actions: list[tuple[str, str, str]]  # (action, button label, date label or "")
    error: str = ""  # a refused move's field message (the page re-rendered)
    conflict: str = ""  # stale version / illegal move

    @property
    def difference_yen(self) -> int | None:
        return None if self.current_yen is None else self.current_yen - self.sent_yen

    @property
    def difference_units(self) -> int | None:
        return None if self.current_units is None else self.current_units - self.sent_units

    @property
    def code_label(self) -> str:
        return kago_codes.code_label(self.kago.reason_code)


def _sources_of(action: str, kago: OfficeClaimKago) -> tuple[str, ...]:
    """The statuses `action` may start from (同月過誤 re-bills from 申立済み too)."""
    if action == "rebill" and kago.same_month:
        return (KagoStatus.FILED, KagoStatus.WITHDRAWN)
    return ACTIONS[action][1]


def next_actions(kago: OfficeClaimKago) -> list[tuple[str, str, str]]:
    found = []
    for action, (label, _sources, _target, field) in ACTIONS.items():
        if kago.status in _sources_of(action, kago):
            found.append((action, label, DATE_LABELS.get(field, "")))
    return found


def month_kagos(office, month: dt.date, client_ids: Iterable[int] | None = None):  # noqa: ANN001, ANN201
    """The month's 過誤 (one query), optionally only those of `client_ids`."""
    rows = OfficeClaimKago.objects.filter(office=office, month=month).select_related("client")
    if client_ids is not None:
        rows = rows.filter(client_id__in=list(client_ids))
    return list(rows.order_by("client__name_kana", "client_id", "-created_at", "-pk"))


def kago_rows(
    kagos: Iterable[OfficeClaimKago],
    lines,  # noqa: ANN001
    *,
    errors: dict[int, str] | None = None,
    conflicts: dict[int, str] | None = None,
) -> list[KagoRow]:
    """Page rows: sent vs current figures (`lines`: the live ClaimLines already loaded), with
    the messages of a refused move."""
    live = {line.client.pk: line for line in lines}
    errors, conflicts = errors or {}, conflicts or {}
    rows = []
    for kago in kagos:
        line = live.get(kago.client_id)
        rows.append(
            KagoRow(
                kago=kago,
                sent_units=int(kago.sent_line.get("total_units", 0)),
                sent_yen=int(kago.sent_line.get("insurance_claim_yen", 0)),
                current_units=line.total_units if line is not None else None,
                current_yen=line.insurance_claim_yen if line is not None else None,
                actions=next_actions(kago),
                error=errors.get(kago.pk, ""),
                conflict=conflicts.get(kago.pk, ""),
            )
        )
    return rows


def rebill_client_ids(office, month: dt.date) -> list[int]:  # noqa: ANN001
    """Clients whose line is re-billed in the month's 再請求分 file: 過誤決定済み, or 同月過誤
    申立済み (withdrawn and re-billed together)."""
    from django.db.models import Q

    return list(
        OfficeClaimKago.objects.filter(office=office, month=month)
        .filter(Q(status=KagoStatus.WITHDRAWN) | Q(status=KagoStatus.FILED, same_month=True))
        .values_list("client_id", flat=True)
    )
