"""manage.py quote FILE.json — 試算 from the command line (schema: docs/quote.md)."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing.calc import calculate_client_month
from billing.fee_schedule import fee_schedule_from_database
from billing.quote import QuoteInputError, client_month_from_json, result_to_json


class Command(BaseCommand):
    help = "利用者1人・1か月の給付を試算し、別表(第7表)の数値と給付管理票の行をJSONで出力します。"

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("file", help="入力JSONファイル（- で標準入力）")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        source = options["file"]
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"入力ファイルを読めません: {source} ({error.strerror})") from error
        except UnicodeDecodeError as error:  # the schema is UTF-8 JSON (docs/quote.md)
            raw = error.object[: error.start]
            line, column = raw.count(b"\n") + 1, error.start - raw.rfind(b"\n")
            raise CommandError(
                f"UTF-8 として読めないバイトがあります: {line}行 {column}列"
            ) from error
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"JSONとして読めません: {error.lineno}行 {error.colno}列: {error.msg}"
            ) from error
        try:
            client_month, calculation_options = client_month_from_json(data)
        except QuoteInputError as error:
            raise CommandError(f"入力の誤り: {error.field}: {error.message}") from error
        result = calculate_client_month(
            client_month, fee_schedule_from_database(), calculation_options
        )
        self.stdout.write(json.dumps(result_to_json(result), ensure_ascii=False, indent=2))
        if result.has_errors:
            messages = "\n".join(
                f"  {issue.field or ''} {issue.message}"
                for issue in result.issues
                if issue.severity == "error"
            )
            raise CommandError(f"計算できない入力があります:\n{messages}")
