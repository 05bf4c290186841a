"""The one place that answers "which objects may this user see".

Every query for office data goes through `visible()` (or `get_visible_or_404()`), so a
care manager sees only their caseload (clients assigned to them or covered as 代理), office
managers, clerks and auditors see their current office, and nobody sees another office.

A model opts in by declaring two class attributes:

    scope_office_path = "office"                         # lookup path to its Office
    scope_caseload_paths = ("care_manager", "deputy_care_manager")  # paths to Staff

Models with no caseload (e.g. the provider directory) set `scope_caseload_paths = ()`,
which makes them office-wide for every role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from caremgmt.models import Membership, Office, Role, Staff

if TYPE_CHECKING:
    from django.http import HttpRequest

M = TypeVar("M", bound=Model)

OFFICE_WIDE_ROLES = frozenset({Role.OFFICE_MANAGER, Role.CLERK, Role.AUDITOR})
CASELOAD_ROLES = frozenset({Role.CARE_MANAGER, Role.CHIEF_CARE_MANAGER})
WRITER_ROLES = frozenset(
    {Role.CARE_MANAGER, Role.CHIEF_CARE_MANAGER, Role.OFFICE_MANAGER, Role.CLERK}
)
# Plan content (assessment, 第1〜4表, consent/delivery, revision, 軽微な変更, plan import) is
# written by care managers and the office manager only; 事務 edits the register and billing.
PLAN_WRITER_ROLES = frozenset({Role.CARE_MANAGER, Role.CHIEF_CARE_MANAGER, Role.OFFICE_MANAGER})
SESSION_OFFICE_KEY = "current_office_id"
PLAN_WRITE_REFUSED_MESSAGE = (
    "ケアプランの作成・変更は介護支援専門員・主任介護支援専門員・管理者が行います。"
)


@dataclass(frozen=True)
class Actor:
    """The logged-in staff member acting in one office, with their roles there."""

    staff: Staff
    office: Office | None
    roles: frozenset[str]
    offices: tuple[Office, ...] = field(default=())

    @property
    def sees_whole_office(self) -> bool:
        return bool(self.roles & OFFICE_WIDE_ROLES)

    @property
    def has_caseload(self) -> bool:
        return bool(self.roles & CASELOAD_ROLES)

    @property
    def can_write(self) -> bool:
        return bool(self.roles & WRITER_ROLES)

    @property
    def can_write_plans(self) -> bool:
        """May write care plan content (see PLAN_WRITER_ROLES)."""
        return bool(self.roles & PLAN_WRITER_ROLES)

    @property
    def is_manager(self) -> bool:
        return Role.OFFICE_MANAGER in self.roles

    @property
    def can_review_access_log(self) -> bool:
        """管理者 and 監査 read the access log of their office (caremgmt.access_log_review)."""
        return self.office is not None and bool(self.roles & {Role.OFFICE_MANAGER, Role.AUDITOR})

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in Role.values if role in self.roles]


def actor_for(staff: Staff, office_id: int | None = None) -> Actor:
    """Build the actor for `staff`, in `office_id` when they belong to it, else their first office."""
    memberships = list(
        Membership.objects.filter(staff=staff, is_active=True, office__isnull=False)
        .select_related("office")
        .order_by("office__office_number", "role")
    )
    offices: dict[int, Office] = {}
    for membership in memberships:
        offices.setdefault(membership.office_id, membership.office)
    if not offices or not staff.is_active:
        return Actor(staff=staff, office=None, roles=frozenset())
    current_id = office_id if office_id in offices else next(iter(offices))
    roles = frozenset(m.role for m in memberships if m.office_id == current_id)
    return Actor(
        staff=staff, office=offices[current_id], roles=roles, offices=tuple(offices.values())
    )


def actor_from_request(request: HttpRequest) -> Actor | None:
    if not request.user.is_authenticated:
        return None
    return actor_for(request.user, request.session.get(SESSION_OFFICE_KEY))


def visible(queryset: QuerySet[M], actor: Actor | None) -> QuerySet[M]:
    """Restrict `queryset` to what `actor` may see."""
    model = queryset.model
    office_path: str | None = getattr(model, "scope_office_path", None)
    if office_path is None:
        raise TypeError(f"{model.__name__} does not declare scope_office_path")
    if actor is None or actor.office is None or not actor.roles:
        return queryset.none()
    scoped = queryset.filter(**{office_path: actor.office})
    caseload_paths: tuple[str, ...] = getattr(model, "scope_caseload_paths", ())
    if actor.sees_whole_office or not caseload_paths:
        return scoped
    if actor.has_caseload:
        caseload = Q()
        for path in caseload_paths:
            caseload |= Q(**{path: actor.staff})
        return scoped.filter(caseload)
    return scoped.none()


def get_visible_or_404(queryset: QuerySet[M] | type[M], actor: Actor | None, **lookup: Any) -> M:
    """Fetch one visible object or raise 404 — never 403, so ids cannot be probed."""
    if not isinstance(queryset, QuerySet):
        queryset = queryset._default_manager.all()
    try:
        return visible(queryset, actor).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("見つかりません。") from error


def require_writer(actor: Actor | None) -> None:
    """Read-only roles (監査) get 404 on write endpoints too: nothing to probe, nothing changed."""
    if actor is None or not actor.can_write:
        raise Http404("見つかりません。")


def require_plan_writer(actor: Actor | None) -> None:
    """The one check for writing care plan content: 事務 and 監査 get 403 (the check runs
    before any object lookup, so it reveals nothing about ids)."""
    if actor is None or not actor.can_write_plans:
        raise PermissionDenied(PLAN_WRITE_REFUSED_MESSAGE)
