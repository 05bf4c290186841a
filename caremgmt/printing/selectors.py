"""Reading print jobs — always through the access helper and the client-check registry."""

from __future__ import annotations

from django.http import Http404

from caremgmt.access import Actor, get_visible_or_404
from caremgmt.models import PrintJob
from caremgmt.printing.registry import client_visible, kind_visible


def print_job_for(actor: Actor | None, pk: int) -> PrintJob:
    """The job `pk` if `actor` may see it: same office AND every registered client check
    agrees AND the kind check of its kind (if any). Anything else is 404 (never 403), so ids cannot be probed."""
    job = get_visible_or_404(PrintJob, actor, pk=pk)
    if (
        actor is None
        or not client_visible(actor, job.client_id)
        or not kind_visible(actor, job.kind)
    ):
        raise Http404("見つかりません。")
    return job
