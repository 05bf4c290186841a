"""`make backup`: pg_dump the configured database into BACKUP_DIR (docs/backup.md).

Connects as the OWNER role (MIGRATION_DATABASE_URL); writes `<name>.dump`, `<name>.sha256`
and `<name>.manifest.json` and keeps the newest BACKUP_KEEP generations. `--daily-at HH:MM`
(the docker-compose `backup` service) repeats it every day at that Japan time.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from caremgmt.backup import BackupError, backup_sets, run_backup

JST = ZoneInfo("Asia/Tokyo")


def seconds_until(at: str, now: datetime) -> float:
    """Seconds from `now` to the next HH:MM Japan time (tomorrow when already past)."""
    hour, minute = (int(part) for part in at.split(":"))
    local = now.astimezone(JST)
    target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    return (target - local).total_seconds()


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format + .sha256 + row-count manifest)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--dir", type=Path, help="Default: BACKUP_DIR (.data/backups).")
        parser.add_argument("--keep", type=int, help="Generations kept (default BACKUP_KEEP).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--daily-at",
            metavar="HH:MM",
            help="Run forever: back up every day at this Japan time (docker-compose `backup`).",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        directory = options["dir"] or Path(settings.BACKUP_DIR)
        keep = options["keep"] if options["keep"] is not None else settings.BACKUP_KEEP
        if not options["daily_at"]:
            self._once(directory, keep, options["database"])
            return
        try:
            seconds_until(options["daily_at"], datetime.now(JST))
        except ValueError as error:
            raise CommandError(f"--daily-at {options['daily_at']!r}: use HH:MM.") from error
        newest = backup_sets(directory)
        if not newest or time.time() - newest[-1].stat().st_mtime > 24 * 3600:
            self._scheduled(directory, keep, options["database"])  # none within a day: now
        while True:
            wait = seconds_until(options["daily_at"], datetime.now(JST))
            self.stdout.write(f"Next backup in {wait / 3600:.1f} h ({options['daily_at']} JST).")
            time.sleep(wait)
            self._scheduled(directory, keep, options["database"])

    def _scheduled(self, directory: Path, keep: int, alias: str) -> None:
        try:
            self._once(directory, keep, alias)
        except CommandError as error:  # keep the schedule; the healthcheck sees the gap
            self.stderr.write(str(error))
        connections.close_all()

    def _once(self, directory: Path, keep: int, alias: str) -> None:
        try:
            result = run_backup(directory, keep=keep, alias=alias)
        except BackupError as error:
            raise CommandError(f"バックアップ失敗 / backup failed: {error}") from error
        self.stdout.write(f"バックアップ / backup: {result.dump}")
        self.stdout.write(f"  サイズ / size: {result.size:,} bytes")
        self.stdout.write(f"  sha256: {result.sha256}")
        self.stdout.write(f"  件数 / rows: {result.rows:,} in {result.tables} tables")
        self.stdout.write(
            f"  manifest: {result.manifest.name}, checksums: {result.checksum_file.name}"
        )
        for path in result.pruned:
            self.stdout.write(f"  削除 / pruned (keep {keep}): {path.name}")
