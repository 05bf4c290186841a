"""Background work yields the CPU to people: a Celery worker lowers its scheduling priority.

A print run renders PDFs for minutes on every core it gets; a care manager opening a client
at the same time should not wait behind it. `lower_priority` raises the worker's nice value
(its pool processes are forked afterwards and inherit it). Linux's autogroup scheduling
(`kernel.sched_autogroup_enabled`, on by default on desktops and many servers) shares the CPU
between *sessions* first and applies nice only inside one, so a worker that leads its own
session (a container, systemd, `setsid`) also lowers its session's weight. A worker started
inside someone else's session (a developer's shell running the web server too) leaves the
session alone: that would slow the web server down with it.

The kernel accepts both from an unprivileged process (raising priority would need root);
where it refuses anyway, the worker runs at normal priority and says so once.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
AUTOGROUP = Path("/proc/self/autogroup")


def lower_priority(nice: int, *, autogroup: Path = AUTOGROUP) -> dict[str, int | None]:
    """Add `nice` to this process's nice value (and its session's, when it leads one).
    Returns what was set: {"nice": …, "autogroup": … or None}."""
    if nice <= 0:
        return {"nice": os.getpriority(os.PRIO_PROCESS, 0), "autogroup": None}
    try:
        current = os.nice(nice)
    except OSError as error:
        log.warning("worker priority unchanged: %s", type(error).__name__)
        current = os.getpriority(os.PRIO_PROCESS, 0)
    group = None
    if os.getsid(0) == os.getpid() and autogroup.exists():
        try:
            autogroup.write_text(f"{min(nice, 19)}\n")
            group = min(nice, 19)
        except OSError as error:
            log.warning("worker session priority unchanged: %s", type(error).__name__)
    return {"nice": current, "autogroup": group}
