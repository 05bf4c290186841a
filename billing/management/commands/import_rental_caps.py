"""manage.py import_rental_caps FILE — load 福祉用具貸与の上限額 (see billing/rental_caps.py).

The real caps are published by 厚生労働省 per TAIS code; billing/data/rental_caps_sample.csv
is sample data for trying the command and the ticket's price check."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing.rental_caps import RentalCapImportError, import_rental_caps

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "rental_caps_sample.csv"


class Command(BaseCommand):
    help = (
        "福祉用具貸与の上限額（CSV: tais_code,item_name,cap_yen,average_yen,valid_from,"
        "valid_to）を取り込みます。誤りが1行でもあれば何も保存しません。"
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument(
            "file",
            type=Path,
            nargs="?",
            help="UTF-8 または Shift_JIS の CSV（厚労省の公表データを変換したもの）",
        )
        parser.add_argument(
            "--sample",
            action="store_true",
            help="サンプルデータ（billing/data/rental_caps_sample.csv、実在しない値）を取り込む",
        )
        parser.add_argument("--dry-run", action="store_true", help="確認だけして保存しない")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        path: Path | None = SAMPLE if options["sample"] else options["file"]
        if path is None:
            raise CommandError("CSV ファイルを指定するか --sample を付けてください。")
        if not path.is_file():
            raise CommandError(f"ファイルがありません: {path}")
        try:
            report = import_rental_caps(path, dry_run=options["dry_run"])
        except RentalCapImportError as error:
            lines = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(
                f"取り込みを中止しました（{len(error.problems)}件の誤り。何も保存していません）:\n{lines}"
            ) from error
        prefix = "確認のみ（保存していません）" if options["dry_run"] else "取り込みました"
        note = "（サンプルデータ：実際の上限額ではありません）" if options["sample"] else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}: {report.summary()}{note}"))
