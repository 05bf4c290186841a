"""The access log's retention job: archive rows past ACCESS_LOG_RETENTION_YEARS, then delete them.

The access log refuses DELETE through a trigger (and, in production, through the runtime
role's privileges). This module is the one sanctioned path around that: it writes every row
older than the cut-off to a gzip CSV with a SHA-256 file beside it, deletes exactly those
rows with the trigger ignored for this statement only, and records the run as an
`AccessLogArchive` row — all in one transaction on `settings.ACCESS_LOG_PURGE_DATABASE`
(an owner connection where the runtime role may not delete).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pgtrigger
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from caremgmt.models import AccessLog, AccessLogArchive

PROTECT_TRIGGER = "caremgmt.AccessLog:access_log_append_only"
ARCHIVE_COLUMNS = (
    "id",
    "occurred_at_utc",
    "staff_id",
    "staff_login_id",
    "office_id",
    "client_id",
    "subject_type",
    "subject_id",
    "action",
    "path",
    "ip_address",
    "request_id",
)


@dataclass(frozen=True)
class ArchiveResult:
    record: AccessLogArchive
    archive_file: Path | None
    checksum_file: Path | None


def retention_cutoff(*, today: dt.date | None = None, years: int | None = None) -> dt.datetime:
    """00:00 JST on the same calendar day `years` years ago (29 Feb → 28 Feb)."""
    today = today or timezone.localdate()
    years = settings.ACCESS_LOG_RETENTION_YEARS if years is None else years
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _csv_line(values: list[object]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(["" if v is None else v for v in values])
    return buffer.getvalue().encode("utf-8")


def _write_archive(rows, target: Path) -> tuple[str, int, int | None, int | None]:  # noqa: ANN001
    """Write `rows` as gzip CSV to `target` (via a temp file renamed into place);
    return (sha256 of the file, row count, first id, last id)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".partial")
    count, first_id, last_id = 0, None, None
    with open(partial, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as archive:
            archive.write(_csv_line(list(ARCHIVE_COLUMNS)))
            for row in rows:
                archive.write(
                    _csv_line(
                        [
                            row.pk,
                            row.occurred_at.astimezone(dt.UTC).isoformat(),
                            row.staff_id,
                            row.staff.username,
                            row.office_id,
                            row.client_id,
                            row.subject_type,
                            row.subject_id,
                            row.action,
                            row.path,
                            row.ip_address,
                            row.request_id,
                        ]
                    )
                )
                count += 1
                first_id = row.pk if first_id is None else first_id
                last_id = row.pk
        raw.flush()
        os.fsync(raw.fileno())
    digest = hashlib.sha256()
    with open(partial, "rb") as written:
        for chunk in iter(lambda: written.read(1 << 20), b""):
            digest.update(chunk)
    partial.replace(target)
    return digest.hexdigest(), count, first_id, last_id


def access_log_archive_and_purge(
    *,
    before: dt.datetime | None = None,
    database: str | None = None,
    archive_dir: Path | None = None,
) -> ArchiveResult:
    """Archive every access-log row with occurred_at < `before` (default: the retention
    cut-off), then delete exactly those rows, and record the run. Nothing is deleted unless
    the archive file was written completely; a run with nothing to archive writes no file
    but is still recorded."""
    before = before or retention_cutoff()
    database = database or settings.ACCESS_LOG_PURGE_DATABASE
    archive_dir = Path(archive_dir or settings.ACCESS_LOG_ARCHIVE_DIR)
    with transaction.atomic(using=database):
        old = AccessLog.objects.using(database).filter(occurred_at__lt=before)
        # Lock the rows so a concurrent run cannot archive them twice.
        ids = list(old.select_for_update().order_by("pk").values_list("pk", flat=True))
        archive_file = checksum_file = None
        sha256 = ""
        if ids:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            name = f"access_log_before_{before.astimezone(dt.UTC):%Y%m%d}_{stamp}.csv.gz"
            archive_file = archive_dir / name
            rows = old.select_related("staff").order_by("pk").iterator(chunk_size=2000)
            sha256, count, first_id, last_id = _write_archive(rows, archive_file)
            if count != len(ids):  # pragma: no cover - rows are locked above
                raise RuntimeError("access log changed while it was being archived")
            checksum_file = archive_file.with_name(name + ".sha256")
            checksum_file.write_text(f"{sha256}  {name}\n", encoding="ascii")
            with pgtrigger.ignore(PROTECT_TRIGGER, databases=[database]):
                deleted, _ = old.delete()
            if deleted != len(ids):  # pragma: no cover - rows are locked above
                raise RuntimeError("access log rows were not all deleted")
        record = AccessLogArchive.objects.using(database).create(
            before=before,
            row_count=len(ids),
            first_row_id=ids[0] if ids else None,
            last_row_id=ids[-1] if ids else None,
            archive_path=str(archive_file or ""),
            sha256=sha256,
            database=database,
        )
    return ArchiveResult(record=record, archive_file=archive_file, checksum_file=checksum_file)
