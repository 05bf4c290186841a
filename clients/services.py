"""Every write to client data. Keyword-only, typed, one transaction each.

Services trust that forms validated single fields; they own the rules that need the
database: duplicates, overlapping periods (checked under a row lock on the client), the
optimistic version of the client record, and the intake status transitions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone

from caremgmt.access import Actor, require_writer
from caremgmt.wareki import wareki_date
from clients.kana import client_search_kana
from clients.models import (
    ApplicationKind,
    ApplicationStatus,
    BurdenRatio,
    Certification,
    CertificationApplication,
    Client,
    ClientContact,
    ClientStatus,
    Consultation,
    Contract,
    Doctor,
    EffectiveDatedFact,
    InformalResource,
    PlanRequestFiling,
    ServiceProvider,
)
from clients.selectors import duplicate_client

# Fields a client edit may change. office, version, search_kana and status are never taken
# from input; the care manager assignment only when the actor may assign (see forms).
CLIENT_EDITABLE_FIELDS = (
    "name",
    "name_kana",
    "birth_date",
    "sex",
    "postal_code",
    "address",
    "phone",
    "insured_number",
    "insurer_number",
    "insurer_name",
    "living_situation",
    "primary_doctor",
    "care_manager",
    "deputy_care_manager",
    "notes",
)


class DuplicateClientError(ValidationError):
    """Same 保険者番号 + 被保険者番号 already registered in this office."""

    def __init__(self, existing: Client) -> None:
        self.existing = existing
        super().__init__(
            {
                "insured_number": ValidationError(
                    "この保険者番号・被保険者番号の利用者は既に登録されています。",
                    code="duplicate",
                )
            }
        )


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    loaded: str
    current: str


class EditConflictError(Exception):
    """Someone saved the client after this form was loaded; nothing was written."""

    def __init__(self, client: Client, changes: list[FieldChange]) -> None:
        super().__init__("client was changed by someone else")
        self.client = client
        self.changes = changes


def _display(instance: Model, field_name: str) -> str:
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    if value in (None, ""):
        return "（なし）"
    if field.is_relation:
        related = getattr(instance, field_name)
        return str(related) if related is not None else "（なし）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dt.date):
        return wareki_date(value)
    return str(value)


def _clean_fields(fields: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if name in allowed}


def _lock_client(client: Client) -> Client:
    """Serialise writes to one client's histories (overlap checks happen under this lock)."""
    return Client.objects.select_for_update().get(pk=client.pk)


# --- the client record -------------------------------------------------------------------


@transaction.atomic
def consultation_record(
    *,
    actor: Actor,
    client_fields: Mapping[str, Any],
    consulted_on: dt.date,
    route: str,
    route_detail: str,
    chief_complaint: str,
) -> Client:
    """初回相談: register the person as 相談中 with the consultation that brought them."""
    require_writer(actor)
    fields = _clean_fields(client_fields, CLIENT_EDITABLE_FIELDS)
    fields.setdefault("care_manager", actor.staff)
    existing = duplicate_client(
        office_id=actor.office.pk,
        insurer_number=fields.get("insurer_number", ""),
        insured_number=fields.get("insured_number", ""),
    )
    if existing is not None:
        raise DuplicateClientError(existing)
    client = Client(
        office=actor.office,
        status=ClientStatus.CONSULTING,
        status_changed_on=consulted_on,
        search_kana=client_search_kana(
            name=fields.get("name", ""), name_kana=fields.get("name_kana", "")
        ),
        **fields,
    )
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError as error:  # a concurrent registration won the race
        existing = duplicate_client(
            office_id=actor.office.pk,
            insurer_number=client.insurer_number,
            insured_number=client.insured_number,
        )
        if existing is None:
            raise
        raise DuplicateClientError(existing) from error
    Consultation.objects.create(
        client=client,
        consulted_on=consulted_on,
        route=route,
        route_detail=route_detail,
        chief_complaint=chief_complaint,
        taken_by=actor.staff,
    )
    return client


@transaction.atomic
def consultation_add(
    *,
    actor: Actor,
    client: Client,
    consulted_on: dt.date,
    route: str,
    route_detail: str,
    chief_complaint: str,
) -> Consultation:
    """A further 相談 for a known client (e.g. before re-contracting)."""
    require_writer(actor)
    return Consultation.objects.create(
        client=client,
        consulted_on=consulted_on,
        route=route,
        route_detail=route_detail,
        chief_complaint=chief_complaint,
        taken_by=actor.staff,
    )


def _changes_since(client: Client, loaded_version: int, current: Client) -> list[FieldChange]:
    """Fields whose value differs between the version the user loaded and the current row,
    read from the pghistory event written when `loaded_version` was saved."""
    event = client.events.filter(version=loaded_version).order_by("-pgh_id").first()
    if event is None:
        return []
    changes = []
    for name in (*CLIENT_EDITABLE_FIELDS, "status"):
        field = Client._meta.get_field(name)
        now = _display(current, name)
        before_value = getattr(event, field.attname)
        if before_value == getattr(current, field.attname):
            continue
        loaded = Client(**{field.attname: before_value})
        changes.append(FieldChange(name, str(field.verbose_name), _display(loaded, name), now))
    return changes


@transaction.atomic
def client_update(
    *, actor: Actor, client: Client, expected_version: int, fields: Mapping[str, Any]
) -> Client:
    """Save an edit only if nobody saved since `expected_version` was loaded.

    1. Refuse a duplicate 保険者番号 + 被保険者番号.
    2. UPDATE ... WHERE id = %s AND version = expected_version, incrementing the version.
    3. 0 rows → EditConflictError listing what the other person changed; nothing written.
    """
    require_writer(actor)
    values = _clean_fields(fields, CLIENT_EDITABLE_FIELDS)
    merged = {
        "insurer_number": values.get("insurer_number", client.insurer_number),
        "insured_number": values.get("insured_number", client.insured_number),
    }
    existing = duplicate_client(office_id=client.office_id, exclude_pk=client.pk, **merged)
    if existing is not None:
        raise DuplicateClientError(existing)
    values["search_kana"] = client_search_kana(
        name=values.get("name", client.name), name_kana=values.get("name_kana", client.name_kana)
    )
    updated = Client.objects.filter(pk=client.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if updated == 0:
        current = Client.objects.select_related(
            "care_manager", "deputy_care_manager", "primary_doctor"
        ).get(pk=client.pk)
        raise EditConflictError(current, _changes_since(client, expected_version, current))
    return Client.objects.get(pk=client.pk)


@transaction.atomic
def client_contract(
    *,
    actor: Actor,
    client: Client,
    contracted_on: dt.date,
    important_matters_explained: bool,
    personal_info_consent: bool,
    notes: str = "",
) -> Contract:
    """契約: 相談中 (or 終了, re-contracting) → 契約中. Works without a certification
    (申請中): the plan is then provisional and the client page says so."""
    require_writer(actor)
    locked = _lock_client(client)
    if locked.status in (ClientStatus.CONTRACTED, ClientStatus.HOSPITALIZED):
        raise ValidationError("この利用者は既に契約中です。")
    if not important_matters_explained:
        raise ValidationError(
            {"important_matters_explained": "契約の前に重要事項説明を行い、同意を得てください。"}
        )
    contract = Contract.objects.create(
        client=locked,
        contracted_on=contracted_on,
        important_matters_explained=True,
        personal_info_consent=personal_info_consent,
        notes=notes,
        created_by=actor.staff,
    )
    Client.objects.filter(pk=locked.pk).update(
        status=ClientStatus.CONTRACTED,
        status_changed_on=contracted_on,
        end_reason="",
        end_note="",
        version=F("version") + 1,
    )
    return contract


ALLOWED_STATUS_CHANGES = {
    ClientStatus.CONTRACTED: {ClientStatus.HOSPITALIZED, ClientStatus.ENDED},
    ClientStatus.HOSPITALIZED: {ClientStatus.CONTRACTED, ClientStatus.ENDED},
    ClientStatus.CONSULTING: {ClientStatus.ENDED},
    ClientStatus.ENDED: set(),
}


@transaction.atomic
def client_change_status(
    *,
    actor: Actor,
    client: Client,
    status: str,
    changed_on: dt.date,
    end_reason: str = "",
    end_note: str = "",
) -> Client:
    """入院中 / 退院 (契約中) / 終了 with reason and date. Re-opening goes through a contract."""
    require_writer(actor)
    locked = _lock_client(client)
    if status not in ALLOWED_STATUS_CHANGES[ClientStatus(locked.status)]:
        raise ValidationError(
            {
                "status": f"「{locked.get_status_display()}」から"
                f"「{ClientStatus(status).label}」には変更できません。"
            }
        )
    if status == ClientStatus.ENDED and not end_reason:
        raise ValidationError({"end_reason": "終了理由を選んでください。"})
    Client.objects.filter(pk=locked.pk).update(
        status=status,
        status_changed_on=changed_on,
        end_reason=end_reason if status == ClientStatus.ENDED else "",
        end_note=end_note if status == ClientStatus.ENDED else "",
        version=F("version") + 1,
    )
    if status == ClientStatus.ENDED:
        Contract.objects.filter(client=locked, ended_on__isnull=True).update(ended_on=changed_on)
        PlanRequestFiling.objects.current().filter(client=locked, ended_on__isnull=True).update(
            ended_on=changed_on
        )
    return Client.objects.get(pk=locked.pk)


# --- effective-dated histories -----------------------------------------------------------


def _period_text(row: EffectiveDatedFact) -> str:
    return f"{wareki_date(row.valid_from)}〜{wareki_date(row.effective_to)}"


@transaction.atomic
def certification_add(
    *,
    actor: Actor,
    client: Client,
    application_kind: str,
    applied_on: dt.date | None,
    certified_on: dt.date | None,
    care_level: str,
    valid_from: dt.date,
    valid_to: dt.date,
    committee_opinion: str = "",
    disability_independence: str = "",
    disability_independence_source: str = "",
    dementia_independence: str = "",
    dementia_independence_source: str = "",
    supersedes: Certification | None = None,
    reason: str = "",
) -> Certification:
    """Record a 要介護認定 as written on the card.

    1. Lock the client so two saves cannot both pass the overlap check.
    2. A 区分変更 starting inside the certification in force ends that one the day before
       (the old card's dates stay as written; `ended_on` records the early end).
    3. Any other overlap with a current row is refused with the clashing period.
    4. With `supersedes` this is a correction: the old row is marked superseded, never
       edited, and is left out of the overlap check.
    """
    require_writer(actor)
    locked = _lock_client(client)
    if valid_to < valid_from:
        raise ValidationError({"valid_to": "有効期間の終了日は開始日以降の日付にしてください。"})
    for field, rank, source in (
        ("disability_independence", disability_independence, disability_independence_source),
        ("dementia_independence", dementia_independence, dementia_independence_source),
    ):
        if source and not rank:
            raise ValidationError({field: "出典を選んだときは自立度も選んでください。"})
    others = Certification.objects.filter(client=locked).overlapping(valid_from, valid_to)
    if supersedes is not None:
        others = others.exclude(pk=supersedes.pk)
    to_end: list[Certification] = []
    for other in others.order_by("valid_from"):
        if (
            application_kind == ApplicationKind.CHANGE
            and other.valid_from < valid_from <= other.effective_to
        ):
            to_end.append(other)
            continue
        raise ValidationError(
            {"valid_from": f"有効期間が既存の認定（{_period_text(other)}）と重なっています。"}
        )
    for other in to_end:
        Certification.objects.filter(pk=other.pk).update(ended_on=valid_from - dt.timedelta(days=1))
    ended_on = None
    if supersedes is not None and supersedes.ended_on and valid_from <= supersedes.ended_on:
        ended_on = min(supersedes.ended_on, valid_to)
    certification = Certification.objects.create(
        client=locked,
        application_kind=application_kind,
        applied_on=applied_on,
        certified_on=certified_on,
        care_level=care_level,
        valid_from=valid_from,
        valid_to=valid_to,
        ended_on=ended_on,
        committee_opinion=committee_opinion,
        disability_independence=disability_independence,
        disability_independence_source=disability_independence_source,
        dementia_independence=dementia_independence,
        dementia_independence_source=dementia_independence_source,
        created_by=actor.staff,
    )
    if supersedes is not None:
        _supersede(Certification, supersedes, certification, reason)
    _close_matching_application(locked, certification)
    return certification


def _supersede(model: type[Model], old: Model, new: Model, reason: str) -> None:
    updated = model.objects.filter(pk=old.pk, superseded_at__isnull=True).update(
        superseded_at=timezone.now(), superseded_by=new, superseded_reason=reason[:200]
    )
    if updated == 0:
        raise ValidationError("この記録は既に訂正されています。画面を開き直してください。")


def _close_matching_application(client: Client, certification: Certification) -> None:
    """The pending application of the same kind gets its result from the new certification."""
    application = (
        CertificationApplication.objects.filter(
            client=client,
            kind=certification.application_kind,
            status=ApplicationStatus.PENDING,
        )
        .order_by("-applied_on")
        .first()
    )
    if application is None:
        return
    application.status = ApplicationStatus.CERTIFIED
    application.decided_on = max(
        certification.certified_on or timezone.localdate(), application.applied_on
    )
    application.certification = certification
    application.save(update_fields=["status", "decided_on", "certification"])


@transaction.atomic
def burden_ratio_add(
    *,
    actor: Actor,
    client: Client,
    ratio: int,
    valid_from: dt.date,
    valid_to: dt.date,
    supersedes: BurdenRatio | None = None,
    reason: str = "",
) -> BurdenRatio:
    """Record a 負担割合証. A new card starting inside the one in force (e.g. an income
    correction from the 1st of a month) ends the old card the day before; a card that starts
    on or before an existing one's start is an overlap and refused."""
    require_writer(actor)
    locked = _lock_client(client)
    if ratio not in (1, 2, 3):
        raise ValidationError({"ratio": "負担割合は1割・2割・3割のいずれかを選んでください。"})
    if valid_to < valid_from:
        raise ValidationError({"valid_to": "有効期間の終了日は開始日以降の日付にしてください。"})
    others = BurdenRatio.objects.filter(client=locked).overlapping(valid_from, valid_to)
    if supersedes is not None:
        others = others.exclude(pk=supersedes.pk)
    to_end = []
    for other in others:
        if other.valid_from < valid_from <= other.effective_to:
            to_end.append(other)
            continue
        raise ValidationError(
            {"valid_from": f"有効期間が既存の負担割合証（{_period_text(other)}）と重なっています。"}
        )
    for other in to_end:
        BurdenRatio.objects.filter(pk=other.pk).update(ended_on=valid_from - dt.timedelta(days=1))
    burden = BurdenRatio.objects.create(
        client=locked,
        ratio=ratio,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=actor.staff,
    )
    if supersedes is not None:
        _supersede(BurdenRatio, supersedes, burden, reason)
    return burden


@transaction.atomic
def plan_request_filing_add(
    *,
    actor: Actor,
    client: Client,
    filed_on: dt.date,
    municipality: str = "",
    notes: str = "",
    supersedes: PlanRequestFiling | None = None,
    reason: str = "",
) -> PlanRequestFiling:
    """Record a 居宅サービス計画作成依頼（変更）届出. A later filing replaces the earlier
    one from its date on (the earlier one is ended the day before)."""
    require_writer(actor)
    locked = _lock_client(client)
    earlier = PlanRequestFiling.objects.current().filter(
        client=locked, ended_on__isnull=True, filed_on__lt=filed_on
    )
    if supersedes is not None:
        earlier = earlier.exclude(pk=supersedes.pk)
    earlier.update(ended_on=filed_on - dt.timedelta(days=1))
    filing = PlanRequestFiling.objects.create(
        client=locked,
        filed_on=filed_on,
        municipality=municipality or locked.insurer_name,
        notes=notes,
        created_by=actor.staff,
    )
    if supersedes is not None:
        _supersede(PlanRequestFiling, supersedes, filing, reason)
    return filing


# --- applications (申請代行) ------------------------------------------------------------


@transaction.atomic
def application_create(
    *,
    actor: Actor,
    client: Client,
    kind: str,
    applied_on: dt.date,
    survey_on: dt.date | None = None,
    notes: str = "",
) -> CertificationApplication:
    require_writer(actor)
    _lock_client(client)
    if CertificationApplication.objects.filter(
        client=client, status=ApplicationStatus.PENDING
    ).exists():
        raise ValidationError("結果待ちの申請があります。先にその結果を記録してください。")
    return CertificationApplication.objects.create(
        client=client,
        kind=kind,
        applied_on=applied_on,
        survey_on=survey_on,
        submitted_by=actor.staff,
        notes=notes,
    )


@transaction.atomic
def application_update(
    *, actor: Actor, application: CertificationApplication, fields: Mapping[str, Any]
) -> CertificationApplication:
    """Record the 認定調査日 and the outcome (認定済/非該当/取下げ)."""
    require_writer(actor)
    allowed = ("survey_on", "status", "decided_on", "notes")
    for name, value in _clean_fields(fields, allowed).items():
        setattr(application, name, value)
    if application.status != ApplicationStatus.PENDING and application.decided_on is None:
        raise ValidationError({"decided_on": "結果通知日を入力してください。"})
    if application.decided_on and application.decided_on < application.applied_on:
        raise ValidationError({"decided_on": "結果通知日は申請日以降の日付にしてください。"})
    application.save()
    return application


# --- contacts and directories ------------------------------------------------------------


@transaction.atomic
def contact_save(
    *, actor: Actor, client: Client, contact: ClientContact | None, fields: Mapping[str, Any]
) -> ClientContact:
    require_writer(actor)
    allowed = tuple(
        f.name for f in ClientContact._meta.concrete_fields if f.name not in {"id", "client"}
    )
    contact = contact or ClientContact(client=client)
    for name, value in _clean_fields(fields, allowed).items():
        setattr(contact, name, value)
    contact.save()
    if contact.is_primary_caregiver:
        ClientContact.objects.filter(client=client, is_primary_caregiver=True).exclude(
            pk=contact.pk
        ).update(is_primary_caregiver=False)
    return contact


@transaction.atomic
def contact_delete(*, actor: Actor, contact: ClientContact) -> None:
    require_writer(actor)
    contact.delete()


def _directory_save(
    model: type[Model], *, actor: Actor, instance: Model | None, fields: Mapping[str, Any]
) -> Model:
    require_writer(actor)
    allowed = tuple(f.name for f in model._meta.concrete_fields if f.name not in {"id", "office"})
    instance = instance or model(office=actor.office)
    for name, value in _clean_fields(fields, allowed).items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def provider_save(
    *, actor: Actor, provider: ServiceProvider | None, fields: Mapping[str, Any]
) -> ServiceProvider:
    return _directory_save(ServiceProvider, actor=actor, instance=provider, fields=fields)


@transaction.atomic
def doctor_save(*, actor: Actor, doctor: Doctor | None, fields: Mapping[str, Any]) -> Doctor:
    return _directory_save(Doctor, actor=actor, instance=doctor, fields=fields)


@transaction.atomic
def resource_save(
    *, actor: Actor, resource: InformalResource | None, fields: Mapping[str, Any]
) -> InformalResource:
    return _directory_save(InformalResource, actor=actor, instance=resource, fields=fields)
