"""Reading the access log (閲覧記録の確認): who saw client X, what user U opened.

Only the office manager (管理者) and the auditor (監査) of the current office may read it,
and only rows recorded in that office. Dates are JST calendar days, both ends included.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from caremgmt import wareki
from caremgmt.access import Actor, visible
from caremgmt.models import AccessLog, Staff

LOG_REVIEW_REFUSED_MESSAGE = "閲覧記録は管理者・監査の担当者だけが確認できます。"

CSV_HEADERS = (
    "日時",
    "日時(ISO 8601)",
    "職員",
    "ログインID",
    "操作",
    "対象種別",
    "対象ID",
    "利用者ID",
    "利用者",
    "URL",
    "IPアドレス",
    "リクエストID",
)


def can_review_access_log(actor: Actor | None) -> bool:
    return actor is not None and actor.can_review_access_log


def require_log_reviewer(actor: Actor | None) -> None:
    """管理者 and 監査 only; everyone else gets 403 before anything is looked up."""
    if not can_review_access_log(actor):
        raise PermissionDenied(LOG_REVIEW_REFUSED_MESSAGE)


def _local_range(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    return start, end


def _office_rows(actor: Actor, since: dt.date, until: dt.date) -> QuerySet[AccessLog]:
    require_log_reviewer(actor)
    start, end = _local_range(since, until)
    return (
        AccessLog.objects.filter(office_id=actor.office.pk, occurred_at__gte=start)
        .filter(occurred_at__lt=end)
        .select_related("staff")
        .order_by("occurred_at", "pk")
    )


def client_access_rows(
    *, actor: Actor, client_id: int, since: dt.date, until: dt.date
) -> QuerySet[AccessLog]:
    """Who saw client `client_id` (already checked visible to `actor`) between two days."""
    return _office_rows(actor, since, until).filter(client_id=client_id)


def staff_access_rows(
    *, actor: Actor, staff_id: int, since: dt.date, until: dt.date
) -> QuerySet[AccessLog]:
    """What staff member `staff_id` opened in the actor's office between two days."""
    return _office_rows(actor, since, until).filter(staff_id=staff_id)


def reviewable_clients(actor: Actor) -> QuerySet:
    client_model = apps.get_model("clients", "Client")
    return visible(client_model.objects.all(), actor).order_by("name_kana", "pk")


def reviewable_staff(actor: Actor) -> QuerySet[Staff]:
    """Everyone who is or was a member of the actor's office (former staff included)."""
    if not can_review_access_log(actor):
        return Staff.objects.none()
    return (
        Staff.objects.filter(memberships__office=actor.office)
        .distinct()
        .order_by("full_name_kana", "username")
    )


def client_names(actor: Actor, client_ids: Iterable[int | None]) -> dict[int, str]:
    """Names of the listed clients the actor can see, in one query."""
    ids = {pk for pk in client_ids if pk is not None}
    if not ids:
        return {}
    return dict(reviewable_clients(actor).filter(pk__in=ids).values_list("pk", "name"))


@dataclass(frozen=True)
class LogLine:
    """One access-log row as shown and exported."""

    row: AccessLog
    client_name: str

    @property
    def local_time(self) -> dt.datetime:
        return timezone.localtime(self.row.occurred_at)

    @property
    def when(self) -> str:
        """令和8年11月27日 14:05:09 (JST)."""
        local = self.local_time
        return f"{wareki.wareki_date(local.date())} {local:%H:%M:%S}"


def log_lines(actor: Actor, rows: Iterable[AccessLog]) -> list[LogLine]:
    rows = list(rows)
    names = client_names(actor, (row.client_id for row in rows))
    return [LogLine(row=row, client_name=names.get(row.client_id, "")) for row in rows]


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_chunks(actor: Actor, rows: QuerySet[AccessLog], chunk_size: int = 1000) -> Iterator[str]:
    """The export: UTF-8 with BOM (Excel), Japanese headers, one query per `chunk_size` rows
    plus one for their client names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(CSV_HEADERS)
    last_pk = None
    base = rows
    while True:
        page = base if last_pk is None else base.filter(pk__gt=last_pk)
        batch = list(page.order_by("pk")[:chunk_size])
        if not batch:
            break
        for line in log_lines(actor, batch):
            row = line.row
            writer.writerow(
                [
                    _cell(line.when),
                    line.local_time.isoformat(),
                    _cell(row.staff.full_name),
                    _cell(row.staff.username),
                    _cell(row.get_action_display()),
                    _cell(row.subject_type),
                    _cell(row.subject_id),
                    _cell(row.client_id),
                    _cell(line.client_name),
                    _cell(row.path),
                    _cell(row.ip_address),
                    _cell(row.request_id),
                ]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        last_pk = batch[-1].pk
    if buffer.getvalue():
        yield buffer.getvalue()
