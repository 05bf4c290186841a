"""The month-start batch: every draft 給付管理票 of an office × month, then the 8222 file.

Single-flight: `start_batch` inserts a running `BatchRun`; the partial unique index refuses a
second running row of the same office × month × kind (→ `BatchAlreadyRunning`「実行中です」).
A running row older than `STALE_AFTER` (a worker killed without a redelivery) is marked
failed so a new start is possible.

Idempotent: `run_batch(run_id)` only refreshes the one draft per ticket (the partial unique
index `benefit_sheet_one_draft_per_ticket` forbids a second) and reuses the month's
`ClaimSubmission` whose sha256 equals the new file, so a re-run — or a redelivered task after
a crash mid-batch — finishes the work without duplicates and yields identical bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from billing.benefit.file8222 import Exchange8222, write_8222
from billing.benefit.preload import registers_by_ticket, rows_by_ticket
from billing.benefit.sheets import build_sheet, care_manager_numbers
from billing.models import ServiceTicket
from billing.models.benefit import (
    BatchRun,
    BatchStatus,
    BenefitManagementSheet,
    ClaimSubmission,
    SheetStatus,
)
from caremgmt.models import Office

KIND = "kyufu_kanri"
RUNNING_MESSAGE = "実行中です。終わるまでお待ちください。"
STALE_AFTER = dt.timedelta(minutes=30)
CHUNK = 200


class BatchAlreadyRunning(Exception):
    def __init__(self, run: BatchRun | None) -> None:
        super().__init__(RUNNING_MESSAGE)
        self.run = run


@dataclass
class BatchOutcome:
    run: BatchRun
    submission: ClaimSubmission | None
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def start_batch(office: Office, month: dt.date, *, actor_staff=None) -> BatchRun:  # noqa: ANN001
    """Insert the running row (its own transaction); refuse a second concurrent start."""
    BatchRun.objects.filter(
        office=office,
        month=month,
        kind=KIND,
        status=BatchStatus.RUNNING,
        started_at__lt=timezone.now() - STALE_AFTER,
    ).update(status=BatchStatus.FAILED, error="中断されました", finished_at=timezone.now())
    try:
        with transaction.atomic():
            return BatchRun.objects.create(
                office=office, month=month, kind=KIND, started_by=actor_staff
            )
    except IntegrityError as error:
        running = BatchRun.objects.filter(
            office=office, month=month, kind=KIND, status=BatchStatus.RUNNING
        ).first()
        raise BatchAlreadyRunning(running) from error


def month_tickets(office_id: int, month: dt.date):  # noqa: ANN201 - a QuerySet
    return (
        ServiceTicket.objects.filter(client__office_id=office_id, month=month)
        .select_related("client", "client__office")
        .prefetch_related(
            "provider_actuals",
            Prefetch(
                "benefit_sheets",
                queryset=BenefitManagementSheet.objects.order_by("-created_at", "-pk"),
            ),
        )
        .order_by("client__insured_number", "pk")
    )


def draft_sheets(office_id: int, month: dt.date) -> list[BenefitManagementSheet]:
    """The month's sheets to submit (one draft per ticket), with what the file needs."""
    return list(
        BenefitManagementSheet.objects.filter(
            ticket__client__office_id=office_id,
            ticket__month=month,
            status=SheetStatus.DRAFT,
        )
        .select_related("ticket__client")
        .order_by("insured_number", "ticket_id")
    )


def month_file(office: Office, month: dt.date) -> Exchange8222:
    """The 8222 file of the office-month from the stored drafts (raises ValidationError)."""
    return write_8222(
        draft_sheets(office.pk, month), office_number=office.office_number, month=month
    )


def _store_submission(
    office: Office, month: dt.date, exchange: Exchange8222, actor_staff
) -> ClaimSubmission:  # noqa: ANN001
    existing = ClaimSubmission.objects.filter(
        office=office, month=month, sha256=exchange.sha256
    ).first()
    if existing is not None:
        return existing
    return ClaimSubmission.objects.create(
        office=office,
        month=month,
        filename=exchange.filename,
        content=exchange.content,
        sha256=exchange.sha256,
        record_count=exchange.record_count,
        sheet_count=exchange.sheet_count,
        created_by=actor_staff,
    )


def presubmission_refusals(office: Office, month: dt.date) -> list[str]:
    """The batch writes no file while the pre-submission check (返戻予防) has blocking
    problems or unacknowledged warnings (`settings.BENEFIT_BATCH_REQUIRES_CHECK`, on by
    default; the file-format tests switch it off to exercise the writer alone)."""
    from django.conf import settings

    from billing.presubmission import check_month

    if not getattr(settings, "BENEFIT_BATCH_REQUIRES_CHECK", True):
        return []
    check = check_month(office, month)
    if check.can_submit:
        return []
    return [
        f"提出前チェックで、提出を止める誤りが{len(check.blocking)}件、未確認の警告が"
        f"{len(check.open_warnings)}件あります。直してから（警告は確認済みにしてから）"
        "もう一度実行してください。"
    ]


def run_batch(run_id: int) -> BatchOutcome | None:
    """Build every draft and write the file. None when the run is no longer running."""
    run = BatchRun.objects.select_related("office", "started_by").filter(pk=run_id).first()
    if run is None or run.status != BatchStatus.RUNNING:
        return None
    office, month = run.office, run.month
    ticket_ids = list(month_tickets(office.pk, month).values_list("pk", flat=True))
    run.total = len(ticket_ids)
    run.done = 0
    run.save(update_fields=["total", "done"])
    numbers = care_manager_numbers(office.pk)
    outcome = BatchOutcome(run=run, submission=None)
    today = timezone.localdate()
    for start in range(0, len(ticket_ids), CHUNK):
        chunk = list(
            month_tickets(office.pk, month).filter(pk__in=ticket_ids[start : start + CHUNK])
        )
        rows = rows_by_ticket(chunk)
        registers = registers_by_ticket(chunk, month)
        new_sheets: list[BenefitManagementSheet] = []
        with transaction.atomic():  # one chunk; a sheet error is raised before its write
            for ticket in chunk:
                try:
                    result = build_sheet(
                        ticket,
                        actor_staff=run.started_by,
                        cm_numbers=numbers,
                        today=today,
                        existing=ticket.benefit_sheets.all(),
                        rows=rows[ticket.pk],
                        register=registers[ticket.pk],
                        defer_create=True,
                    )
                except ValidationError as error:
                    outcome.errors.extend(error.messages)
                else:
                    outcome.warnings.extend(result.warnings)
                    if result.sheet is not None and result.sheet.pk is None:
                        new_sheets.append(result.sheet)
            BenefitManagementSheet.objects.bulk_create(new_sheets)
            run.done = start + len(chunk)
            BatchRun.objects.filter(pk=run.pk).update(done=run.done)
    if not outcome.errors:
        outcome.errors.extend(presubmission_refusals(office, month))
    if not outcome.errors:
        try:
            exchange = month_file(office, month)
        except ValidationError as error:
            outcome.errors.extend(error.messages)
        else:
            with transaction.atomic():
                outcome.submission = _store_submission(office, month, exchange, run.started_by)
                BenefitManagementSheet.objects.filter(
                    ticket__client__office=office, ticket__month=month, status=SheetStatus.DRAFT
                ).update(submission=outcome.submission)
    run.status = BatchStatus.FAILED if outcome.errors else BatchStatus.DONE
    run.error = "\n".join(outcome.errors)
    run.submission = outcome.submission
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "submission", "finished_at"])
    return outcome


def run_now(office: Office, month: dt.date, *, actor_staff=None) -> BatchOutcome | None:  # noqa: ANN001
    """Start and run in this process (the command, the bench, tests)."""
    run = start_batch(office, month, actor_staff=actor_staff)
    return run_batch(run.pk)
