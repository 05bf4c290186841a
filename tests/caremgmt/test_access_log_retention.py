"""The access log's retention job (issue 9 item 6): archive past ACCESS_LOG_RETENTION_YEARS,
then delete exactly those rows, and record the run."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io

import pgtrigger
import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.db.utils import DatabaseError

from caremgmt.access_log_retention import access_log_archive_and_purge, retention_cutoff
from caremgmt.models import AccessLog, AccessLogArchive

pytestmark = pytest.mark.django_db

JST = dt.timezone(dt.timedelta(hours=9))


def _log(staff, when: dt.datetime, **fields) -> AccessLog:  # noqa: ANN001
    row = AccessLog.objects.create(
        staff=staff,
        office_id=fields.get("office_id"),
        client_id=fields.get("client_id", 5),
        subject_type=fields.get("subject_type", "client"),
        subject_id=fields.get("subject_id", 5),
        action=fields.get("action", "view"),
        path=fields.get("path", "/clients/5/"),
        ip_address=fields.get("ip_address", "10.0.0.1"),
    )
    with pgtrigger.ignore("caremgmt.AccessLog:access_log_append_only"):
        AccessLog.objects.filter(pk=row.pk).update(occurred_at=when)
    return row


def test_cutoff_is_jst_midnight_retention_years_ago(settings) -> None:  # noqa: ANN001
    settings.ACCESS_LOG_RETENTION_YEARS = 5
    assert retention_cutoff(today=dt.date(2031, 12, 1)) == dt.datetime(2026, 12, 1, tzinfo=JST)
    assert retention_cutoff(today=dt.date(2028, 2, 29), years=1) == dt.datetime(
        2027, 2, 28, tzinfo=JST
    )


def test_archives_then_deletes_only_rows_older_than_retention(world, settings, tmp_path) -> None:  # noqa: ANN001
    settings.ACCESS_LOG_ARCHIVE_DIR = tmp_path
    cutoff = dt.datetime(2021, 12, 1, tzinfo=JST)
    old_first = _log(
        world.care_manager,
        dt.datetime(2021, 4, 1, 9, 0, tzinfo=JST),
        office_id=world.office.pk,
        path="/clients/5/",
    )
    old_last = _log(
        world.colleague,
        dt.datetime(2021, 11, 30, 23, 59, 59, tzinfo=JST),
        action="print",
        subject_type="careplan",
        subject_id=8,
        ip_address="192.0.2.1",
    )
    kept_at_cutoff = _log(world.care_manager, cutoff)
    kept_recent = _log(world.care_manager, dt.datetime(2026, 11, 1, tzinfo=JST))

    result = access_log_archive_and_purge(before=cutoff)

    assert sorted(AccessLog.objects.values_list("pk", flat=True)) == [
        kept_at_cutoff.pk,
        kept_recent.pk,
    ]
    archive = result.archive_file
    assert archive.parent == tmp_path and archive.name.endswith(".csv.gz")
    content = archive.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    assert result.checksum_file.read_text() == f"{digest}  {archive.name}\n"
    rows = list(csv.reader(io.StringIO(gzip.decompress(content).decode("utf-8"))))
    assert rows == [
        [
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
        ],
        [
            str(old_first.pk),
            "2021-04-01T00:00:00+00:00",
            str(world.care_manager.pk),
            world.care_manager.username,
            str(world.office.pk),
            "5",
            "client",
            "5",
            "view",
            "/clients/5/",
            "10.0.0.1",
            "",
        ],
        [
            str(old_last.pk),
            "2021-11-30T14:59:59+00:00",
            str(world.colleague.pk),
            world.colleague.username,
            "",
            "5",
            "careplan",
            "8",
            "print",
            "/clients/5/",
            "192.0.2.1",
            "",
        ],
    ]
    # The run is recorded: how many rows, which ids, where, with the checksum.
    record = AccessLogArchive.objects.get()
    assert record == result.record
    assert (record.row_count, record.first_row_id, record.last_row_id) == (
        2,
        old_first.pk,
        old_last.pk,
    )
    assert (record.archive_path, record.sha256, record.database) == (
        str(archive),
        digest,
        "default",
    )
    assert record.before == cutoff


def test_nothing_to_archive_writes_no_file_but_is_recorded(world, settings, tmp_path) -> None:  # noqa: ANN001
    settings.ACCESS_LOG_ARCHIVE_DIR = tmp_path
    recent = _log(world.care_manager, dt.datetime(2026, 11, 1, tzinfo=JST))
    result = access_log_archive_and_purge(before=dt.datetime(2021, 12, 1, tzinfo=JST))
    assert result.archive_file is None and list(tmp_path.iterdir()) == []
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    record = AccessLogArchive.objects.get()
    assert (record.row_count, record.archive_path, record.sha256) == (0, "", "")


def test_default_cutoff_uses_the_retention_setting(world, settings, tmp_path) -> None:  # noqa: ANN001
    settings.ACCESS_LOG_ARCHIVE_DIR = tmp_path
    settings.ACCESS_LOG_RETENTION_YEARS = 5
    ancient = _log(world.care_manager, dt.datetime(2015, 1, 1, tzinfo=JST))
    fresh = _log(world.care_manager, dt.datetime.now(tz=JST) - dt.timedelta(days=365 * 4))
    result = access_log_archive_and_purge()
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert result.record.row_count == 1 and result.record.first_row_id == ancient.pk


def test_a_failed_archive_deletes_nothing(world, settings, tmp_path) -> None:  # noqa: ANN001
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings.ACCESS_LOG_ARCHIVE_DIR = blocker
    old = _log(world.care_manager, dt.datetime(2015, 1, 1, tzinfo=JST))
    with pytest.raises(OSError):
        access_log_archive_and_purge(before=dt.datetime(2021, 12, 1, tzinfo=JST))
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [old.pk]
    assert not AccessLogArchive.objects.exists()


def test_the_log_still_refuses_delete_outside_the_job(world) -> None:  # noqa: ANN001
    old = _log(world.care_manager, dt.datetime(2015, 1, 1, tzinfo=JST))
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=old.pk).delete()
    assert AccessLog.objects.filter(pk=old.pk).exists()


def test_archive_records_are_append_only(world, settings, tmp_path) -> None:  # noqa: ANN001
    settings.ACCESS_LOG_ARCHIVE_DIR = tmp_path
    record = access_log_archive_and_purge(before=dt.datetime(2021, 12, 1, tzinfo=JST)).record
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogArchive.objects.filter(pk=record.pk).update(row_count=99)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogArchive.objects.filter(pk=record.pk).delete()
    assert AccessLogArchive.objects.get().row_count == 0


def test_the_task_runs_eagerly_on_the_purge_database(world, settings, tmp_path) -> None:  # noqa: ANN001
    from caremgmt.tasks import access_log_archive_and_purge_task

    settings.ACCESS_LOG_ARCHIVE_DIR = tmp_path
    settings.ACCESS_LOG_PURGE_DATABASE = "default"
    _log(world.care_manager, dt.datetime(2015, 1, 1, tzinfo=JST))
    outcome = access_log_archive_and_purge_task.delay().get()
    record = AccessLogArchive.objects.get()
    assert outcome == {
        "row_count": 1,
        "archive_path": record.archive_path,
        "sha256": record.sha256,
    }
    assert not AccessLog.objects.exists()


def test_beat_runs_the_job_monthly_at_three_jst() -> None:
    entry = django_settings.CELERY_BEAT_SCHEDULE["access-log-archive-and-purge"]
    assert entry["task"] == "caremgmt.access_log_archive_and_purge"
    schedule = entry["schedule"]
    assert (schedule._orig_minute, schedule._orig_hour, schedule._orig_day_of_month) == (0, 3, 1)
    assert django_settings.CELERY_TIMEZONE == "Asia/Tokyo"
