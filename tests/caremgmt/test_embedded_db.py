"""`make stop` (python -m caremgmt.embedded_db stop) when nothing runs: a no-op that says so.
Stopping a running server is checked by hand (it would stop the suite's own database)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from caremgmt.embedded_db import stop_embedded_server


def test_stop_without_a_server_is_a_no_op(tmp_path: Path) -> None:
    assert stop_embedded_server(tmp_path) == (
        f"No embedded PostgreSQL is running in {tmp_path / 'postgres'}."
    )
    assert not (tmp_path / "postgres").exists()


def test_module_entry_point_needs_the_stop_argument(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "caremgmt.embedded_db", "start"],
        capture_output=True,
        text=True,
        check=False,
        env={"CAREMGMT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "usage: python -m caremgmt.embedded_db stop" in result.stderr
    stopped = subprocess.run(
        [sys.executable, "-m", "caremgmt.embedded_db", "stop"],
        capture_output=True,
        text=True,
        check=True,
        env={"CAREMGMT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert (
        stopped.stdout.strip() == f"No embedded PostgreSQL is running in {tmp_path / 'postgres'}."
    )
