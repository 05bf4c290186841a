"""The shared arguments of the commands that write one office-month's 国保連 file
(kyufu_kanri_file, meisai_file): --office 事業所番号, --month YYYY-MM, --out FILE."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from billing.tickets.month import parse_month
from caremgmt.models import Office


class OfficeMonthFileCommand(BaseCommand):
    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--office", required=True, help="事業所番号（10桁）")
        parser.add_argument("--month", required=True, help="サービス提供年月 YYYY-MM")
        parser.add_argument("--out", required=True, help="書き出すファイル")

    def office_and_month(self, options: dict) -> tuple[Office, dt.date]:
        office = Office.objects.filter(office_number=options["office"]).first()
        if office is None:
            raise CommandError(f"事業所番号 {options['office']} の事業所がありません。")
        try:
            return office, parse_month(options["month"])
        except ValueError as error:
            raise CommandError("年月は YYYY-MM で指定してください。") from error
