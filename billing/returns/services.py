"""返戻・保留・過誤 (issue 11 §7): mark a file submitted, record the 国保連's results, prepare
the correction, and the month dashboard. Plain functions; views only call these.

Status moves of a `BenefitManagementSheet`:

* draft (in a file) → submitted: `mark_submitted` (提出日 on the `ClaimSubmission`);
* submitted → accepted (受付) / returned (返戻, `return_reason` "[事由コード] 事由");
* 保留 (a provider's claim held at the 国保連) keeps the status and stores the note on
  `return_reason` prefixed with `HOLD_PREFIX`;
* returned → a new 新規 draft (`build_sheet` supersedes the returned sheet);
* accepted → 修正 (2) / 取消 (3) draft via `build_correction`.

Results are checked against the status the form was loaded with (`expected_status`): a sheet
whose status moved in between is refused (`StaleEditError`), nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404

from billing.benefit.batch import month_file
from billing.benefit.sheets import build_correction, build_sheet
from billing.models import ServiceTicket
from billing.models.benefit import (
    BenefitManagementSheet,
    ClaimSubmission,
    SheetKind,
    SheetStatus,
)
from billing.selectors import tickets_of_month
from caremgmt.access import Actor, require_writer, visible
from caremgmt.locking import StaleEditError

RESULT_ACCEPTED = "受付"
RESULT_RETURNED = "返戻"
RESULT_HELD = "保留"
RESULTS = (RESULT_ACCEPTED, RESULT_RETURNED, RESULT_HELD)
HOLD_PREFIX = "保留："
MAX_REASON = 300
CHANGED_MESSAGE = (
    "ファイルを作成した後に給付管理票が変わっています。給付管理票を作り直してから提出してください。"
)
STALE_MESSAGE = "他の人がこの給付管理票の状態を変更しました。画面を更新してから入力してください。"


def require_office_writer(actor: Actor | None) -> None:
    """事務/管理者 (office-wide writers) only; everyone else 404 (require_writer's rule)."""
    require_writer(actor)
    if not actor.sees_whole_office:
        raise Http404("見つかりません。")


@transaction.atomic
def mark_submitted(
    actor: Actor, submission_id: int, submitted_on: dt.date
) -> tuple[ClaimSubmission, int]:
    """Record 提出日 on a file; its draft sheets become 提出済. Idempotent: a file already
    submitted is returned unchanged (0 sheets moved). Refused when the month's drafts no
    longer give the file's bytes (a sheet changed since the file was written)."""
    require_office_writer(actor)
    submission = (
        ClaimSubmission.objects.select_for_update()
        .filter(pk=submission_id, office=actor.office)
        .first()
    )
    if submission is None:
        raise Http404("見つかりません。")
    if submission.submitted_on is not None:
        return submission, 0
    drafts = BenefitManagementSheet.objects.select_for_update().filter(
        ticket__client__office=actor.office, ticket__month=submission.month, status="draft"
    )
    draft_ids = set(drafts.values_list("pk", flat=True))
    in_file = set(
        BenefitManagementSheet.objects.filter(submission=submission).values_list("pk", flat=True)
    )
    if not draft_ids or draft_ids != in_file:
        raise ValidationError(CHANGED_MESSAGE)
    try:
        current = month_file(actor.office, submission.month)
    except ValidationError as error:
        raise ValidationError(CHANGED_MESSAGE) from error
    if current.sha256 != submission.sha256:
        raise ValidationError(CHANGED_MESSAGE)
    submission.submitted_on = submitted_on
    submission.save(update_fields=["submitted_on"])
    moved = drafts.filter(pk__in=in_file).update(status=SheetStatus.SUBMITTED)
    return submission, moved


def format_reason(result: str, code: str, reason: str) -> str:
    code, reason = code.strip(), " ".join(reason.split())
    text = f"[{code}] {reason}".strip() if code else reason
    if result == RESULT_HELD:
        text = HOLD_PREFIX + text
    return text[:MAX_REASON]


def validate_result(result: str, code: str, reason: str) -> list[str]:
    """Problems of one typed/imported result (Japanese, empty when fine)."""
    problems = []
    if result not in RESULTS:
        problems.append("結果は「受付」「返戻」「保留」のいずれかを入力してください。")
    if result in (RESULT_RETURNED, RESULT_HELD) and not (code.strip() or reason.strip()):
        problems.append(f"{result}の事由コードまたは事由を入力してください。")
    if len(code.strip()) > 10:
        problems.append("事由コードは10文字以内で入力してください。")
    return problems


def apply_result(
    sheet: BenefitManagementSheet, result: str, code: str = "", reason: str = ""
) -> bool:
    """Apply one result to a locked sheet; True when something changed. Raises
    ValidationError for a move the status does not allow."""
    problems = validate_result(result, code, reason)
    if problems:
        raise ValidationError(problems)
    if result == RESULT_HELD:
        if sheet.status not in (SheetStatus.SUBMITTED, SheetStatus.ACCEPTED):
            raise ValidationError("保留は提出済・受付済の給付管理票にのみ記録できます。")
        note = format_reason(result, code, reason)
        if sheet.return_reason == note:
            return False
        sheet.return_reason = note
        sheet.save(update_fields=["return_reason"])
        return True
    target = SheetStatus.ACCEPTED if result == RESULT_ACCEPTED else SheetStatus.RETURNED
    note = format_reason(result, code, reason) if target == SheetStatus.RETURNED else ""
    if sheet.status == target and sheet.return_reason == note:
        return False  # the same result again: idempotent
    if sheet.status != SheetStatus.SUBMITTED:
        raise ValidationError(
            f"{sheet.get_status_display()}の給付管理票には結果を記録できません（提出済のみ）。"
        )
    sheet.status = target
    sheet.return_reason = note
    sheet.save(update_fields=["status", "return_reason"])
    return True


@transaction.atomic
def record_result(
    actor: Actor,
    sheet_id: int,
    *,
    result: str,
    code: str = "",
    reason: str = "",
    expected_status: str | None = None,
) -> BenefitManagementSheet:
    require_office_writer(actor)
    sheet = (
        visible(BenefitManagementSheet.objects.select_for_update(), actor)
        .filter(pk=sheet_id)
        .first()
    )
    if sheet is None:
        raise Http404("見つかりません。")
    if expected_status is not None and sheet.status != expected_status:
        raise StaleEditError(sheet, [])
    apply_result(sheet, result, code, reason)
    return sheet


@transaction.atomic
def prepare_correction(
    actor: Actor, sheet_id: int, *, kind: str = "", today: dt.date | None = None
) -> BenefitManagementSheet:
    """返戻 → a new 新規 draft (superseding it); 受付済 → a 修正/取消 draft."""
    require_office_writer(actor)
    sheet = (
        visible(BenefitManagementSheet.objects.select_for_update(), actor)
        .select_related("ticket__client__office")
        .filter(pk=sheet_id)
        .first()
    )
    if sheet is None:
        raise Http404("見つかりません。")
    ticket = ServiceTicket.objects.select_for_update().get(pk=sheet.ticket_id)
    if sheet.status == SheetStatus.RETURNED:
        latest = ticket.benefit_sheets.order_by("-created_at", "-pk").first()
        if latest.pk != sheet.pk:
            raise ValidationError("この返戻にはすでに新しい給付管理票があります。")
        outcome = build_sheet(ticket, actor_staff=actor.staff, today=today)
        if outcome.sheet is None:
            raise ValidationError("この月には給付管理の対象となるサービスがありません。")
        return outcome.sheet
    if sheet.status == SheetStatus.ACCEPTED:
        if kind not in (SheetKind.CORRECTION, SheetKind.CANCEL):
            raise ValidationError("作成区分は修正または取消を選んでください。")
        return build_correction(sheet, kind=kind, actor_staff=actor.staff, today=today)
    raise ValidationError("修正の準備は返戻または受付済の給付管理票に対してのみできます。")


# --- the page ------------------------------------------------------------------------

DASH_SUBMITTED = "提出済"
DASH_ACCEPTED = "受付"
DASH_RETURNED = "返戻"
DASH_UNSUBMITTED = "未提出"
DASH_LABELS = (DASH_SUBMITTED, DASH_ACCEPTED, DASH_RETURNED, DASH_UNSUBMITTED)


@dataclass
class ReturnsRow:
    ticket: ServiceTicket
    sheets: list[BenefitManagementSheet]  # newest first: the client-month's history

    @property
    def latest(self) -> BenefitManagementSheet | None:
        return self.sheets[0] if self.sheets else None

    @property
    def dashboard_status(self) -> str:
        latest = self.latest
        if latest is None or latest.status in (SheetStatus.DRAFT, SheetStatus.WITHDRAWN):
            return DASH_UNSUBMITTED
        return {
            SheetStatus.SUBMITTED: DASH_SUBMITTED,
            SheetStatus.ACCEPTED: DASH_ACCEPTED,
            SheetStatus.RETURNED: DASH_RETURNED,
        }[latest.status]

    @property
    def held_note(self) -> str:
        latest = self.latest
        if latest and latest.return_reason.startswith(HOLD_PREFIX):
            return latest.return_reason
        return ""


@dataclass
class Dashboard:
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DASH_LABELS, 0))
    per_manager: list[tuple[str, dict[str, int]]] = field(default_factory=list)


def returns_rows(actor: Actor, month: dt.date) -> list[ReturnsRow]:
    """The visible client-months of the month with every sheet (3 queries)."""
    tickets = (
        tickets_of_month(actor, month)
        .select_related("client__care_manager")
        .prefetch_related(
            Prefetch(
                "benefit_sheets",
                queryset=BenefitManagementSheet.objects.select_related("submission", "created_by")
                .defer("submission__content")
                .order_by("-created_at", "-pk"),
            )
        )
        .order_by("client__name_kana", "pk")
    )
    return [
        ReturnsRow(ticket=ticket, sheets=list(ticket.benefit_sheets.all())) for ticket in tickets
    ]


def dashboard(rows: list[ReturnsRow]) -> Dashboard:
    board = Dashboard()
    managers: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DASH_LABELS, 0))
    for row in rows:
        status = row.dashboard_status
        board.totals[status] += 1
        manager = row.ticket.client.care_manager
        managers[manager.full_name if manager else "（担当なし）"][status] += 1
    board.per_manager = sorted(managers.items())
    return board


def submittable_files(actor: Actor, month: dt.date) -> list[ClaimSubmission]:
    if not actor.sees_whole_office:
        return []
    return list(
        ClaimSubmission.objects.filter(office=actor.office, month=month)
        .defer("content")
        .order_by("-created_at", "-pk")[:5]
    )
