"""Who may write the office claim: 事務・管理者 (evidence, 常勤換算, 送信済み); 管理者 alone
(体制, undoing 送信済み). Refused writers get 404 like every refused write (nothing to probe)."""

from __future__ import annotations

from django.http import Http404

from caremgmt.access import Actor
from caremgmt.models.organization import Role

CLAIM_WRITER_ROLES = frozenset({Role.OFFICE_MANAGER, Role.CLERK})


def can_write_claim(actor: Actor | None) -> bool:
    return actor is not None and actor.office is not None and bool(actor.roles & CLAIM_WRITER_ROLES)


def require_claim_writer(actor: Actor | None) -> None:
    """事務・管理者 only; others get 404 like every refused write (nothing to probe)."""
    if not can_write_claim(actor):
        raise Http404("見つかりません。")


def require_manager(actor: Actor | None) -> None:
    if actor is None or actor.office is None or not actor.is_manager:
        raise Http404("見つかりません。")


def sees_office_claim(actor: Actor | None) -> bool:
    """事務・管理者・監査: the whole office's claim (lists, files, the 過誤申立書)."""
    return actor is not None and actor.office is not None and actor.sees_whole_office
