"""Effective-dated histories: 認定, 負担割合, 届出 (never overwritten; corrections supersede)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from caremgmt.access import Actor, require_writer
from caremgmt.wareki import wareki_date
from clients.models import (
    ApplicationKind,
    ApplicationStatus,
    BurdenRatio,
    Certification,
    CertificationApplication,
    Client,
    EffectiveDatedFact,
    PlanRequestFiling,
)
from clients.services.common import (
    _lock_client,
)

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
