"""Background work yields the CPU to people (caremgmt/priority.py): a Celery worker raises its
nice value at start, and its session's when it leads one. Checked in subprocesses — a nice
value, once raised, cannot be lowered again by an unprivileged process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from celery.signals import worker_init

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, os, sys
from pathlib import Path
from caremgmt.priority import lower_priority
before = os.getpriority(os.PRIO_PROCESS, 0)
result = lower_priority(int(sys.argv[1]))
group = Path("/proc/self/autogroup")
result["before"] = before
# A process in the kernel's default autogroup (no setsid anywhere above it, as under some CI
# runners) reads an empty file there.
words = group.read_text().split() if group.exists() else []
result["session"] = words[-1] if words else None
print(json.dumps(result))
"""


def probe(nice: int, *, own_session: bool) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(nice)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=own_session,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_worker_in_its_own_session_lowers_itself_and_its_session() -> None:
    result = probe(10, own_session=True)
    assert result["nice"] == min(result["before"] + 10, 19)
    if result["session"] is None:
        pytest.skip("this kernel has no autogroup scheduling (/proc/self/autogroup)")
    assert result["autogroup"] == 10
    assert result["session"] == "10"


def test_a_worker_inside_another_session_leaves_the_session_alone() -> None:
    result = probe(10, own_session=False)
    assert result["nice"] == min(result["before"] + 10, 19)
    assert result["autogroup"] is None
    # The session is not this worker's to change; it keeps whatever it had (when it has one).
    assert result["session"] in (None, "0") or result["session"] == _session_nice()


def _session_nice() -> str | None:
    words = (
        Path("/proc/self/autogroup").read_text().split()
        if Path("/proc/self/autogroup").exists()
        else []
    )
    return words[-1] if words else None


def test_zero_changes_nothing() -> None:
    result = probe(0, own_session=True)
    assert result["nice"] == result["before"]
    assert result["autogroup"] is None


def test_the_worker_start_signal_applies_the_setting() -> None:
    import caremgmt.celery  # noqa: F401  (connects the receiver)

    names = {getattr(r[1](), "__name__", "") for r in worker_init.receivers}
    assert "_yield_cpu_to_people" in names
