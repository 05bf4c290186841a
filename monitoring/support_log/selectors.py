"""Reading the 支援経過: one window of a client's log, the 相手 suggestions, the print rows.

The page shows the newest `WINDOW` entries that match the filter, oldest first (the paper
form's order, newest at the bottom next to the entry form); "さらに前の記録" moves the window
back. Each window is one query — the count does not grow with the client's years of entries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery

from careplans.models import SupportItem, WeeklyService
from clients.models import Client, ClientContact, ServiceProvider
from monitoring.models import SupportLogEntry
from monitoring.support_log.links import source_links

WINDOW = 50


@dataclass(frozen=True)
class LogFilter:
    kinds: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass
class LogWindow:
    entries: list[SupportLogEntry]
    page: int
    has_older: bool
    links: dict[int, str] = field(default_factory=dict)


def _entries(client: Client, log_filter: LogFilter) -> QuerySet[SupportLogEntry]:
    queryset = SupportLogEntry.objects.filter(client=client)
    if log_filter.kinds:
        queryset = queryset.filter(kind__in=log_filter.kinds)
    if log_filter.date_from:
        queryset = queryset.filter(occurred_on__gte=log_filter.date_from)
    if log_filter.date_to:
        queryset = queryset.filter(occurred_on__lte=log_filter.date_to)
    return queryset


def with_links_to_corrections(queryset: QuerySet[SupportLogEntry]) -> QuerySet[SupportLogEntry]:
    """Each entry with its author, the entry it corrects, and `corrected_by_id` (the first
    correction of it, if any) — in the same query."""
    first_correction = SupportLogEntry.objects.filter(corrects=OuterRef("pk")).order_by("pk")
    return queryset.select_related("author", "corrects").annotate(
        corrected_by_id=Subquery(first_correction.values("pk")[:1]),
        corrected_by_on=Subquery(first_correction.values("occurred_on")[:1]),
    )


def log_window(client: Client, log_filter: LogFilter, page: int = 1) -> LogWindow:
    """Window `page` (1 = the newest) of the filtered log, shown oldest first."""
    page = max(page, 1)
    start = (page - 1) * WINDOW
    newest_first = with_links_to_corrections(_entries(client, log_filter)).order_by(
        "-occurred_on", "-occurred_at", "-pk"
    )
    rows = list(newest_first[start : start + WINDOW + 1])
    has_older = len(rows) > WINDOW
    entries = list(reversed(rows[:WINDOW]))
    links = source_links(entries)
    for entry in entries:
        entry.source_url = links.get(entry.pk)  # type: ignore[attr-defined]
    return LogWindow(entries=entries, page=page, has_older=has_older, links=links)


def counterpart_suggestions(client: Client) -> list[str]:
    """相手 suggestions (a datalist): the client, the family and contacts, the 主治医, and
    the providers named in the client's plans. Two queries."""
    names = ["本人"]
    for name, relationship in ClientContact.objects.filter(client=client).values_list(
        "name", "relationship"
    ):
        names.append(f"{relationship} {name}".strip())
    doctor = client.primary_doctor
    if doctor is not None:
        names.append(" ".join(p for p in (doctor.institution_name, doctor.doctor_name) if p))
    used = Q(
        pk__in=WeeklyService.objects.filter(plan__client=client, provider__isnull=False).values(
            "provider_id"
        )
    ) | Q(
        pk__in=SupportItem.objects.filter(
            goal__need__plan__client=client, provider__isnull=False
        ).values("provider_id")
    )
    names += (
        ServiceProvider.objects.filter(used)
        .order_by("name_kana", "name")
        .values_list("name", flat=True)
    )
    return list(dict.fromkeys(n for n in names if n))


def print_entries(client: Client, date_from: dt.date, date_to: dt.date) -> list[SupportLogEntry]:
    """Every entry of the range, oldest first, for the 第5表 PDF."""
    return list(
        with_links_to_corrections(
            _entries(client, LogFilter(date_from=date_from, date_to=date_to))
        ).order_by("occurred_on", "occurred_at", "pk")
    )
