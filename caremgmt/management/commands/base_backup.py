"""`make base-backup`: a pg_basebackup base backup for point-in-time recovery (docs/backup.md).

Connects as the OWNER role (MIGRATION_DATABASE_URL; it needs the REPLICATION right — the
compose superuser `caremgmt` has it) and writes `base-<stamp>/` into BASE_BACKUP_DIR, keeping
the newest BASE_BACKUP_KEEP (4) and pruning archived WAL in WAL_ARCHIVE_DIR older than the
oldest kept one. `--daily-at HH:MM --every-days 7` (the docker-compose `backup` service) runs
forever on backup_db's schedule: at start when no base backup is younger than 7 days, then at
that Japan time on each day the newest one has become 7 days old.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from caremgmt.backup import BackupError, owner_params
from caremgmt.env import env_int, env_str
from caremgmt.management.commands.backup_db import JST, seconds_until
from caremgmt.pitr import base_backups, take_base_backup


def base_backup_dir() -> Path:
    return Path(env_str("BASE_BACKUP_DIR") or Path(settings.DATA_DIR) / "basebackups")


def wal_archive_dir() -> Path:
    return Path(env_str("WAL_ARCHIVE_DIR") or Path(settings.DATA_DIR) / "wal")


def due(directory: Path, every_days: float, now: float | None = None) -> bool:
    """A base backup is due: none yet, or the newest is `every_days` old, less half a day of
    slack (one taken at 02:31 is due again `every_days` later at the 02:30 check)."""
    bases = base_backups(directory)
    if not bases:
        return True
    age = ((now or time.time()) - (bases[-1] / "SHA256SUMS").stat().st_mtime) / 86400
    return age > every_days - 0.5


class Command(BaseCommand):
    help = "Take a base backup (pg_basebackup, tar + gzip + manifest) and prune old WAL."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--dir", type=Path, help="Default: BASE_BACKUP_DIR.")
        parser.add_argument("--wal-dir", type=Path, help="Default: WAL_ARCHIVE_DIR.")
        parser.add_argument("--keep", type=int, help="Default: BASE_BACKUP_KEEP (4).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--daily-at", metavar="HH:MM", help="Run forever (compose `backup`).")
        parser.add_argument("--every-days", type=float, default=7.0)

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        directory = options["dir"] or base_backup_dir()
        wal_dir = options["wal_dir"] or wal_archive_dir()
        keep = options["keep"] if options["keep"] is not None else env_int("BASE_BACKUP_KEEP", 4)
        run = (directory, wal_dir, keep, options["database"])
        if not options["daily_at"]:
            self._once(*run)
            return
        try:
            seconds_until(options["daily_at"], datetime.now(JST))
        except ValueError as error:
            raise CommandError(f"--daily-at {options['daily_at']!r}: use HH:MM.") from error
        every = options["every_days"]
        while True:
            if due(directory, every):
                self._scheduled(*run)
            wait = seconds_until(options["daily_at"], datetime.now(JST))
            self.stdout.write(f"Next base-backup check in {wait / 3600:.1f} h.")
            time.sleep(wait)

    def _scheduled(self, *run) -> None:  # noqa: ANN002
        try:
            self._once(*run)
        except CommandError as error:  # keep the schedule; the healthcheck sees the gap
            self.stderr.write(str(error))
        connections.close_all()

    def _once(self, directory: Path, wal_dir: Path, keep: int, alias: str) -> None:
        try:
            result = take_base_backup(owner_params(alias), directory, keep=keep, wal_dir=wal_dir)
        except BackupError as error:
            raise CommandError(f"ベースバックアップ失敗 / base backup failed: {error}") from error
        self.stdout.write(f"ベースバックアップ / base backup: {result.directory}")
        self.stdout.write(f"  サイズ / size: {result.size:,} bytes, start WAL {result.start_wal}")
        for path in result.pruned:
            self.stdout.write(f"  削除 / pruned (keep {keep}): {path.name}")
        if result.wal_removed:
            self.stdout.write(f"  WAL 削除 / archived WAL removed: {result.wal_removed} segments")
