"""The morning e-mail digest: per care manager, counts per kind and a link — nothing else.

No client name, kana, number or any other client data goes into the mail (it leaves the
system over SMTP); the recipient opens the work queue to see who. Once per staff per day
(`DigestSent`, unique per staff and day, written in the same transaction as the send, so a
failed send is retried by the next run). Skipped: staff without an e-mail address, with the
preference off, inactive, or with nothing due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from caremgmt.models import Membership, Staff
from caremgmt.models.organization import CARE_MANAGER_ROLES
from caremgmt.wareki import wareki_date
from monitoring.models import DigestSent, NotificationPreference, WorkItem, WorkKind

SUBJECT = "【ケアマネ業務】今日のやること {total}件（期限切れ {late}件）"


@dataclass(frozen=True)
class Digest:
    staff: Staff
    counts: list[tuple[str, int, int]]  # (kind label, items, of which late)

    @property
    def total(self) -> int:
        return sum(count for _, count, _ in self.counts)

    @property
    def late(self) -> int:
        return sum(late for _, _, late in self.counts)


def digest_body(digest: Digest, today: dt.date) -> str:
    lines = [
        f"{digest.staff.full_name} さん",
        "",
        f"{wareki_date(today)}の時点で、担当・代理の利用者について次のやることがあります。",
        "",
    ]
    for label, count, late in digest.counts:
        lines.append(f"・{label}：{count}件" + (f"（うち期限切れ {late}件）" if late else ""))
    lines += [
        "",
        "利用者名などの詳細はメールには記載していません。ログインしてご確認ください。",
        f"{settings.SITE_URL.rstrip('/')}{reverse('dashboard')}",
        "",
        f"このメールの停止：{settings.SITE_URL.rstrip('/')}{reverse('monitoring:notification_settings')}",
    ]
    return "\n".join(lines)


def recipients(today: dt.date) -> list[Staff]:
    """Active care managers with an e-mail, the preference on, and no digest today."""
    opted_out = NotificationPreference.objects.filter(email_digest=False).values("staff_id")
    sent = DigestSent.objects.filter(sent_on=today).values("staff_id")
    members = Membership.objects.filter(is_active=True, role__in=CARE_MANAGER_ROLES).values(
        "staff_id"
    )
    return list(
        Staff.objects.filter(is_active=True, pk__in=members)
        .exclude(email="")
        .exclude(pk__in=opted_out)
        .exclude(pk__in=sent)
        .order_by("pk")
    )


def digests(staff: list[Staff], today: dt.date) -> list[Digest]:
    """Counts per staff and kind in two queries: the clients they are 担当 of, and those they
    cover as 代理 in an office they are an active member of (as the work queue shows them)."""
    labels = dict(WorkKind.choices)
    tally = {"count": Count("pk"), "late": Count("pk", filter=Q(due_on__lt=today))}
    own = (
        WorkItem.objects.filter(care_manager__in=staff)
        .values_list("care_manager_id", "kind")
        .annotate(**tally)
    )
    member_there = Membership.objects.filter(
        staff_id=OuterRef("client__deputy_care_manager_id"),
        office_id=OuterRef("client__office_id"),
        is_active=True,
    )
    covered = (
        WorkItem.objects.filter(client__deputy_care_manager__in=staff)
        .exclude(care_manager_id=F("client__deputy_care_manager_id"))
        .filter(Exists(member_there))
        .values_list("client__deputy_care_manager_id", "kind")
        .annotate(**tally)
    )
    counts: dict[int, dict[str, tuple[int, int]]] = {}
    for staff_id, kind, count, late in [*own, *covered]:
        before = counts.setdefault(staff_id, {}).get(kind, (0, 0))
        counts[staff_id][kind] = (before[0] + count, before[1] + late)
    order = [kind for kind, _ in WorkKind.choices]
    result = []
    for person in staff:
        mine = counts.get(person.pk, {})
        result.append(
            Digest(
                person,
                [(labels[kind], *mine[kind]) for kind in order if kind in mine],
            )
        )
    return result


def send_digests(today: dt.date | None = None) -> int:
    """Send today's digests; returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    for digest in digests(recipients(today), today):
        if not digest.total:
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(
                    staff=digest.staff, sent_on=today, item_count=digest.total
                )
                send_mail(
                    SUBJECT.format(total=digest.total, late=digest.late),
                    digest_body(digest, today),
                    settings.DEFAULT_FROM_EMAIL,
                    [digest.staff.email],
                )
        except IntegrityError:
            continue  # another run sent it a moment ago
        sent += 1
    return sent
