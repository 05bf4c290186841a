"""`make restore-pitr`: point-in-time recovery into a NEW data directory (docs/backup.md).

Verifies the base backup's SHA256SUMS, unpacks it into `--data-dir` (which must be new or
empty), replays archived WAL from WAL_ARCHIVE_DIR up to `--target-time` (ISO 8601; without a
zone it is Japan time) or, with `--latest`, to the end of the archive, starts PostgreSQL on
`--port` (socket only, archiving off), waits until it has promoted, checks what it holds and
prints how to switch over. The live data directory is never touched. Exit 0: recovered and
checked; 1: anything failed. `--stop` stops the recovered server afterwards (drills).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caremgmt.backup import BackupError
from caremgmt.management.commands.backup_db import JST
from caremgmt.management.commands.base_backup import base_backup_dir, wal_archive_dir
from caremgmt.pitr import base_backups, read_meta, recover, smoke


class Command(BaseCommand):
    help = "Recover a base backup + archived WAL to a point in time, into a new data directory."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--target-time", help="e.g. '2026-11-28 10:42' (JST unless zoned).")
        target.add_argument("--latest", action="store_true", help="Replay all archived WAL.")
        parser.add_argument("--data-dir", type=Path, required=True, help="A NEW directory.")
        parser.add_argument("--base", type=Path, help="Default: newest base before the target.")
        parser.add_argument("--wal-dir", type=Path, help="Default: WAL_ARCHIVE_DIR.")
        parser.add_argument("--port", type=int, default=5433)
        parser.add_argument("--superuser", default="postgres", help="compose: caremgmt")
        parser.add_argument("--dbname", default="caremgmt", help="Database to check.")
        parser.add_argument("--run-as", help="System user for the server when run as root.")
        parser.add_argument("--stop", action="store_true", help="Stop the server after checks.")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        target = None
        if options["target_time"]:
            try:
                target = datetime.fromisoformat(options["target_time"])
            except ValueError as error:
                raise CommandError(f"--target-time {options['target_time']!r}: ISO 8601") from error
            if target.tzinfo is None:
                target = target.replace(tzinfo=JST)
        base = options["base"] or self._pick_base(target)
        wal_dir = options["wal_dir"] or wal_archive_dir()
        self.stdout.write(f"ベース / base backup: {base} ({read_meta(base)['created_at']})")
        self.stdout.write(f"目標 / target: {target.isoformat() if target else 'latest'}")
        try:
            recovered = recover(
                base,
                wal_dir,
                options["data_dir"],
                target_time=target,
                port=options["port"],
                run_as=options["run_as"],
                superuser=options["superuser"],
            )
        except BackupError as error:
            raise CommandError(f"復旧失敗 / recovery failed: {error}") from error
        try:
            lines, problems = smoke(recovered.params(options["dbname"], options["superuser"]))
        except Exception as error:  # noqa: BLE001 - reported, server left for inspection
            lines, problems = [], [f"{options['dbname']}: {error}"]
        self.stdout.write(f"復旧先 / recovered into: {recovered.data_dir} (昇格済 / promoted)")
        for line in lines:
            self.stdout.write(f"  {line}")
        for problem in problems:
            self.stderr.write(f"  ✗ {problem}")
        if options["stop"]:
            recovered.stop()
            self.stdout.write("  停止 / stopped the recovered server")
        else:
            self.stdout.write(
                f"  接続 / connect: psql -h {recovered.socket_dir} -p {recovered.port}"
                f" -U {options['superuser']} {options['dbname']}"
            )
            self.stdout.write(
                "  切替 / switch over (docs/backup.md 「PITR の手順」): stop web, worker, beat;"
                f" stop it (pg_ctl -D {recovered.data_dir} stop); make this directory the"
                " postgres service's data directory; start postgres (archiving resumes), then"
                " take a new base backup at once."
            )
        if problems:
            raise CommandError("結果 / result: 不一致あり / MISMATCH — see above.")
        self.stdout.write("結果 / result: 正常 / OK")

    def _pick_base(self, target: datetime | None) -> Path:
        bases = base_backups(base_backup_dir())
        if target is not None:
            bases = [
                b for b in bases if datetime.fromisoformat(read_meta(b)["created_at"]) < target
            ]
        if not bases:
            raise CommandError("No base backup (before the target) in BASE_BACKUP_DIR; use --base.")
        return bases[-1]
