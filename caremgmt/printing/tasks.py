"""Print tasks: thin — take a primary key, call the service. Routed to the `pdf` queue by
CELERY_TASK_ROUTES ("*.render_*")."""

from __future__ import annotations

from celery import shared_task

from caremgmt.printing.worker import print_job_render


@shared_task(name="caremgmt.render_print_job", acks_late=True, reject_on_worker_lost=True)
def render_print_job(job_id: int) -> str:
    """Idempotent: the service claims the job with a conditional UPDATE, so a redelivered
    or duplicate message does nothing (hence acks_late is safe)."""
    return print_job_render(job_id=job_id)
