"""交付・同意 of the monthly 利用票, its versions, copies and 提供票 sends (issue 10 §5–§6).

Services (every write; transactions live here):

    ticket_deliver(...)            — record that the month's 利用票 was explained, handed over
                                     and agreed: freezes the next `TicketVersion` (第n版)
    ticket_copies_mark_sent(...)   — the date each copy for a non-insurance recipient was sent
    provider_sends_record(...)     — 提供票 of the current version sent to providers

Selectors (every read goes through `caremgmt.access.visible`):

    copy_candidates(ticket, care_level)  — who gets a copy (contacts' roles + 地域包括)
    delivery_overview(ticket)            — versions, copies, sends, "交付後に変更あり"
    unsent_providers(actor, month)       — providers not yet sent the current version

Plan writers (介護支援専門員・主任・管理者) record the client's 交付/同意; 事務 may also record
the clerical sends (copies, 提供票); 監査 reads only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, Func, JSONField, OuterRef, Prefetch, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.http import Http404
from django.utils import timezone

from billing.models import (
    ConsentMethod,
    CopyRecipientKind,
    ProviderTicketSend,
    SendMethod,
    ServiceTicket,
    TicketCopy,
    TicketStatus,
    TicketVersion,
)
from billing.tickets.compute import CLAIMED_MESSAGE
from billing.tickets.services import LOCK_FIELDS
from billing.tickets.snapshot import snapshot_hash, ticket_snapshot
from caremgmt.access import Actor, require_plan_writer, require_writer, visible
from caremgmt.events import emit
from caremgmt.locking import Change, StaleEditError, changes_since
from caremgmt.wareki import wareki_date
from clients.models import ClientContact, ServiceProvider

SUPPORT_LEVELS = frozenset({"12", "13"})  # 要支援1・2: 介護予防支援, possibly 委託 by a center
SIGNATURE_ONLY_POLICY = "signature"

NO_CHANGE_MESSAGE = "前回の交付から変更がありません。"
FUTURE_DATE_MESSAGE = "未来の日付は入れられません（今日は{today}です）。"
ORAL_REFUSED_MESSAGE = "この事業所では署名または押印で確認します（口頭同意は選べません）。"
ORAL_NOTE_MESSAGE = "口頭同意のときは、確認した状況（相手・方法・理由）を記録してください。"
CHANGE_REASON_MESSAGE = "2回目以降の交付では、月の途中で変更した理由を入力してください。"
SUPERSEDED_MESSAGE = "{client}さんの利用票は第{number}版が交付されています。提供票の送付は最新の版で記録してください。"


def _today() -> dt.date:
    return timezone.localdate()


# --- selectors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CopyCandidate:
    """Someone who gets a copy of the 利用票 (not the insurer or a provider)."""

    key: str  # "contact:<pk>" or "center" — the form's choice value
    kind: str  # CopyRecipientKind
    recipient_name: str
    contact_id: int | None = None

    @property
    def label(self) -> str:
        return f"{CopyRecipientKind(self.kind).label}：{self.recipient_name}"


def copy_candidates(ticket: ServiceTicket, care_level: str) -> list[CopyCandidate]:
    """The client's contacts with a 写し role, and — for a 要支援 client under a 地域包括支援
    センター's 委託 — the center (the copy to send there)."""
    client = ticket.client
    candidates = [
        CopyCandidate(
            key=f"contact:{contact.pk}",
            kind=contact.ticket_copy_role,
            recipient_name=f"{contact.name}（{contact.relationship}）",
            contact_id=contact.pk,
        )
        for contact in ClientContact.objects.filter(client=client)
        .exclude(ticket_copy_role="")
        .order_by("priority", "pk")
    ]
    if care_level in SUPPORT_LEVELS and client.entrusting_center.strip():
        candidates.append(
            CopyCandidate(
                key="center",
                kind=CopyRecipientKind.CENTER,
                recipient_name=client.entrusting_center.strip(),
            )
        )
    return candidates


def received_by_contacts(ticket: ServiceTicket) -> list[ClientContact]:
    """Family members and others who may receive the 利用票 on the client's behalf."""
    return list(ClientContact.objects.filter(client=ticket.client).order_by("priority", "pk"))


def _provider_ids_of(snapshot_field: str = "snapshot") -> Func:
    """The provider ids of a frozen version's rows, read in SQL (the snapshot stays unloaded)."""
    return Func(
        F(snapshot_field),
        function="jsonb_path_query_array",
        template="%(function)s(%(expressions)s, '$.rows[*].provider_id')",
        output_field=JSONField(),
    )


@dataclass
class VersionView:
    """One handed-over version with its copies and provider sends, for the pages."""

    version: TicketVersion
    copies: list[TicketCopy]
    sends: list[ProviderTicketSend]
    providers: list[ServiceProvider]  # providers on this version's rows

    @property
    def unsent_providers(self) -> list[ServiceProvider]:
        sent = {send.provider_id for send in self.sends}
        return [provider for provider in self.providers if provider.pk not in sent]


@dataclass
class DeliveryOverview:
    ticket: ServiceTicket
    versions: list[VersionView] = field(default_factory=list)

    @property
    def current(self) -> VersionView | None:
        return self.versions[-1] if self.versions else None

    @property
    def changed_since_delivery(self) -> bool:
        """交付後に変更あり: the ticket was saved after the current version was frozen (the
        snapshot records the ticket's `version` at delivery)."""
        current = self.current
        if current is None:
            return False
        return current.version.delivered_ticket_version != self.ticket.version  # type: ignore[attr-defined]


def delivery_overview(ticket: ServiceTicket) -> DeliveryOverview:
    """Every version of a (visible) ticket with copies, sends and the providers on it; a fixed
    number of queries whatever the number of versions. Snapshots are not loaded."""
    versions = list(
        TicketVersion.objects.filter(ticket=ticket)
        .defer("snapshot")
        .annotate(
            delivered_ticket_version=KeyTextTransform("ticket_version", "snapshot"),
            provider_ids=_provider_ids_of(),
        )
        .select_related("created_by")
        .prefetch_related(
            Prefetch("copies", queryset=TicketCopy.objects.order_by("kind", "pk")),
            Prefetch(
                "provider_sends",
                queryset=ProviderTicketSend.objects.select_related("provider", "sent_by"),
            ),
        )
        .order_by("number")
    )
    for version in versions:
        version.delivered_ticket_version = int(version.delivered_ticket_version or 0)
    wanted = {pk for version in versions for pk in (version.provider_ids or [])}
    providers = {
        provider.pk: provider
        for provider in ServiceProvider.objects.filter(pk__in=wanted).order_by("name", "pk")
    }
    overview = DeliveryOverview(ticket=ticket)
    for version in versions:
        ids = list(dict.fromkeys(version.provider_ids or []))
        overview.versions.append(
            VersionView(
                version=version,
                copies=list(version.copies.all()),
                sends=list(version.provider_sends.all()),
                providers=sorted(
                    (providers[pk] for pk in ids if pk in providers),
                    key=lambda provider: (provider.name, provider.pk),
                ),
            )
        )
    return overview


def version_for(ticket: ServiceTicket, number: int) -> TicketVersion:
    """One version of an already visible ticket (404 otherwise)."""
    try:
        return TicketVersion.objects.get(ticket=ticket, number=number)
    except TicketVersion.DoesNotExist as error:
        raise Http404("その版はありません。") from error


@dataclass(frozen=True)
class UnsentTicket:
    ticket_id: int
    client_id: int
    client_name: str
    client_name_kana: str
    version_id: int
    version_number: int
    created_on: dt.date
    changed_since_delivery: bool


@dataclass
class UnsentProvider:
    provider: ServiceProvider
    tickets: list[UnsentTicket] = field(default_factory=list)


@dataclass
class UnsentMonth:
    month: dt.date
    providers: list[UnsentProvider]
    undelivered_count: int  # tickets of the month with no 交付 yet (nothing to send)

    @property
    def send_count(self) -> int:
        return sum(len(group.tickets) for group in self.providers)


def _latest_versions(queryset: Any) -> Any:
    newer = TicketVersion.objects.filter(ticket=OuterRef("ticket"), number__gt=OuterRef("number"))
    return queryset.filter(~Exists(newer))


def unsent_providers(actor: Actor | None, month: dt.date) -> UnsentMonth:
    """Providers on the current version of each visible ticket of `month` that have not been
    sent that version's 提供票, grouped by provider. A later version resets the list (its
    sends are its own). Four queries whatever the number of tickets."""
    versions = list(
        _latest_versions(visible(TicketVersion.objects.filter(ticket__month=month), actor))
        .annotate(
            provider_ids=_provider_ids_of(),
            delivered_ticket_version=KeyTextTransform("ticket_version", "snapshot"),
            live_ticket_version=F("ticket__version"),
            client_id=F("ticket__client_id"),
            client_name=F("ticket__client__name"),
            client_name_kana=F("ticket__client__name_kana"),
        )
        .values(
            "pk",
            "ticket_id",
            "number",
            "created_on",
            "provider_ids",
            "delivered_ticket_version",
            "live_ticket_version",
            "client_id",
            "client_name",
            "client_name_kana",
        )
    )
    sent = set(
        ProviderTicketSend.objects.filter(version_id__in=[v["pk"] for v in versions]).values_list(
            "version_id", "provider_id"
        )
    )
    wanted = {pk for version in versions for pk in (version["provider_ids"] or [])}
    providers = (
        {
            provider.pk: provider
            for provider in ServiceProvider.objects.filter(pk__in=wanted, office=actor.office)
        }
        if actor is not None and actor.office is not None
        else {}
    )
    groups: dict[int, UnsentProvider] = {}
    for version in versions:
        entry = UnsentTicket(
            ticket_id=version["ticket_id"],
            client_id=version["client_id"],
            client_name=version["client_name"],
            client_name_kana=version["client_name_kana"],
            version_id=version["pk"],
            version_number=version["number"],
            created_on=version["created_on"],
            changed_since_delivery=int(version["delivered_ticket_version"] or 0)
            != version["live_ticket_version"],
        )
        for provider_id in dict.fromkeys(version["provider_ids"] or []):
            if (version["pk"], provider_id) in sent or provider_id not in providers:
                continue
            groups.setdefault(provider_id, UnsentProvider(providers[provider_id])).tickets.append(
                entry
            )
    for group in groups.values():
        group.tickets.sort(key=lambda item: (item.client_name_kana, item.client_id))
    undelivered = (
        visible(ServiceTicket.objects.filter(month=month, versions__isnull=True), actor)
        .distinct()
        .count()
    )
    return UnsentMonth(
        month=month,
        providers=sorted(groups.values(), key=lambda g: (g.provider.name, g.provider.pk)),
        undelivered_count=undelivered,
    )


# --- services -----------------------------------------------------------------------------


def _lock_ticket(ticket: ServiceTicket, expected_version: int | None) -> ServiceTicket:
    locked = (
        ServiceTicket.objects.select_related("client", "client__office")
        .select_for_update(of=("self",))
        .get(pk=ticket.pk)
    )
    if locked.is_claimed:
        raise ValidationError(CLAIMED_MESSAGE)
    if expected_version is None or locked.version != expected_version:
        raise StaleEditError(locked, changes_since(locked, expected_version or 0, LOCK_FIELDS))
    return locked


def _check_not_future(value: dt.date, field_name: str) -> None:
    today = _today()
    if value > today:
        raise ValidationError({field_name: FUTURE_DATE_MESSAGE.format(today=wareki_date(today))})


@transaction.atomic
def ticket_deliver(
    *,
    actor: Actor,
    ticket: ServiceTicket,
    created_on: dt.date,
    received_by: str,
    consent_method: str,
    consent_note: str = "",
    change_reason: str = "",
    copies: Sequence[CopyCandidate] = (),
    expected_version: int | None,
) -> TicketVersion:
    """Record the 交付 and the client's agreement: freeze the next version (第n版).

    1. Lock the ticket and check the version the page was loaded with (stale → nothing).
    2. Check the 作成年月日 (Tokyo date; not in the future, not before the ticket existed,
       not before the previous version), the office's consent policy and the change reason.
    3. Mark the ticket 交付済 (a new `version`), build the snapshot and refuse it when its
       content equals the previous version's.
    4. Save the version and the copies for non-insurance recipients.
    """
    require_plan_writer(actor)
    locked = _lock_ticket(ticket, expected_version)
    previous = locked.versions.order_by("-number").defer("snapshot").first()
    number = previous.number + 1 if previous else 1
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    today = _today()
    if created_on > today:
        refuse("created_on", FUTURE_DATE_MESSAGE.format(today=wareki_date(today)))
    made_on = timezone.localtime(locked.created_at).date()
    if created_on < made_on:
        refuse(
            "created_on",
            f"この利用票を作成した日（{wareki_date(made_on)}）より前の日付は入れられません。",
        )
    if previous is not None and created_on < previous.created_on:
        refuse(
            "created_on",
            f"前回の交付（第{previous.number}版・{wareki_date(previous.created_on)}）"
            "より前の日付は入れられません。",
        )
    if consent_method not in ConsentMethod.values:
        refuse("consent_method", "確認方法を選んでください。")
    elif consent_method == ConsentMethod.ORAL:
        if locked.client.office.ticket_consent_method == SIGNATURE_ONLY_POLICY:
            refuse("consent_method", ORAL_REFUSED_MESSAGE)
        elif not consent_note.strip():
            refuse("consent_note", ORAL_NOTE_MESSAGE)
    if not received_by.strip():
        refuse("received_by", "受け取った人を選んでください。")
    if previous is not None and not change_reason.strip():
        refuse("change_reason", CHANGE_REASON_MESSAGE)
    if errors:
        raise ValidationError(errors)

    locked.status = TicketStatus.DELIVERED
    locked.version += 1
    locked.updated_by = actor.staff
    locked.save(update_fields=["status", "version", "updated_by", "updated_at"])
    snapshot = ticket_snapshot(locked, created_on=created_on, version_number=number)
    content_hash = snapshot_hash(snapshot)
    if previous is not None and previous.content_hash == content_hash:
        raise ValidationError(NO_CHANGE_MESSAGE)
    version = TicketVersion.objects.create(
        ticket=locked,
        number=number,
        created_on=created_on,
        received_by=received_by.strip()[:100],
        consent_method=consent_method,
        consent_note=consent_note.strip(),
        change_reason=change_reason.strip() if previous is not None else "",
        snapshot=snapshot,
        content_hash=content_hash,
        created_by=actor.staff,
    )
    TicketCopy.objects.bulk_create(
        TicketCopy(
            version=version,
            kind=candidate.kind,
            recipient_name=candidate.recipient_name[:200],
            contact_id=candidate.contact_id,
        )
        for candidate in copies
    )
    ticket.version, ticket.status = locked.version, locked.status
    emit(
        "ticket_delivered",
        client_id=locked.client_id,
        on=created_on,
        summary=f"{locked.month.year}年{locked.month.month}月分のサービス利用票（第{number}版）を"
        f"交付し、同意を得た（{ConsentMethod(consent_method).label}）。"
        + (f"変更理由：{change_reason.strip()}" if previous is not None else ""),
        source=version,
        actor=actor.staff,
        counterpart=received_by.strip(),
    )
    return version


def live_content_changed(ticket: ServiceTicket, overview: DeliveryOverview) -> bool | None:
    """Whether the live ticket differs from the current version by content (a recompute);
    None when nothing was delivered yet."""
    current = overview.current
    if current is None:
        return None
    if not overview.changed_since_delivery:
        return False
    return snapshot_hash(ticket_snapshot(ticket)) != current.version.content_hash


@transaction.atomic
def ticket_copies_mark_sent(
    *,
    actor: Actor,
    ticket: ServiceTicket,
    changes: dict[int, tuple[dt.date | None, dt.date | None]],
) -> int:
    """Set the 送付日 of copies of `ticket`'s versions: {copy pk: (value loaded, new value)}.

    Each copy is written only if it still holds the value the form was loaded with (compare
    and set); otherwise `StaleEditError` names what the other person saved and nothing is
    written. Returns how many copies changed."""
    require_writer(actor)
    copies = {
        copy.pk: copy
        for copy in TicketCopy.objects.select_for_update()
        .select_related("version")
        .filter(version__ticket=ticket, pk__in=list(changes))
    }
    if set(changes) - set(copies):
        raise Http404("見つかりません。")
    for pk, (loaded, new) in changes.items():
        copy = copies[pk]
        if copy.sent_on != loaded:
            raise StaleEditError(
                copy,
                [
                    Change(
                        "sent_on",
                        f"{copy.recipient_name}への送付日",
                        wareki_date(loaded) if loaded else "（なし）",
                        wareki_date(copy.sent_on) if copy.sent_on else "（なし）",
                    )
                ],
            )
        if new is not None:
            _check_not_future(new, f"sent_on_{pk}")
            if new < copy.version.created_on:
                raise ValidationError(
                    {f"sent_on_{pk}": "交付（作成年月日）より前の日付は入れられません。"}
                )
    changed = 0
    for pk, (loaded, new) in changes.items():
        if loaded != new:
            TicketCopy.objects.filter(pk=pk).update(sent_on=new)
            changed += 1
    return changed


def parse_send_items(values: Iterable[str]) -> list[tuple[int, int]]:
    """ "<version pk>:<provider pk>" choices → pairs (bad values raise ValidationError)."""
    items = []
    for value in values:
        try:
            version_id, provider_id = (int(part) for part in str(value).split(":"))
        except ValueError as error:
            raise ValidationError({"items": "送付先の指定が正しくありません。"}) from error
        items.append((version_id, provider_id))
    return list(dict.fromkeys(items))


@transaction.atomic
def provider_sends_record(
    *,
    actor: Actor,
    items: Sequence[tuple[int, int]],
    sent_on: dt.date,
    method: str,
    ticket: ServiceTicket | None = None,
) -> int:
    """Record that the 提供票 of each (version, provider) was sent on `sent_on` by `method`.

    Every version must be visible (404 otherwise — nothing is written), be the ticket's
    current version (a newer 交付 supersedes it: refused, the user picks again) and carry
    the provider. Already recorded pairs are left as they are. Returns how many were added."""
    require_writer(actor)
    if not items:
        raise ValidationError({"items": "送付した事業所を選んでください。"})
    if method not in SendMethod.values:
        raise ValidationError({"method": "送付方法を選んでください。"})
    _check_not_future(sent_on, "sent_on")
    version_ids = {version_id for version_id, _ in items}
    scope = TicketVersion.objects.filter(pk__in=version_ids)
    if ticket is not None:
        scope = scope.filter(ticket=ticket)
    versions = {
        version["pk"]: version
        for version in visible(scope, actor)
        .annotate(
            provider_ids=_provider_ids_of(),
            latest_number=Subquery(
                TicketVersion.objects.filter(ticket=OuterRef("ticket"))
                .order_by("-number")
                .values("number")[:1]
            ),
            client_name=F("ticket__client__name"),
        )
        .values("pk", "number", "provider_ids", "latest_number", "client_name")
    }
    if version_ids - set(versions):
        raise Http404("見つかりません。")
    problems = []
    for version in versions.values():
        if version["latest_number"] != version["number"]:
            problems.append(
                SUPERSEDED_MESSAGE.format(
                    client=version["client_name"], number=version["latest_number"]
                )
            )
    for version_id, provider_id in items:
        if provider_id not in (versions[version_id]["provider_ids"] or []):
            problems.append("この版の利用票に載っていない事業所が選ばれています。")
    if problems:
        raise ValidationError({"items": list(dict.fromkeys(problems))})
    already = set(
        ProviderTicketSend.objects.filter(version_id__in=version_ids).values_list(
            "version_id", "provider_id"
        )
    )
    new = [item for item in items if item not in already]
    ProviderTicketSend.objects.bulk_create(
        [
            ProviderTicketSend(
                version_id=version_id,
                provider_id=provider_id,
                sent_on=sent_on,
                method=method,
                sent_by=actor.staff,
            )
            for version_id, provider_id in new
        ],
        ignore_conflicts=True,  # a send recorded at the same moment by someone else stays
    )
    return len(new)
