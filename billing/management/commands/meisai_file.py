"""Write the office's own 請求書 + 様式第七 明細書 file of a month (the same bytes as the
download on the claim page; a 送信済み month from its close record).

    python manage.py meisai_file --office 1371234567 --month 2026-12 --out FILE

See docs/office_claim.md 「明細書ファイル」.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from billing.management.office_month import OfficeMonthFileCommand
from billing.office_claim.meisai_file import month_source, write_meisai


class Command(OfficeMonthFileCommand):
    help = "居宅介護支援費の請求書・明細書（様式第七）の国保連交換情報ファイルを書き出します。"

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        office, month = self.office_and_month(options)
        try:
            written = write_meisai(month_source(office, month))
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        Path(options["out"]).write_bytes(written.content)
        self.stdout.write(
            f"{options['out']} 利用者 {written.client_count}人 "
            f"請求額 {written.insurance_claim_yen}円 sha256={written.sha256}"
        )
