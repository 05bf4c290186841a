"""Print the whole month (一括印刷): the request side — start, progress, retry, lookups.

A run covers every ticket of a month in one scope: one care manager's caseload (their own
run, or one the office starts for them) or the whole office (管理者・事務). The web request
only creates the `PrintRun` row and enqueues `billing.build_print_run` after commit; the
worker builds each ticket's snapshot and requests its documents through
`billing.printing.request_ticket_print` (PrintJob, content-hash cached), the render tasks run
on the `pdf` queue, and once every document is done the progress poll (or the build itself,
when everything was reused) moves the run to merging and enqueues `billing.merge_print_run`,
which stores one merged PDF per care manager.

Access: writers (介護支援専門員・主任・管理者・事務) start and re-run; 監査 may view and
download (printing counts as reading, docs/printing.md) but not start. A care manager's runs
are visible to them and to the office roles; office runs to the office roles only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from billing.models import (
    PrintRun,
    PrintRunItem,
    PrintRunMerge,
    PrintRunStatus,
)
from billing.models.print_run import ACTIVE_STATUSES
from billing.print_run_worker import Counts, claim_merge, move_run, run_counts
from billing.printing import DOCUMENTS
from billing.tasks import build_print_run, merge_print_run
from caremgmt.access import CASELOAD_ROLES, Actor, get_visible_or_404, visible
from caremgmt.models import Membership, PrintJob, Staff
from caremgmt.models.printing import PrintJobStatus
from caremgmt.printing import services as printing_services
from caremgmt.printing.tasks import render_print_job
from clients.models import ServiceProvider

BUSY_MESSAGE = "同じ範囲の一括印刷が実行中です。終わるまでお待ちください。"
DONE_MESSAGE = "この一括印刷は完了しています。もう一度印刷するときは新しく開始してください。"
#: No progress for this long while building/merging: the worker probably died; offer 再実行.
STALE_AFTER = dt.timedelta(minutes=5)
FAILURES_SHOWN = 50


class PrintRunBusy(Exception):
    """A run for the same office, month and scope is active (the partial unique index said so)."""

    def __init__(self, run: PrintRun | None) -> None:
        super().__init__(BUSY_MESSAGE)
        self.run = run


# --- lookups ------------------------------------------------------------------------------


def runs_for(actor: Actor | None) -> QuerySet[PrintRun]:
    """Visible runs, newest first, with their document counts (one query)."""
    return (
        visible(PrintRun.objects.all(), actor)
        .select_related("care_manager", "started_by")
        .annotate(
            document_total=Count("items"),
            documents_done=Count("items", filter=Q(items__job__status=PrintJobStatus.DONE)),
        )
        .order_by("-created_at", "-pk")
    )


def run_for(actor: Actor | None, pk: int) -> PrintRun:
    return get_visible_or_404(
        PrintRun.objects.select_related("care_manager", "started_by"), actor, pk=pk
    )


def merge_for(actor: Actor | None, run_pk: int, merge_pk: int) -> PrintRunMerge:
    return get_visible_or_404(
        PrintRunMerge.objects.filter(run_id=run_pk).select_related("run"), actor, pk=merge_pk
    )


def care_manager_choices(actor: Actor) -> list[Staff]:
    """Whose caseload the actor may print: office roles any care manager of the office,
    a care manager only their own."""
    if actor.office is None:
        return []
    if not actor.sees_whole_office:
        return [actor.staff] if actor.has_caseload else []
    ids = Membership.objects.filter(
        office=actor.office, is_active=True, role__in=CASELOAD_ROLES
    ).values("staff_id")
    return list(Staff.objects.filter(pk__in=ids, is_active=True).order_by("full_name_kana", "pk"))


# --- start and re-run -------------------------------------------------------------------------


def _require_writer(actor: Actor | None) -> None:
    if actor is None or actor.office is None or not actor.can_write:
        raise PermissionDenied("一括印刷を開始する権限がありません。")


def resolve_scope(actor: Actor, care_manager_id: int | None) -> int | None:
    """The run's care manager (None = the whole office) the actor may print."""
    if not actor.sees_whole_office:
        if not actor.has_caseload:
            raise PermissionDenied("一括印刷を開始する権限がありません。")
        if care_manager_id not in (None, actor.staff.pk):
            raise ValidationError({"care_manager": "ご自分の担当利用者だけを印刷できます。"})
        return actor.staff.pk
    if care_manager_id is None:
        return None
    if care_manager_id not in {staff.pk for staff in care_manager_choices(actor)}:
        raise ValidationError({"care_manager": "この事業所の介護支援専門員を選んでください。"})
    return care_manager_id


def start_print_run(
    *, actor: Actor, month: dt.date, care_manager_id: int | None = None
) -> PrintRun:
    """Create the run and enqueue its build after commit. Raises PrintRunBusy when a run for
    the same scope is active — decided by the database (partial unique index), so two
    simultaneous clicks cannot both start."""
    _require_writer(actor)
    if month.day != 1:
        raise ValidationError({"month": "年月を指定してください。"})
    scope = resolve_scope(actor, care_manager_id)
    try:
        with transaction.atomic():
            run = PrintRun.objects.create(
                office=actor.office, month=month, care_manager_id=scope, started_by=actor.staff
            )
    except IntegrityError:
        active = PrintRun.objects.filter(
            office=actor.office, month=month, care_manager_id=scope, status__in=ACTIVE_STATUSES
        ).first()
        raise PrintRunBusy(active) from None
    build_print_run.delay_on_commit(run.pk)
    return run


def _failed_jobs(run: PrintRun) -> list[PrintJob]:
    job_ids = PrintRunItem.objects.filter(run=run).values("job_id")
    limit = dt.timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 360) + 30)
    return list(
        PrintJob.objects.filter(pk__in=job_ids).filter(
            Q(status=PrintJobStatus.FAILED)
            | Q(status=PrintJobStatus.RENDERING, started_at__lt=timezone.now() - limit)
        )
    )


def _requeue_lost_renders(run: PrintRun) -> int:
    """Jobs still queued long after they were requested: their message was lost (a broker
    restart, a purge). Sending it again is safe: the render claims queued → rendering, so a
    duplicate message does nothing."""
    job_ids = PrintRunItem.objects.filter(run=run).values("job_id")
    lost = list(
        PrintJob.objects.filter(
            pk__in=job_ids,
            status=PrintJobStatus.QUEUED,
            created_at__lt=timezone.now() - STALE_AFTER,
        ).values_list("pk", flat=True)
    )
    for job_id in lost:
        render_print_job.delay_on_commit(job_id)
    return len(lost)


def retry_print_run(*, actor: Actor, run: PrintRun) -> PrintRun:
    """再実行: queue failed (or stuck) documents again and build what is missing. Safe to
    press any time: every step is idempotent, so each document ends up in the run once."""
    _require_writer(actor)
    with transaction.atomic():
        run.refresh_from_db()
        if run.status == PrintRunStatus.DONE:
            raise ValidationError(DONE_MESSAGE)
        for job in _failed_jobs(run):
            # IllegalPrintJobTransition: someone else queued it meanwhile.
            with contextlib.suppress(printing_services.IllegalPrintJobTransition):
                printing_services.print_job_retry(actor=actor, job=job)
        _requeue_lost_renders(run)
        if run.status == PrintRunStatus.MERGING:
            merge_print_run.delay_on_commit(run.pk)
        else:
            try:
                with transaction.atomic():
                    moved = move_run(
                        run.pk,
                        (
                            PrintRunStatus.QUEUED,
                            PrintRunStatus.BUILDING,
                            PrintRunStatus.RENDERING,
                            PrintRunStatus.FAILED,
                        ),
                        PrintRunStatus.QUEUED,
                        error="",
                        finished_at=None,
                    )
            except IntegrityError:  # a failed run came back while a new one is active
                active = PrintRun.objects.filter(
                    office_id=run.office_id,
                    month=run.month,
                    care_manager_id=run.care_manager_id,
                    status__in=ACTIVE_STATUSES,
                ).first()
                raise PrintRunBusy(active) from None
            if moved:
                build_print_run.delay_on_commit(run.pk)
    run.refresh_from_db()
    return run


# --- progress ------------------------------------------------------------------------------


@dataclass
class RunProgress:
    run: PrintRun
    counts: Counts
    failures: list[PrintRunItem] = field(default_factory=list)
    merges: list[PrintRunMerge] = field(default_factory=list)

    @property
    def polling(self) -> bool:
        return self.run.is_active and not self.stale

    @property
    def stale(self) -> bool:
        """No sign of life for STALE_AFTER: the worker died or a message was lost."""
        if not self.run.is_active:
            return False
        latest = self.run.updated_at
        if self.run.status == PrintRunStatus.RENDERING:
            if not self.counts.pending:
                return False
            latest = max(latest, self.counts.last_activity or latest)
        return timezone.now() - latest > STALE_AFTER

    @property
    def percent(self) -> int:
        if not self.counts.total:
            return 100 if self.run.status == PrintRunStatus.DONE else 0
        return self.counts.done * 100 // self.counts.total

    @property
    def can_retry(self) -> bool:
        return self.run.status == PrintRunStatus.FAILED or (
            self.run.is_active and (self.counts.failed > 0 or self.stale)
        )


def advance(run: PrintRun, counts: Counts) -> bool:
    """Move a finished rendering to merging and enqueue the merge (only one caller wins)."""
    if run.status != PrintRunStatus.RENDERING or counts.pending or counts.failed:
        return False
    if claim_merge(run.pk, counts):
        merge_print_run.delay_on_commit(run.pk)
    run.refresh_from_db()
    return True


def run_progress(run: PrintRun) -> RunProgress:
    """Counts (one query), the failed documents when there are any, the merged files when
    done; advances a finished rendering to merging. A fixed number of queries at any size."""
    counts = run_counts(run.pk)
    advance(run, counts)
    progress = RunProgress(run=run, counts=counts)
    if counts.failed:
        progress.failures = list(
            PrintRunItem.objects.filter(run=run, job__status=PrintJobStatus.FAILED)
            .select_related("job", "ticket__client")
            .order_by("client_kana", "ticket__client_id", "position")[:FAILURES_SHOWN]
        )
        _name_failures(progress.failures)
    if run.status == PrintRunStatus.DONE:
        progress.merges = list(
            PrintRunMerge.objects.filter(run=run)
            .select_related("care_manager")
            .order_by("care_manager__full_name_kana", "care_manager_id")
        )
    return progress


def _name_failures(items: list[PrintRunItem]) -> None:
    """Give each failed document its title and provider name (one query for the names)."""
    provider_ids = {item.provider_id for item in items if item.provider_id}
    names = dict(
        ServiceProvider.objects.filter(pk__in=provider_ids).values_list("pk", "name")
        if provider_ids
        else []
    )
    for item in items:
        item.title = DOCUMENTS.get(item.document, item.document)
        item.provider_name = names.get(item.provider_id, "")


def run_client_ids(run: PrintRun) -> list[int]:
    return list(
        PrintRunItem.objects.filter(run=run)
        .values_list("ticket__client_id", flat=True)
        .distinct()
        .order_by("ticket__client_id")
    )


def merge_client_ids(merge: PrintRunMerge) -> list[int]:
    return list(
        PrintRunItem.objects.filter(run_id=merge.run_id, care_manager_id=merge.care_manager_id)
        .values_list("ticket__client_id", flat=True)
        .distinct()
        .order_by("ticket__client_id")
    )
