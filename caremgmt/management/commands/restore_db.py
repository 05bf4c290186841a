"""`make restore FILE=…`: verify, restore into a scratch database, smoke-check (docs/backup.md).

Exit codes: 0 restored and every check matched; 2 checksum refused (nothing restored);
1 any other failure or mismatch. The live database is replaced only with `--into-live` and
its name typed as confirmation (interactively, or `--confirm NAME`), after the checks pass.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from caremgmt.backup import BackupError, owner_params
from caremgmt.restore import (
    SCRATCH_PREFIX,
    ChecksumMismatch,
    check_database_name,
    create_database,
    drop_database,
    grant_runtime,
    pg_restore,
    smoke_check,
    swap_into_live,
    verify,
)


class Command(BaseCommand):
    help = "Restore a backup_db dump into a scratch database and smoke-check it."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("file", type=Path, help="The .dump file (sidecars beside it).")
        parser.add_argument("--scratch-name", help=f"Default: {SCRATCH_PREFIX}<UTC stamp>.")
        parser.add_argument(
            "--drop-after", action="store_true", help="Drop the scratch database (drills)."
        )
        parser.add_argument(
            "--into-live",
            action="store_true",
            help="After the checks pass, make the restored database the live one.",
        )
        parser.add_argument("--confirm", help="With --into-live: the live database's name.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        params = owner_params(options["database"])
        stamp = datetime.now(UTC).strftime("%Y%m%d_%H%M%S")
        if options["into_live"]:
            if options["drop_after"]:
                raise CommandError("--drop-after and --into-live exclude each other.")
            self._confirm(params.dbname, options["confirm"])
        try:
            manifest = verify(options["file"])
        except ChecksumMismatch as error:
            raise CommandError(str(error), returncode=2) from error
        self.stdout.write(f"チェックサム / checksum: {options['file'].name} — 一致 / OK")
        scratch = check_database_name(options["scratch_name"] or f"{SCRATCH_PREFIX}{stamp}")
        if scratch == params.dbname:
            raise CommandError("The scratch database must not be the live database.")
        target = params.with_dbname(scratch)
        try:
            create_database(params, scratch)
        except BackupError as error:
            raise CommandError(str(error)) from error
        try:
            pg_restore(options["file"], target)
            report = smoke_check(target, manifest)
            role = grant_runtime(target)
        except BackupError as error:
            drop_database(params, scratch)
            raise CommandError(f"復元失敗 / restore failed: {error}") from error
        except BaseException:
            drop_database(params, scratch)
            raise
        self.stdout.write(f"復元先 / restored into: {scratch}")
        self.stdout.write(
            f"  元 / source: {manifest['database']}, {manifest['created_at']}, "
            f"PostgreSQL {manifest['server_version']}"
        )
        for line in report.lines:
            self.stdout.write(f"  {line}")
        if role:
            self.stdout.write(f"  実行ロール / runtime role {role}: rights granted")
        for problem in report.problems:
            self.stderr.write(f"  ✗ {problem}")
        if options["drop_after"] or (options["into_live"] and not report.ok):
            drop_database(params, scratch)
            self.stdout.write(f"  削除 / dropped scratch database {scratch}")
        if not report.ok:
            raise CommandError("結果 / result: 不一致あり / MISMATCH — see above.", returncode=1)
        if options["into_live"]:
            try:
                old = swap_into_live(params, params.dbname, scratch, stamp)
            except BackupError as error:
                raise CommandError(
                    f"{error} The checked copy stays in {scratch}.", returncode=1
                ) from error
            self.stdout.write(f"本番に切替 / live: {params.dbname} is the restored copy now;")
            self.stdout.write(f"  the previous database was kept as {old}.")
        self.stdout.write("結果 / result: 正常 / OK")

    def _confirm(self, live: str, given: str | None) -> None:
        if given is None and sys.stdin.isatty():
            self.stdout.write(
                f"本番データベース {live} を復元したデータで置き換えます。"
                f" / This REPLACES the live database {live}."
            )
            given = input(f"確認のためデータベース名を入力 / type {live} to confirm: ").strip()
        if given != live:
            raise CommandError(
                f"--into-live needs the live database's name typed as confirmation ({live}); "
                "nothing was changed. / 確認が一致しないため中止しました。",
                returncode=1,
            )
