"""Write the 給付管理票 exchange file (8222) of an office-month from the last confirmed state.

    python manage.py kyufu_kanri_file --office 1371234567 --month 2026-12 --out FILE

The current drafts when there are any (the same bytes the batch stored), otherwise the last
stored file of the month. See docs/kyufu_kanri.md.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from billing.benefit.batch import draft_sheets, month_file
from billing.management.office_month import OfficeMonthFileCommand
from billing.models.benefit import ClaimSubmission


class Command(OfficeMonthFileCommand):
    help = "給付管理票の国保連交換情報ファイル（8222）を書き出します。"

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        office, month = self.office_and_month(options)
        if draft_sheets(office.pk, month):
            try:
                exchange = month_file(office, month)
            except ValidationError as error:
                raise CommandError("\n".join(error.messages)) from error
            content, sha256 = exchange.content, exchange.sha256
        else:
            last = ClaimSubmission.objects.filter(office=office, month=month).first()
            if last is None:
                raise CommandError("この月の給付管理票がありません。")
            content, sha256 = bytes(last.content), last.sha256
        Path(options["out"]).write_bytes(content)
        self.stdout.write(f"{options['out']} sha256={sha256}")
