"""Continuous archiving and point-in-time recovery (QUALITY R14: RPO ≤ 15 min; docs/backup.md).

The PostgreSQL server copies every finished WAL segment into a WAL archive directory
(`archive_command`, compose volume `wal`); `archive_timeout` closes a segment at least every
5 minutes even when the office is quiet. `base_backup` takes a base backup with
pg_basebackup (tar format, gzip, WAL streamed into it, a backup_manifest with SHA256
checksums) into BASE_BACKUP_DIR:

    base-<YYYYMMDDTHHMMSSZ>/base.tar.gz      the data directory
                           pg_wal.tar.gz    the WAL needed to make it consistent
                           backup_manifest  pg_basebackup's manifest (SHA256 per file)
                           backup.json      server version, start WAL segment, time
                           SHA256SUMS       `sha256sum -c` of the files above

written as `base-<stamp>.partial` and renamed when complete. Pruning keeps the newest N base
backups and removes archived WAL older than the oldest kept one's start segment
(pg_archivecleanup's rule). `recover_pitr` unpacks a base backup into a NEW data directory, sets
`restore_command` (from the archive) and `recovery_target_time` (or replays everything),
starts a server on a scratch port and socket with archiving off, waits until it has
promoted, and checks what it holds. The live data directory is never touched.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from caremgmt.backup import BackupError, DbParams, pg_tool, sha256_of

BASE_NAME = re.compile(r"^base-(?P<stamp>\d{8}T\d{6}Z)$")
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
WAL_SEGMENT = re.compile(r"^[0-9A-F]{24}$")
WAL_FILE = re.compile(r"^[0-9A-F]{24}(\.partial)?(\.gz)?$")
START_WAL = re.compile(r"^START WAL LOCATION: \S+ \(file (?P<file>[0-9A-F]{24})\)$", re.M)
BACKUP_FILES = ("base.tar.gz", "pg_wal.tar.gz", "backup_manifest")


# --- Base backups ------------------------------------------------------------------------


@dataclass(frozen=True)
class BaseBackup:
    directory: Path
    start_wal: str
    server_major: int
    size: int
    pruned: tuple[Path, ...] = ()
    wal_removed: int = 0


def base_backups(directory: Path) -> list[Path]:
    """Complete base backups in `directory` (SHA256SUMS written last), oldest first."""
    if not directory.is_dir():
        return []
    found = [
        path
        for path in directory.iterdir()
        if BASE_NAME.match(path.name) and (path / "SHA256SUMS").is_file()
    ]
    return sorted(found, key=lambda path: path.name)


def _start_wal_of(base_tar: Path) -> str:
    with tarfile.open(base_tar, "r:gz") as archive:
        member = archive.extractfile("backup_label")
        if member is None:
            raise BackupError(f"{base_tar}: no backup_label inside.")
        label = member.read().decode("utf-8")
    found = START_WAL.search(label)
    if not found:
        raise BackupError(f"{base_tar}: cannot read the start WAL segment from backup_label.")
    return found.group("file")


def take_base_backup(
    params: DbParams,
    directory: Path,
    *,
    keep: int,
    wal_dir: Path | None = None,
    now: datetime | None = None,
) -> BaseBackup:
    """pg_basebackup into `directory`/base-<stamp>, then prune (base backups beyond `keep`
    and, when `wal_dir` is given, archived WAL older than the oldest kept base backup)."""
    if keep < 1:
        raise BackupError(f"keep={keep}: keep at least one base backup.")
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)  # 要配慮個人情報
    stamp = (now or datetime.now(UTC)).strftime(STAMP_FORMAT)
    final = directory / f"base-{stamp}"
    partial = directory / f"base-{stamp}.partial"
    if final.exists():
        raise BackupError(f"{final.name} already exists; wait a second and run again.")
    for stale in directory.glob("base-*.partial"):  # a run killed half-way (docker stop)
        shutil.rmtree(stale, ignore_errors=True)
    with params.connect(autocommit=True) as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    tool = pg_tool("pg_basebackup", major)
    command = [
        str(tool),
        f"--dbname={params.conninfo()}",
        f"--pgdata={partial}",
        "--format=tar",
        "--gzip",
        "--wal-method=stream",
        "--checkpoint=fast",
        "--manifest-checksums=SHA256",
        "--no-password",
    ]
    done = subprocess.run(command, env=params.env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupError(f"pg_basebackup failed ({done.returncode}): {done.stderr.strip()}")
    start_wal = _start_wal_of(partial / "base.tar.gz")
    meta = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "server_major": major,
        "start_wal": start_wal,
        "pg_basebackup": subprocess.run(
            [tool, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip(),
    }
    (partial / "backup.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    names = [*BACKUP_FILES, "backup.json"]
    sums = "".join(f"{sha256_of(partial / name)}  {name}\n" for name in names)
    (partial / "SHA256SUMS").write_text(sums, encoding="utf-8")
    for path in partial.iterdir():
        path.chmod(0o600)
    os.replace(partial, final)
    size = sum(path.stat().st_size for path in final.iterdir())
    pruned, removed = prune_base_backups(directory, keep=keep, wal_dir=wal_dir)
    return BaseBackup(final, start_wal, major, size, tuple(pruned), removed)


def read_meta(base: Path) -> dict:
    return json.loads((base / "backup.json").read_text(encoding="utf-8"))


def verify_base_backup(base: Path) -> None:
    """Every file listed in SHA256SUMS has that checksum (BackupError otherwise)."""
    sums = base / "SHA256SUMS"
    if not sums.is_file():
        raise BackupError(f"{base}: no SHA256SUMS (an incomplete base backup?).")
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        path = base / name.strip()
        if not path.is_file() or sha256_of(path) != digest:
            raise BackupError(f"{path}: チェックサム不一致 / checksum mismatch.")


def prune_base_backups(
    directory: Path, *, keep: int, wal_dir: Path | None
) -> tuple[list[Path], int]:
    """Delete base backups beyond the newest `keep`; then archived WAL segments older than
    the oldest kept one's start segment. Returns (base backups removed, WAL removed)."""
    bases = base_backups(directory)
    removed = bases[: max(len(bases) - keep, 0)]
    for base in removed:
        shutil.rmtree(base)
    kept = bases[len(removed) :]
    if wal_dir is None or not kept or not wal_dir.is_dir():
        return removed, 0
    obsolete = wal_older_than(wal_dir, read_meta(kept[0])["start_wal"])
    for path in obsolete:
        path.unlink(missing_ok=True)
    return removed, len(obsolete)


def wal_older_than(wal_dir: Path, oldest_kept: str) -> list[Path]:
    """Archived WAL segments a restore from `oldest_kept` on never needs: the rule of
    `pg_archivecleanup -x .gz` (segment files, `.partial` ones too, gzipped or not, whose
    log/segment part — the name without the timeline — sorts before the kept one's; timeline
    .history and .backup files stay). In
    Python because the app image has the PostgreSQL client package only, which lacks
    pg_archivecleanup; tests/caremgmt/test_pitr.py checks it against `pg_archivecleanup -n`."""
    if not WAL_SEGMENT.match(oldest_kept):
        raise BackupError(f"{oldest_kept!r} is not a WAL segment name.")
    return sorted(
        path
        for path in wal_dir.iterdir()
        if WAL_FILE.match(path.name) and path.name[8:24] < oldest_kept[8:24]
    )


# --- Recovery ----------------------------------------------------------------------------


@dataclass
class Recovered:
    data_dir: Path
    socket_dir: Path
    port: int
    pg_ctl: Path
    run_as: str | None
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def params(self, dbname: str, user: str) -> DbParams:
        return DbParams(dbname=dbname, user=user, host=str(self.socket_dir), port=str(self.port))

    def stop(self) -> None:
        _run_pg_ctl(self.pg_ctl, self.data_dir, ["-w", "-m", "fast", "stop"], self.run_as)
        shutil.rmtree(self.socket_dir, ignore_errors=True)


def _run_pg_ctl(pg_ctl: Path, data_dir: Path, args: list[str], run_as: str | None) -> None:
    done = subprocess.run(
        [str(pg_ctl), "-D", str(data_dir), *args],
        capture_output=True,
        text=True,
        check=False,
        user=run_as,
        timeout=120,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_ctl {' '.join(args)} failed: {done.stderr.strip()}")


def _chown_tree(path: Path, user: str) -> None:
    for root, dirs, files in os.walk(path):
        for name in (root, *(os.path.join(root, d) for d in dirs)):
            shutil.chown(name, user, user)
        for name in files:
            shutil.chown(os.path.join(root, name), user, user)


def _extract(archive: Path, target: Path) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(target, filter="tar")


def recover(
    base: Path,
    wal_dir: Path,
    data_dir: Path,
    *,
    target_time: datetime | None,
    port: int,
    run_as: str | None = None,
    superuser: str = "postgres",
    timeout: float = 300,
) -> Recovered:
    """Restore `base` into the NEW directory `data_dir`, replay archived WAL up to
    `target_time` (None: everything archived), start a server on `port` with its socket in
    a private directory and archiving off, and wait until it has promoted. The caller stops
    it (Recovered.stop) or keeps it running to switch over. `run_as`: the system user the
    server runs as when this runs as root (PostgreSQL refuses to run as root); `superuser`:
    the cluster's bootstrap role (compose: POSTGRES_USER `caremgmt`)."""
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BackupError(f"{data_dir} is not empty: recovery writes only into a new directory.")
    if os.geteuid() == 0 and not run_as:
        raise BackupError("Running as root: give --run-as USER (PostgreSQL refuses root).")
    verify_base_backup(base)
    meta = read_meta(base)
    pg_ctl = pg_tool("pg_ctl", meta["server_major"])
    data_dir.mkdir(parents=True, exist_ok=True)
    _extract(base / "base.tar.gz", data_dir)
    _extract(base / "pg_wal.tar.gz", data_dir / "pg_wal")
    # The archive is read, never written: the recovered server runs with archive_mode off.
    # Segments are archived gzipped (docker-compose.yml's archive_command): `<name>.gz`.
    restore_command = f"gunzip -c {shlex.quote(str(wal_dir.resolve()))}/%f.gz > %p"
    settings = {
        "restore_command": restore_command,
        "recovery_target_action": "promote",
        "archive_mode": "off",
        "listen_addresses": "",
    }
    if target_time is not None:
        settings["recovery_target_time"] = target_time.astimezone(UTC).isoformat()
    with (data_dir / "postgresql.auto.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n# recover_pitr (caremgmt/pitr.py)\n")
        for key, value in settings.items():
            conf.write(f"{key} = '{value.replace(chr(39), chr(39) * 2)}'\n")
    (data_dir / "recovery.signal").touch()
    socket_dir = Path(tempfile.mkdtemp(prefix="pitr-sock-"))
    if run_as:
        _chown_tree(data_dir, run_as)
        shutil.chown(socket_dir, run_as, run_as)
    data_dir.chmod(0o700)
    log = data_dir.parent / f"{data_dir.name}.log"
    log.touch()
    if run_as:
        shutil.chown(log, run_as, run_as)
    recovered = Recovered(data_dir, socket_dir, port, pg_ctl, run_as)
    options = f"-p {port} -k {shlex.quote(str(socket_dir))}"
    try:
        _run_pg_ctl(
            pg_ctl, data_dir, ["-w", "-t", "120", "-l", str(log), "-o", options, "start"], run_as
        )
    except BackupError as error:
        shutil.rmtree(socket_dir, ignore_errors=True)
        raise _gave_up(str(error), log) from error
    deadline = time.monotonic() + timeout
    params = recovered.params("postgres", superuser)
    while True:
        try:
            with params.connect(autocommit=True, connect_timeout=5) as conn:
                if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    break
        except psycopg.OperationalError:
            if not (data_dir / "postmaster.pid").exists():  # the server gave up
                shutil.rmtree(socket_dir, ignore_errors=True)
                raise _gave_up("the recovering server stopped.", log) from None
        if time.monotonic() > deadline:
            recovered.stop()
            raise BackupError(f"recovery did not finish within {timeout:.0f} s; see {log}.")
        time.sleep(0.2)
    return recovered


def _gave_up(what: str, log: Path) -> BackupError:
    """The server stopped during recovery: say why, with its log's end."""
    tail = log.read_text(encoding="utf-8", errors="replace")[-1500:]
    hint = (
        " The target time is later than the last archived transaction:"
        " recover to an earlier time, or to the end (--latest)."
        if "before configured recovery target was reached" in tail
        else ""
    )
    return BackupError(f"{what}{hint}\n{tail}")


def smoke(params: DbParams) -> tuple[list[str], list[str]]:
    """What a recovered database holds: (lines, problems). Problems: no django_migrations."""
    lines: list[str] = []
    problems: list[str] = []
    with params.connect(autocommit=True) as conn:
        exists = conn.execute(
            "SELECT to_regclass('public.django_migrations') IS NOT NULL,"
            " to_regclass('public.clients_client') IS NOT NULL"
        ).fetchone()
        if exists[0]:
            count = conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
            lines.append(f"マイグレーション記録 / django_migrations: {count} rows — OK")
        else:
            problems.append("django_migrations がありません / table django_migrations missing")
        if exists[1]:
            count = conn.execute("SELECT count(*) FROM clients_client").fetchone()[0]
            lines.append(f"利用者 / clients: {count}")
        else:
            lines.append("利用者 / clients: table clients_client not present")
    return lines, problems
