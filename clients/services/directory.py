"""Contacts and the directories (providers, doctors, informal resources)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Model

from caremgmt.access import Actor, require_writer
from clients.models import (
    Client,
    ClientContact,
    Doctor,
    InformalResource,
    ServiceProvider,
)
from clients.services.common import (
    _clean_fields,
)

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
