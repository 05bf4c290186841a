"""Write the office's own 請求書 + 様式第七 明細書 file of a month (the same bytes as the
download on the claim page; a 送信済み month from its close record).

    python manage.py meisai_file --office 1371234567 --month 2026-12 --out FILE

See docs/office_claim.md 「明細書ファイル」.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from billing.office_claim.meisai_file import month_source, write_meisai
from billing.tickets.month import parse_month
from caremgmt.models import Office


class Command(BaseCommand):
    help = "居宅介護支援費の請求書・明細書（様式第七）の国保連交換情報ファイルを書き出します。"

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--office", required=True, help="事業所番号（10桁）")
        parser.add_argument("--month", required=True, help="サービス提供年月 YYYY-MM")
        parser.add_argument("--out", required=True, help="書き出すファイル")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        office = Office.objects.filter(office_number=options["office"]).first()
        if office is None:
            raise CommandError(f"事業所番号 {options['office']} の事業所がありません。")
        try:
            month = parse_month(options["month"])
        except ValueError as error:
            raise CommandError("年月は YYYY-MM で指定してください。") from error
        try:
            written = write_meisai(month_source(office, month))
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        Path(options["out"]).write_bytes(written.content)
        self.stdout.write(
            f"{options['out']} 利用者 {written.client_count}人 "
            f"請求額 {written.insurance_claim_yen}円 sha256={written.sha256}"
        )
