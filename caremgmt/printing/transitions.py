"""Print-job status moves: the only place that changes `PrintJob.status`.

Moves are conditional UPDATEs on the expected current status (`PRINT_JOB_TRANSITIONS`), so
two workers, a redelivered message or a double click can never skip a state.
"""

from __future__ import annotations

from caremgmt.models import PrintJob
from caremgmt.models.printing import PRINT_JOB_TRANSITIONS


class IllegalPrintJobTransition(Exception):
    """A status move the machine does not allow, or the job was not in the expected state."""


def move_job(job_id: int, current: str, target: str, **fields: object) -> bool:
    """Move `job_id` from `current` to `target` iff it is still `current`; True when moved."""
    if target not in PRINT_JOB_TRANSITIONS[current]:
        raise IllegalPrintJobTransition(f"{current} → {target}")
    return bool(PrintJob.objects.filter(pk=job_id, status=current).update(status=target, **fields))
