"""Two database roles: an OWNER that runs migrations and a RUNTIME role the app connects as.

The runtime role is neither superuser nor owner of any table, so it cannot switch off the
append-only triggers (`SET LOCAL pgtrigger.ignore`), cannot `SET session_replication_role`
and cannot TRUNCATE. On the append-only tables (the access log and every pghistory event
table) it only has INSERT and SELECT; everywhere else it has ordinary DML rights.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import dj_database_url
from django.apps import apps

if TYPE_CHECKING:  # settings_test imports this module before Django is set up
    from django.db.backends.base.base import BaseDatabaseWrapper

ORDINARY_TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
APPEND_ONLY_RIGHTS = "SELECT, INSERT"
# pghistory upserts its context rows (INSERT ... ON CONFLICT (id) DO UPDATE).
CONTEXT_TABLE_RIGHTS = "SELECT, INSERT, UPDATE"
CREDENTIAL_KEYS = ("USER", "PASSWORD", "HOST", "PORT")
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class TablePlan:
    """Which tables get which rights besides the ordinary ones."""

    append_only: tuple[str, ...]
    context: tuple[str, ...]


def append_only_tables() -> tuple[str, ...]:
    """The access log and every concrete pghistory event table, sorted."""
    from pghistory.models import Event

    from caremgmt.models import AccessLog

    tables = {AccessLog._meta.db_table}
    for model in apps.get_models():
        meta = model._meta
        if issubclass(model, Event) and meta.managed and not meta.proxy:
            tables.add(meta.db_table)
    return tuple(sorted(tables))


def table_plan() -> TablePlan:
    from pghistory.models import Context

    return TablePlan(append_only=append_only_tables(), context=(Context._meta.db_table,))


def owner_settings(settings_dict: dict, owner_url: str | None) -> dict:
    """`settings_dict` with the owner's credentials (the database name is kept, so this also
    works on a test database)."""
    if not owner_url:
        return dict(settings_dict)
    owner = dj_database_url.parse(owner_url)
    merged = dict(settings_dict)
    for key in CREDENTIAL_KEYS:
        merged[key] = owner.get(key, "")
    options = dict(merged.get("OPTIONS") or {})
    options.update(owner.get("OPTIONS") or {})
    merged["OPTIONS"] = options
    return merged


@contextmanager
def connected_as_owner(connection: BaseDatabaseWrapper, owner_url: str | None) -> Iterator[None]:
    """Run the block on `connection` reconnected with the owner's credentials."""
    original = connection.settings_dict
    swapped = owner_settings(original, owner_url)
    if all(swapped.get(k) == original.get(k) for k in (*CREDENTIAL_KEYS, "OPTIONS")):
        yield
        return
    connection.close()
    connection.settings_dict = swapped
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict = original


def quote(connection: BaseDatabaseWrapper, name: str) -> str:
    return connection.ops.quote_name(name)


def grant_runtime_role(
    connection: BaseDatabaseWrapper,
    *,
    role: str,
    password: str | None = None,
    schema: str = "public",
) -> list[str]:
    """Create `role` if missing and grant it runtime rights on the connection's database.
    Idempotent. Must run as the owner of the tables (or a superuser). Returns the statements
    run (passwords masked)."""
    if not ROLE_NAME.fullmatch(role):
        raise ValueError(f"Role name {role!r}: use lower-case letters, digits and _.")
    plan = table_plan()
    run: list[str] = []
    r = quote(connection, role)
    s = quote(connection, schema)
    with connection.cursor() as cursor:

        def execute(sql: str, params: list | None = None, shown: str | None = None) -> None:
            cursor.execute(sql, params)
            run.append(shown or sql)

        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            # CREATE ROLE IF NOT EXISTS does not exist; a parallel run may win the race.
            cursor.execute(
                f"DO $$ BEGIN CREATE ROLE {r} LOGIN; "
                "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
            run.append(f"CREATE ROLE {r} LOGIN")
        elif found[0]:
            raise ValueError(f"The runtime role {role!r} is a superuser; use a plain role.")
        if password:
            execute(
                f"ALTER ROLE {r} LOGIN PASSWORD %s",
                [password],
                f"ALTER ROLE {r} LOGIN PASSWORD '…'",
            )
        cursor.execute("SELECT current_database(), current_user")
        database, owner = cursor.fetchone()
        if owner == role:
            raise ValueError(f"The runtime role {role!r} must not be the owner role.")
        execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {quote(connection, database)} TO {r}")
        execute(f"GRANT USAGE ON SCHEMA {s} TO {r}")
        execute(f"REVOKE CREATE ON SCHEMA {s} FROM {r}")
        execute(f"GRANT {ORDINARY_TABLE_RIGHTS} ON ALL TABLES IN SCHEMA {s} TO {r}")
        execute(f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {s} FROM {r}")
        execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}")
        existing = _existing_tables(cursor, schema)
        for table in (*plan.append_only, *plan.context):
            if table not in existing:
                continue
            t = f"{s}.{quote(connection, table)}"
            rights = CONTEXT_TABLE_RIGHTS if table in plan.context else APPEND_ONLY_RIGHTS
            execute(f"REVOKE ALL ON {t} FROM {r}")
            execute(f"GRANT {rights} ON {t} TO {r}")
        # Tables and sequences later migrations create (as this owner) get ordinary rights;
        # re-running this command after each migrate narrows new append-only tables.
        execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT {ORDINARY_TABLE_RIGHTS} ON TABLES TO {r}"
        )
        execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r}")
    return run


def _existing_tables(cursor, schema: str) -> set[str]:  # noqa: ANN001
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p')",
        [schema],
    )
    return {name for (name,) in cursor.fetchall()}
