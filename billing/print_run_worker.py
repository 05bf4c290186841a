"""The worker side of the whole-month print run: build the documents, merge the PDFs.

Called by the Celery tasks in `billing.tasks` with a run id only (never names). Kept apart
from `billing.print_run` (the request side, which enqueues the tasks) so the task module can
import this at module level without an import cycle.

Every step is idempotent, so a redelivered message, a second worker or a 再実行 after a
killed worker finishes the run with every document exactly once:

* build: per ticket, one transaction requests the ticket's PrintJobs (content-hash cached:
  an unchanged document returns its finished job) and inserts its run items; a ticket that
  already has items is skipped, and the items' unique constraint drops any duplicate.
* merge: one stored PDF per care manager (unique on run × care manager); a merge that
  already exists is kept.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from itertools import groupby

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from billing.models import PrintRun, PrintRunItem, PrintRunMerge, PrintRunStatus, ServiceTicket
from billing.printing import month_documents, request_ticket_print
from billing.tickets.snapshot import ticket_snapshot
from caremgmt.access import Actor, actor_for, visible
from caremgmt.models.printing import PrintJobStatus

logger = logging.getLogger("billing.print_run")

BUILD_ERROR = "{count}人分の利用票を準備できませんでした（{names}）。再実行してください。"


def move_run(run_id: int, source: tuple[str, ...] | str, target: str, **fields: object) -> bool:
    """Conditional status move; False when the run was not in `source` (someone else moved it)."""
    sources = (source,) if isinstance(source, str) else source
    return bool(
        PrintRun.objects.filter(pk=run_id, status__in=sources).update(
            status=target, updated_at=timezone.now(), **fields
        )
    )


def run_actor(run: PrintRun) -> Actor:
    """The starter acting in the run's office (their rights are checked again at every job)."""
    return actor_for(run.started_by, run.office_id)


def run_tickets(run: PrintRun, actor: Actor):  # noqa: ANN201 - QuerySet[ServiceTicket]
    """The tickets of the run's month and scope that the starter may see."""
    tickets = ServiceTicket.objects.filter(month=run.month, client__office_id=run.office_id)
    if run.care_manager_id is not None:
        tickets = tickets.filter(client__care_manager_id=run.care_manager_id)
    return visible(tickets, actor)


@dataclass
class BuildResult:
    tickets: int = 0
    built: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)


def _build_ticket(run: PrintRun, actor: Actor, ticket: ServiceTicket) -> None:
    """One ticket's documents: request every job and record the items, in one transaction."""
    with transaction.atomic():
        snapshot = ticket_snapshot(ticket)
        items = []
        for position, (document, provider_id) in enumerate(month_documents(snapshot)):
            job = request_ticket_print(
                actor=actor,
                ticket=ticket,
                document=document,
                provider_id=provider_id,
                snapshot=snapshot,
            )
            items.append(
                PrintRunItem(
                    run=run,
                    ticket=ticket,
                    document=document,
                    provider_id=provider_id,
                    position=position,
                    client_kana=ticket.client.name_kana[:100],
                    care_manager_id=ticket.client.care_manager_id,
                    job=job,
                    reused=job.status == PrintJobStatus.DONE,
                )
            )
        PrintRunItem.objects.bulk_create(items, ignore_conflicts=True)


def build_run(run_id: int) -> BuildResult | None:
    """Build every missing document of the run; None when the run is not buildable now."""
    if not move_run(
        run_id,
        (PrintRunStatus.QUEUED, PrintRunStatus.BUILDING),
        PrintRunStatus.BUILDING,
        error="",
    ):
        return None
    PrintRun.objects.filter(pk=run_id).update(attempts=F("attempts") + 1)
    run = PrintRun.objects.select_related("started_by").get(pk=run_id)
    actor = run_actor(run)
    tickets = list(
        run_tickets(run, actor)
        .select_related("client", "client__office", "client__care_manager")
        .order_by("client__name_kana", "client_id")
    )
    PrintRun.objects.filter(pk=run_id).update(ticket_total=len(tickets))
    done = set(
        PrintRunItem.objects.filter(run_id=run_id).values_list("ticket_id", flat=True).distinct()
    )
    result = BuildResult(tickets=len(tickets))
    for ticket in tickets:
        if ticket.pk in done:
            result.skipped += 1
            continue
        try:
            _build_ticket(run, actor, ticket)
        except Exception as error:  # noqa: BLE001 - one bad ticket must not stop the month
            # The id and the error type only: the message may quote client text.
            logger.warning("print run %s ticket %s: %s", run_id, ticket.pk, type(error).__name__)
            result.failed.append(ticket.client.name)
            continue
        result.built += 1
        PrintRun.objects.filter(pk=run_id).update(updated_at=timezone.now())  # heartbeat
    if result.failed:
        names = "、".join(result.failed[:10]) + ("ほか" if len(result.failed) > 10 else "")
        move_run(
            run_id,
            PrintRunStatus.BUILDING,
            PrintRunStatus.FAILED,
            error=BUILD_ERROR.format(count=len(result.failed), names=names),
            finished_at=timezone.now(),
        )
    else:
        move_run(run_id, PrintRunStatus.BUILDING, PrintRunStatus.RENDERING)
    return result


@dataclass(frozen=True)
class Counts:
    total: int
    done: int
    failed: int
    reused: int
    tickets: int
    # The newest render start or finish among the run's documents (a sign of life).
    last_started: dt.datetime | None = None
    last_finished: dt.datetime | None = None

    @property
    def pending(self) -> int:
        return self.total - self.done - self.failed

    @property
    def last_activity(self) -> dt.datetime | None:
        moments = [m for m in (self.last_started, self.last_finished) if m is not None]
        return max(moments) if moments else None


def run_counts(run_id: int) -> Counts:
    """Documents of the run by their job's status: one query."""
    figures = PrintRunItem.objects.filter(run_id=run_id).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(job__status=PrintJobStatus.DONE)),
        failed=Count("pk", filter=Q(job__status=PrintJobStatus.FAILED)),
        reused=Count("pk", filter=Q(reused=True)),
        tickets=Count("ticket_id", distinct=True),
        last_started=Max("job__started_at"),
        last_finished=Max("job__finished_at"),
    )
    return Counts(**figures)


def claim_merge(run_id: int, counts: Counts | None = None) -> bool:
    """rendering → merging once every document is done; True for the one caller that moved it
    (it then enqueues the merge). A run with nothing to print goes straight to done."""
    counts = counts if counts is not None else run_counts(run_id)
    if counts.total == 0:
        move_run(run_id, PrintRunStatus.RENDERING, PrintRunStatus.DONE, finished_at=timezone.now())
        return False
    if counts.done != counts.total:
        return False
    return move_run(run_id, PrintRunStatus.RENDERING, PrintRunStatus.MERGING)


def merged_filename(run: PrintRun, care_manager_name: str) -> str:
    return f"{run.month:%Y年%m月}分_利用票・提供票_{care_manager_name}.pdf"


def merge_run(run_id: int) -> int | None:
    """Merge each care manager's documents (フリガナ order, then document order) into one
    stored PDF. Returns the number of new merged files; None when the run is not merging."""
    from pypdf import PdfReader, PdfWriter

    run = PrintRun.objects.filter(pk=run_id, status=PrintRunStatus.MERGING).first()
    if run is None:
        return None
    items = (
        PrintRunItem.objects.filter(run_id=run_id)
        .select_related("job", "care_manager")
        .order_by("care_manager_id", "client_kana", "ticket__client_id", "ticket_id", "position")
    )
    existing = set(
        PrintRunMerge.objects.filter(run_id=run_id).values_list("care_manager_id", flat=True)
    )
    created = 0
    try:
        for care_manager_id, group in groupby(items, key=lambda item: item.care_manager_id):
            group = list(group)
            if care_manager_id in existing:
                continue
            writer = PdfWriter()
            for item in group:
                with item.job.file.open("rb") as handle:
                    writer.append(PdfReader(io.BytesIO(handle.read())))
            buffer = io.BytesIO()
            writer.write(buffer)
            data = buffer.getvalue()
            care_manager = group[0].care_manager
            merge = PrintRunMerge(
                run=run,
                care_manager=care_manager,
                filename=merged_filename(run, care_manager.full_name or care_manager.username),
                document_count=len(group),
                page_count=len(writer.pages),
                byte_size=len(data),
            )
            merge.file.save(f"merged-{run.pk}-{care_manager_id}.pdf", ContentFile(data), save=False)
            try:
                with transaction.atomic():
                    merge.save()
            except IntegrityError:  # another worker merged it first: keep theirs
                merge.file.storage.delete(merge.file.name)
                continue
            created += 1
    except Exception as error:  # noqa: BLE001 - the run must end failed and retryable
        logger.warning("print run %s merge failed: %s", run_id, type(error).__name__)
        move_run(
            run_id,
            PrintRunStatus.MERGING,
            PrintRunStatus.FAILED,
            error="PDFをまとめられませんでした。再実行してください。",
            finished_at=timezone.now(),
        )
        return created
    move_run(run_id, PrintRunStatus.MERGING, PrintRunStatus.DONE, finished_at=timezone.now())
    return created
