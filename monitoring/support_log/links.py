"""The one place that turns an automatic entry's source ("app.model:pk") into a link.

`source_links(entries)` returns {entry pk: url} for the entries whose source is known and
resolvable; an unknown label, a bad pk, or a URL name that does not exist (yet) gives no
link. Sources whose page is addressed by a parent (a 軽微な変更 → its plan, a 利用票の版 →
its ticket) are looked up in one query per such label present, so the count does not grow
with the number of entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from monitoring.models import SupportLogEntry


@dataclass(frozen=True)
class Direct:
    """The page takes the source's own pk (or the entry's client)."""

    build: Callable[[int, int], str]  # (source pk, client id) → url


@dataclass(frozen=True)
class ViaParent:
    """The page takes a parent's pk: one values_list query per label."""

    parent_field: str
    build: Callable[[int], str]  # parent pk → url


def _url(name: str, suffix: str = "", **kwargs: int) -> str:
    return reverse(name, kwargs=kwargs) + suffix


LINKS: dict[str, Direct | ViaParent] = {
    "careplans.careplan": Direct(lambda pk, _c: _url("careplans:plan", pk=pk)),
    "careplans.meeting": Direct(lambda pk, _c: _url("careplans:meeting", pk=pk)),
    "careplans.minorchange": ViaParent("plan_id", lambda pk: _url("careplans:plan", pk=pk)),
    "billing.serviceticket": Direct(lambda pk, _c: _url("billing:ticket_delivery", pk=pk)),
    "billing.ticketversion": ViaParent(
        "ticket_id", lambda pk: _url("billing:ticket_delivery", pk=pk)
    ),
    "clients.certificationapplication": Direct(
        lambda _pk, client: _url("clients:detail", "?tab=applications", pk=client)
    ),
    # Records of the monitoring app.
    "monitoring.monitoringrecord": Direct(lambda pk, _c: _url("monitoring:record_detail", pk=pk)),
    "monitoring.evaluationsheet": Direct(
        lambda pk, _c: _url("monitoring:evaluation_detail", pk=pk)
    ),
    "clients.hospitalstay": Direct(
        lambda _pk, client: _url("monitoring:hospital", client_pk=client)
    ),
    "monitoring.admissioninfosheet": ViaParent(
        "stay_id", lambda pk: _url("monitoring:admission_sheet", pk=pk)
    ),
    "monitoring.dischargeconference": Direct(
        lambda _pk, client: _url("monitoring:hospital", client_pk=client)
    ),
    "monitoring.outpatientliaison": Direct(
        lambda _pk, client: _url("monitoring:hospital", client_pk=client)
    ),
}


def parse_source(source: str) -> tuple[str, int] | None:
    label, _, raw_pk = source.partition(":")
    if not label or not raw_pk.isdigit():
        return None
    return label, int(raw_pk)


def _safe(build: Callable[[], str]) -> str | None:
    try:
        return build()
    except NoReverseMatch:
        return None


def source_links(entries: Iterable[SupportLogEntry]) -> dict[int, str]:
    links: dict[int, str] = {}
    by_parent: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for entry in entries:
        parsed = parse_source(entry.source) if entry.source else None
        if parsed is None or parsed[0] not in LINKS:
            continue
        label, pk = parsed
        rule = LINKS[label]
        if isinstance(rule, Direct):
            url = _safe(lambda rule=rule, pk=pk, c=entry.client_id: rule.build(pk, c))
            if url:
                links[entry.pk] = url
        else:
            by_parent[label].append((entry.pk, pk))
    for label, pairs in by_parent.items():
        rule = LINKS[label]
        assert isinstance(rule, ViaParent)
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        parents = dict(
            model._default_manager.filter(pk__in={pk for _, pk in pairs}).values_list(
                "pk", rule.parent_field
            )
        )
        for entry_pk, pk in pairs:
            if pk in parents:
                url = _safe(lambda rule=rule, parent=parents[pk]: rule.build(parent))
                if url:
                    links[entry_pk] = url
    return links
