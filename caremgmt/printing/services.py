"""Every write to print jobs: request (with the content-hash cache), render, retry.

Status machine (`PRINT_JOB_TRANSITIONS`): queued → rendering → done | failed, failed → queued.
Moves are conditional UPDATEs on the expected current status, so two workers, a redelivered
message or a double click can never render the same job twice or skip a state.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from caremgmt.access import Actor
from caremgmt.models import PrintJob
from caremgmt.models.printing import PRINT_JOB_TRANSITIONS, PrintJobStatus
from caremgmt.printing.registry import client_visible
from caremgmt.printing.rendering import content_hash, render_pdf

logger = logging.getLogger(__name__)

FAILURE_MESSAGE = "PDFを作成できませんでした。"


class IllegalPrintJobTransition(Exception):
    """A status move the machine does not allow, or the job was not in the expected state."""


def _move(job_id: int, current: str, target: str, **fields: object) -> bool:
    """Move `job_id` from `current` to `target` iff it is still `current`; True when moved."""
    if target not in PRINT_JOB_TRANSITIONS[current]:
        raise IllegalPrintJobTransition(f"{current} → {target}")
    return bool(PrintJob.objects.filter(pk=job_id, status=current).update(status=target, **fields))


def _enqueue(job: PrintJob) -> None:
    from caremgmt.printing.tasks import render_print_job

    # After commit: a rolled-back request sends nothing; eager mode (no REDIS_URL) renders inline.
    render_print_job.delay_on_commit(job.pk)


def _safe_filename(filename: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", filename).strip(" .") or "document"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name[:200]


def print_job_request(
    *,
    actor: Actor,
    kind: str,
    subject_id: int,
    client_id: int | None,
    html: str,
    filename: str,
) -> PrintJob:
    """Return the job for this exact content: the finished one (cache hit, no render), the one
    in progress, or a new queued one whose render is enqueued after commit. A failed job for
    the same content is queued again."""
    if actor is None or actor.office is None or not actor.roles:
        raise PermissionDenied("事業所に所属していません。")
    if not client_visible(actor, client_id):
        raise PermissionDenied("この利用者の帳票は印刷できません。")
    digest = content_hash(html)
    with transaction.atomic():
        job, created = PrintJob.objects.get_or_create(
            kind=kind,
            subject_id=subject_id,
            content_hash=digest,
            defaults={
                "office": actor.office,
                "client_id": client_id,
                "filename": _safe_filename(filename),
                "html": html,
                "requested_by": actor.staff,
            },
        )
        if job.office_id != actor.office.pk:
            raise PermissionDenied("他の事業所の帳票です。")
        if created:
            _enqueue(job)
        elif job.status == PrintJobStatus.FAILED:
            _requeue(job)
    return job


def _requeue(job: PrintJob) -> None:
    if _move(job.pk, PrintJobStatus.FAILED, PrintJobStatus.QUEUED, error="", finished_at=None):
        job.refresh_from_db()
        _enqueue(job)


def is_stale(job: PrintJob, now: dt.datetime | None = None) -> bool:
    """A render that has run past Celery's hard time limit: its worker died (OOM, kill -9)."""
    if job.status != PrintJobStatus.RENDERING or job.started_at is None:
        return False
    limit = dt.timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 360) + 30)
    return (now or timezone.now()) - job.started_at > limit


def print_job_retry(*, actor: Actor, job: PrintJob) -> PrintJob:
    """Queue a failed (or stale rendering) job again. `job` must come from `print_job_for`."""
    with transaction.atomic():
        if is_stale(job):
            _move(
                job.pk,
                PrintJobStatus.RENDERING,
                PrintJobStatus.FAILED,
                error="作成が時間内に終わりませんでした。",
                finished_at=timezone.now(),
            )
            job.refresh_from_db()
        if job.status != PrintJobStatus.FAILED:
            raise IllegalPrintJobTransition(f"{job.status} → queued")
        _requeue(job)
    job.refresh_from_db()
    return job


def print_job_render(*, job_id: int) -> str:
    """Render one job. Idempotent: only the caller that moves it queued → rendering renders;
    everyone else returns the current status untouched."""
    claimed = _move(
        job_id,
        PrintJobStatus.QUEUED,
        PrintJobStatus.RENDERING,
        started_at=timezone.now(),
        finished_at=None,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        status = PrintJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
        return status or "missing"
    job = PrintJob.objects.get(pk=job_id)
    try:
        rendered = render_pdf(job.html)
        stored_name = job.file.storage.save(
            job.file.field.generate_filename(
                job, f"{job.kind}-{job.subject_id}-{job.content_hash[:16]}.pdf"
            ),
            ContentFile(rendered.data),
        )
    except Exception as error:  # noqa: BLE001 - any failure must end in FAILED, retryable
        # Log the job id and the error type only: the message may quote client text.
        logger.warning("print job %s failed: %s", job_id, type(error).__name__)
        _move(
            job_id,
            PrintJobStatus.RENDERING,
            PrintJobStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        return PrintJobStatus.FAILED
    _move(
        job_id,
        PrintJobStatus.RENDERING,
        PrintJobStatus.DONE,
        file=stored_name,
        page_count=rendered.page_count,
        byte_size=len(rendered.data),
        error="",
        finished_at=timezone.now(),
    )
    return PrintJobStatus.DONE
