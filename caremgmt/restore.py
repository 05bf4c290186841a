"""Restoring a `backup_db` dump: checksum first, then a scratch database, then a smoke check.

1. `verify` recomputes the sha256 of the dump and of its manifest against the `.sha256`
   file and refuses on any difference (a tampered or truncated file is never restored).
2. `restore_into_scratch` creates a new, empty database (never the live one) and runs
   `pg_restore --single-transaction --exit-on-error --no-owner --no-privileges` as the OWNER
   role; the runtime role's rights are granted afterwards by `grant_runtime_role` (the same
   code `migrate` uses), so a dump restores on a server where that role is new.
3. `smoke_check` compares the scratch database with the manifest: the row count of every
   table, every user trigger (the access log's append-only triggers, pghistory's), the
   migration plan (`migrate --check`: nothing unapplied, nothing unknown) and one client's
   change history read in full (the client with the most events at backup time).
4. `swap_into_live` (only with `--into-live` and a typed confirmation) renames the live
   database to `<name>_before_restore_<stamp>` and the checked scratch database to the live
   name; PostgreSQL refuses while anyone is connected, so the app must be stopped first.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from caremgmt.backup import (
    MANIFEST_FORMAT,
    BackupError,
    DbParams,
    busiest_client_history,
    pg_tool,
    read_client_history,
    server_major,
    sha256_of,
    sidecars,
    table_counts,
    table_triggers,
)
from caremgmt.db_roles import grant_runtime_role

SCRATCH_PREFIX = "caremgmt_restore_"
DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
CHECKSUM_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")


class ChecksumMismatch(BackupError):
    """The dump or its manifest does not match the `.sha256` file: refuse to restore."""


# --- 1. checksum -------------------------------------------------------------------------


def verify(dump: Path) -> dict:
    """Check the dump and manifest against the `.sha256` file; return the manifest."""
    dump = Path(dump)
    manifest_path, checksum_path = sidecars(dump)
    for path in (dump, manifest_path, checksum_path):
        if not path.is_file():
            raise ChecksumMismatch(f"{path.name} is missing; 復元しません / not restoring.")
    expected: dict[str, str] = {}
    for line in checksum_path.read_text(encoding="utf-8").splitlines():
        if found := CHECKSUM_LINE.match(line):  # `sha256sum` text ("  ") or binary (" *")
            expected[found.group(2)] = found.group(1).lower()
    for path in (dump, manifest_path):
        if path.name not in expected:
            raise ChecksumMismatch(f"{checksum_path.name} has no checksum for {path.name}.")
        actual = sha256_of(path)
        if actual != expected[path.name]:
            raise ChecksumMismatch(
                f"チェックサム不一致 / checksum mismatch: {path.name} is {actual}, "
                f"{checksum_path.name} says {expected[path.name]}. 復元しません / not restoring."
            )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != MANIFEST_FORMAT or manifest.get("file") != dump.name:
        raise ChecksumMismatch(f"{manifest_path.name} does not describe {dump.name}.")
    if manifest.get("sha256") != expected[dump.name]:
        raise ChecksumMismatch(f"{manifest_path.name} names another checksum for {dump.name}.")
    return manifest


# --- 2. scratch database -----------------------------------------------------------------


def check_database_name(name: str) -> str:
    if not DATABASE_NAME.fullmatch(name):
        raise BackupError(f"Database name {name!r}: use lower-case letters, digits and _.")
    return name


def create_database(params: DbParams, name: str) -> None:
    """CREATE DATABASE `name` (empty, from template0), connected to `params`' database."""
    ident = psycopg.sql.Identifier(check_database_name(name))
    with params.connect(autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            raise BackupError(f"Database {name} already exists; pick another --scratch-name.")
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(ident))


def drop_database(params: DbParams, name: str) -> None:
    """DROP DATABASE IF EXISTS `name`, disconnecting anyone still on it."""
    ident = psycopg.sql.Identifier(check_database_name(name))
    if name == params.dbname:
        raise BackupError(f"Refusing to drop {name}: it is the database connected to.")
    with params.connect(autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))


def pg_restore(dump: Path, target: DbParams) -> None:
    with target.connect() as conn:
        major = server_major(conn)
    command = [
        str(pg_tool("pg_restore", major)),
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-privileges",
        f"--dbname={target.conninfo()}",
        str(dump),
    ]
    done = subprocess.run(command, env=target.env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed ({done.returncode}): {done.stderr.strip()}")


@contextmanager
def django_connection(params: DbParams, alias: str = DEFAULT_DB_ALIAS) -> Iterator:
    """A Django connection to another database on the same server with the owner's
    credentials, for the migration plan and the grants. It is not registered in
    `connections`; it carries `alias` only because django.contrib.postgres looks its type
    OIDs up through `connections[alias]` when a connection opens."""
    from django.db.utils import load_backend

    settings_dict = dict(connections[alias].settings_dict)
    settings_dict.update(
        NAME=params.dbname,
        USER=params.user,
        PASSWORD=params.password,
        HOST=params.host,
        PORT=params.port,
        CONN_MAX_AGE=0,
    )
    conn = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias=alias)
    try:
        yield conn
    finally:
        conn.close()


def grant_runtime(params: DbParams) -> str | None:
    """Grant the configured runtime role its rights on the restored database."""
    role = settings.DATABASE_RUNTIME_ROLE
    if not role:
        return None
    with django_connection(params) as conn:
        grant_runtime_role(conn, role=role)
    return role


# --- 3. smoke check ----------------------------------------------------------------------


@dataclass
class SmokeReport:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def check(self, ok: bool, label: str, detail: str, problems: list[str] = ()) -> None:  # type: ignore[assignment]
        mark = "一致 / OK" if ok else "不一致 / MISMATCH"
        self.lines.append(f"{label}: {detail} — {mark}")
        if not ok:
            self.problems.extend(problems or [f"{label}: {detail}"])


def migration_plan(params: DbParams) -> tuple[list[str], list[str]]:
    """(unapplied, unknown): what `migrate --check` would apply to the database, and
    migrations recorded there that this code does not have (a dump from newer code)."""
    from django.db.migrations.executor import MigrationExecutor

    with django_connection(params) as conn:
        executor = MigrationExecutor(conn)
        graph = executor.loader.graph
        plan = executor.migration_plan(graph.leaf_nodes())
        # Migrations a squashed one replaces stay recorded but are not graph nodes.
        replaced = {
            key for squashed in executor.loader.replacements.values() for key in squashed.replaces
        }
        unknown = sorted(set(executor.loader.applied_migrations) - set(graph.nodes) - replaced)
    return [f"{m.app_label}.{m.name}" for m, _ in plan], [f"{a}.{n}" for a, n in unknown]


def smoke_check(target: DbParams, manifest: dict) -> SmokeReport:
    report = SmokeReport()
    with target.connect(autocommit=True) as conn:
        counts = table_counts(conn)
        triggers = table_triggers(conn)
        busiest = busiest_client_history(conn)
        probe = manifest.get("client_history")
        history = read_client_history(conn, probe["client_id"]) if probe else 0

    expected = manifest["tables"]
    diffs = [
        f"{table}: manifest {expected.get(table, '—')}, restored {counts.get(table, '—')}"
        for table in sorted(set(expected) | set(counts))
        if expected.get(table) != counts.get(table)
    ]
    report.check(
        not diffs,
        "テーブル件数 / row counts",
        f"{len(counts)} tables, {sum(counts.values())} rows "
        f"(manifest {len(expected)} tables, {sum(expected.values())} rows)",
        diffs,
    )

    wanted = manifest["triggers"]
    trigger_diffs = [
        f"{table}: manifest {wanted.get(table, [])}, restored {triggers.get(table, [])}"
        for table in sorted(set(wanted) | set(triggers))
        if sorted(wanted.get(table, [])) != sorted(triggers.get(table, []))
    ]
    access_log = triggers.get("public.caremgmt_accesslog", [])
    report.check(
        not trigger_diffs,
        "トリガー / triggers",
        f"{sum(map(len, triggers.values()))} on {len(triggers)} tables "
        f"(閲覧記録 / access log: {len(access_log)})",
        trigger_diffs,
    )

    unapplied, unknown = migration_plan(target)
    report.check(
        not unapplied and not unknown,
        "マイグレーション / migrate --check",
        f"未適用 / unapplied {len(unapplied)}, 不明 / unknown {len(unknown)}",
        [f"unapplied migration {m}" for m in unapplied]
        + [f"migration {m} not in this code (dump from newer code?)" for m in unknown],
    )

    if probe is None:
        report.check(
            busiest is None,
            "利用者の履歴 / client history",
            "no client history in this backup",
        )
    else:
        same = history == probe["events"] and busiest == probe
        report.check(
            same,
            "利用者の履歴 / client history",
            f"client id {probe['client_id']}: {history} events read (manifest {probe['events']})",
        )
    return report


# --- 4. into the live database -----------------------------------------------------------


def swap_into_live(params: DbParams, live: str, scratch: str, suffix: str) -> str:
    """Rename `live` to `<live>_before_restore_<suffix>` and `scratch` to `live`, in one
    transaction, from the `postgres` maintenance database. Returns the old database's name."""
    old = check_database_name(f"{live}_before_restore_{suffix}"[:63])
    check_database_name(live)
    check_database_name(scratch)
    connections.close_all()
    ident = psycopg.sql.Identifier
    with params.with_dbname("postgres").connect(autocommit=True) as conn:
        busy = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [live],
        ).fetchone()[0]
        if busy:
            raise BackupError(
                f"{busy} session(s) are connected to {live}: stop web, worker and beat first "
                "(アプリを停止してから再実行してください)."
            )
        with conn.transaction():
            rename = psycopg.sql.SQL("ALTER DATABASE {} RENAME TO {}")
            conn.execute(rename.format(ident(live), ident(old)))
            conn.execute(rename.format(ident(scratch), ident(live)))
    return old
