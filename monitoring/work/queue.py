"""Reading the stored work queue for the page: filters, counts per kind, date groups.

A care manager's queue holds the items of their own clients and of the clients they cover
as 代理 (`WorkItem.scope_caseload_paths`); the 代理 ones are marked with the 担当's name and
can be left out with 「担当のみ」 (`own_only`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from caremgmt.access import Actor, visible
from monitoring.models import WorkItem, WorkKind

MAX_ITEMS = 120  # the whole office can be long; the rest is reached by the filters

GROUPS = (
    ("late", "期限切れ"),
    ("today", "今日"),
    ("week", "今週"),
    ("month", "今月"),
    ("later", "それ以降"),
)


@dataclass(frozen=True)
class Row:
    """One item as the page shows it (plain values: no model instances for a long list)."""

    pk: int
    kind: str
    kind_label: str
    due_on: dt.date
    detail: str
    url: str
    client_id: int | None
    client__name: str | None
    care_manager_id: int | None
    care_manager__full_name: str | None
    covered: bool = False  # shown to the client's 代理, not to the 担当

    @property
    def client_name(self) -> str:
        return self.client__name or ""

    @property
    def care_manager_name(self) -> str:
        return self.care_manager__full_name or ""


@dataclass
class Group:
    key: str
    label: str
    items: list[Row] = field(default_factory=list)


@dataclass
class KindCount:
    kind: str
    label: str
    count: int
    late: int


def group_of(due_on: dt.date, today: dt.date) -> str:
    if due_on < today:
        return "late"
    if due_on == today:
        return "today"
    if due_on <= today + dt.timedelta(days=6 - today.weekday()):  # until Sunday
        return "week"
    if (due_on.year, due_on.month) == (today.year, today.month):
        return "month"
    return "later"


def scoped_items(
    actor: Actor, care_manager_id: int | None, *, own_only: bool = False
) -> QuerySet[WorkItem]:
    """The actor's items: the office for 管理者・事務・監査 (optionally one care manager's),
    a caseload with its 代理 clients for a care manager (only the 担当's with `own_only`)."""
    items = visible(WorkItem.objects.all(), actor)
    if care_manager_id is not None and actor.sees_whole_office:
        items = items.filter(care_manager_id=care_manager_id)
    if own_only and not actor.sees_whole_office:
        items = items.filter(care_manager=actor.staff)
    return items


def covering_staff_id(actor: Actor) -> int | None:
    """Whose items count as covered (代理) on this page: none in the office view."""
    return None if actor.sees_whole_office or actor.staff is None else actor.staff.pk


def kind_counts(items: QuerySet[WorkItem], today: dt.date) -> list[KindCount]:
    found = {
        row["kind"]: row
        for row in items.order_by()
        .values("kind")
        .annotate(count=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
    }
    return [
        KindCount(kind, label, found[kind]["count"], found[kind]["late"])
        for kind, label in WorkKind.choices
        if kind in found
    ]


def grouped(
    items: QuerySet[WorkItem], kind: str, today: dt.date, *, viewer_id: int | None = None
) -> tuple[list[Group], bool]:
    """Items soonest first in date groups; with `viewer_id` (a care manager's own queue),
    an item whose 担当 is someone else is marked `covered` (the viewer is the 代理)."""
    if kind in WorkKind.values:
        items = items.filter(kind=kind)
    labels = dict(WorkKind.choices)
    rows = [
        Row(
            **row,
            kind_label=labels.get(row["kind"], row["kind"]),
            covered=viewer_id is not None and row["care_manager_id"] != viewer_id,
        )
        for row in items.order_by("due_on", "kind", "client__name_kana", "pk").values(
            "pk",
            "kind",
            "due_on",
            "detail",
            "url",
            "client_id",
            "client__name",
            "care_manager_id",
            "care_manager__full_name",
        )[: MAX_ITEMS + 1]
    ]
    groups = {key: Group(key, label) for key, label in GROUPS}
    for item in rows[:MAX_ITEMS]:
        groups[group_of(item.due_on, today)].items.append(item)
    return [group for group in groups.values() if group.items], len(rows) > MAX_ITEMS
