"""Every write to print jobs: request (with the content-hash cache), render, retry.

Status machine (`PRINT_JOB_TRANSITIONS`): queued → rendering → done | failed, failed → queued.
Moves are conditional UPDATEs on the expected current status, so two workers, a redelivered
message or a double click can never render the same job twice or skip a state.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from caremgmt.access import Actor
from caremgmt.models import PrintJob
from caremgmt.models.printing import PrintJobStatus
from caremgmt.printing.registry import client_visible, kind_visible
from caremgmt.printing.rendering import content_hash
from caremgmt.printing.tasks import render_print_job
from caremgmt.printing.transitions import IllegalPrintJobTransition, move_job
from caremgmt.printing.worker import print_job_render

FAILURE_MESSAGE = "PDFを作成できませんでした。"

__all__ = [
    "FAILURE_MESSAGE",
    "IllegalPrintJobTransition",
    "is_stale",
    "print_job_render",
    "print_job_request",
    "print_job_retry",
]


def _enqueue(job: PrintJob) -> None:
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
    if not client_visible(actor, client_id) or not kind_visible(actor, kind):
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
    if move_job(job.pk, PrintJobStatus.FAILED, PrintJobStatus.QUEUED, error="", finished_at=None):
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
            move_job(
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
