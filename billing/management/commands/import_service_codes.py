"""manage.py import_service_codes FILE — load a full サービスコード表 CSV (docs/fee_schedule.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing.fee_schedule_import import ServiceCodeImportError, service_codes_import


class Command(BaseCommand):
    help = "サービスコード表(CSV)を取り込みます。誤りが1行でもあれば何も保存しません。"

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("file", type=Path, help="UTF-8 または Shift_JIS の CSV ファイル")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"ファイルがありません: {path}")
        try:
            report = service_codes_import(path=path)
        except ServiceCodeImportError as error:
            lines = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(
                f"取り込みを中止しました（{len(error.problems)}件の誤り。何も保存していません）:\n{lines}"
            ) from error
        self.stdout.write(self.style.SUCCESS(f"取り込みました: {report.summary()}"))
