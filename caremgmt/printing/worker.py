"""The worker side of printing: render one queued job (called by the Celery task).

Kept apart from `services` (the request side, which enqueues the task) so that the task
module can import this at module level without an import cycle.
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from caremgmt.models import PrintJob
from caremgmt.models.printing import PrintJobStatus
from caremgmt.printing import rendering
from caremgmt.printing.transitions import move_job

logger = logging.getLogger("caremgmt.printing.services")


def print_job_render(*, job_id: int) -> str:
    """Render one job. Idempotent: only the caller that moves it queued → rendering renders;
    everyone else returns the current status untouched."""
    claimed = move_job(
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
        rendered = rendering.render_pdf(job.html)
        stored_name = job.file.storage.save(
            job.file.field.generate_filename(
                job, f"{job.kind}-{job.subject_id}-{job.content_hash[:16]}.pdf"
            ),
            ContentFile(rendered.data),
        )
    except Exception as error:  # noqa: BLE001 - any failure must end in FAILED, retryable
        # Log the job id and the error type only: the message may quote client text.
        logger.warning("print job %s failed: %s", job_id, type(error).__name__)
        move_job(
            job_id,
            PrintJobStatus.RENDERING,
            PrintJobStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        return PrintJobStatus.FAILED
    move_job(
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
