"""職員管理 (docs/staff.md): the office manager adds staff, changes roles, retires people and
issues temporary passwords; everyone changes their own password.

Plain functions over Staff and Membership. Clients are reached through the reverse relations
`caseload` / `deputy_caseload` (caremgmt must not import the clients app), and "担当利用者"
means a client of this office that is not 終了 (相談中・契約中・入院中).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q

from caremgmt.audit import record_access
from caremgmt.locking import StaleEditError
from caremgmt.models import Membership, Office, Role, Staff
from caremgmt.models.audit import AccessAction
from caremgmt.models.organization import CARE_MANAGER_ROLES

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger("caremgmt.staff")

# No 0/O, 1/l/I: the manager reads the password out or writes it down for the new person.
TEMPORARY_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
TEMPORARY_PASSWORD_LENGTH = 16
CLIENT_ENDED = "ended"  # clients.models.ClientStatus.ENDED (caremgmt may not import clients)

LAST_MANAGER = (
    "この事業所の管理者がいなくなるため、変更できません。先に別の職員を管理者にしてください。"
)
STALE = "他の人が先にこの職員の設定を変更しました。"


class StaffChangeRefused(Exception):
    """A change that would leave the office without a manager, or clients without 担当."""

    def __init__(self, message: str, *, caseload: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.caseload = caseload


def temporary_password() -> str:
    return "".join(
        secrets.choice(TEMPORARY_PASSWORD_ALPHABET) for _ in range(TEMPORARY_PASSWORD_LENGTH)
    )


def _active_caseload(office: Office) -> Q:
    return Q(caseload__office=office) & ~Q(caseload__status=CLIENT_ENDED)


@dataclass(frozen=True)
class MemberRow:
    staff: Staff
    memberships: list[Membership]
    caseload: int

    @property
    def active(self) -> bool:
        return any(m.is_active for m in self.memberships)

    @property
    def roles(self) -> list[Membership]:
        return [m for m in self.memberships if m.is_active]


def office_members(office: Office) -> list[MemberRow]:
    """Everyone who has (or had) a role in `office`, with their roles here and the number of
    active clients they are 担当 of here. Two queries, whatever the number of staff."""
    staff = (
        Staff.objects.filter(pk__in=Membership.objects.filter(office=office).values("staff_id"))
        .annotate(caseload_count=Count("caseload", filter=_active_caseload(office), distinct=True))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(office=office).order_by("role"),
                to_attr="office_memberships",
            )
        )
        .order_by("full_name_kana", "username")
    )
    return [MemberRow(s, s.office_memberships, s.caseload_count) for s in staff]


def member_of(office: Office, pk: int) -> Staff | None:
    """A staff member who has (or had) a role in `office`; None for anyone else."""
    return Staff.objects.filter(pk=pk, memberships__office=office).distinct().first()


def active_roles(office: Office, staff: Staff) -> dict[str, Membership]:
    return {
        m.role: m for m in Membership.objects.filter(office=office, staff=staff, is_active=True)
    }


def caseload_count(office: Office, staff: Staff) -> int:
    return Staff.objects.filter(pk=staff.pk).aggregate(
        n=Count("caseload", filter=_active_caseload(office))
    )["n"]


def _check_managers_remain(office: Office, staff: Staff, keeps_manager: bool) -> None:
    if keeps_manager:
        return
    others = (
        Membership.objects.filter(office=office, role=Role.OFFICE_MANAGER, is_active=True)
        .exclude(staff=staff)
        .filter(staff__is_active=True)
    )
    if not others.exists():
        raise StaffChangeRefused(LAST_MANAGER)


def _check_caseload(office: Office, staff: Staff) -> None:
    count = caseload_count(office, staff)
    if count:
        raise StaffChangeRefused(
            f"担当利用者が {count}人います。先に担当を変更してください。", caseload=count
        )


def _lock(staff: Staff, expected_version: int | None) -> Staff:
    locked = Staff.objects.select_for_update().get(pk=staff.pk)
    if expected_version is None or locked.version != expected_version:
        raise StaleEditError(locked, [])
    return locked


def _set_roles(office: Office, staff: Staff, roles: set[str], number: str) -> None:
    """Make `roles` the active roles of `staff` in `office` (rows of dropped roles are kept,
    inactive); care-manager roles carry `number`."""
    existing = {m.role: m for m in Membership.objects.filter(office=office, staff=staff)}
    for role, membership in existing.items():
        wanted = role in roles
        cm_number = number if role in CARE_MANAGER_ROLES else membership.care_manager_number
        if membership.is_active != wanted or (
            wanted and cm_number != membership.care_manager_number
        ):
            membership.is_active = wanted
            membership.care_manager_number = cm_number
            membership.save(update_fields=["is_active", "care_manager_number"])
    for role in roles - set(existing):
        Membership.objects.create(
            staff=staff,
            office=office,
            role=role,
            care_manager_number=number if role in CARE_MANAGER_ROLES else "",
        )


# --- Adding staff ----------------------------------------------------------------------------


def existing_login(username: str) -> Staff | None:
    return Staff.objects.filter(username__iexact=username).first()


def same_corporation(office: Office, staff: Staff) -> bool:
    return Membership.objects.filter(
        staff=staff, office__corporation_id=office.corporation_id
    ).exists()


@transaction.atomic
def add_staff(
    office: Office,
    *,
    username: str,
    full_name: str,
    full_name_kana: str,
    email: str,
    roles: set[str],
    care_manager_number: str,
) -> tuple[Staff, str]:
    """A new account with a temporary password (returned once, never stored in clear)."""
    password = temporary_password()
    staff = Staff(
        username=username,
        full_name=full_name,
        full_name_kana=full_name_kana,
        email=email,
        must_change_password=True,
    )
    staff.set_password(password)
    staff.save()
    _set_roles(office, staff, roles, care_manager_number)
    return staff, password


@transaction.atomic
def add_existing(office: Office, staff: Staff, roles: set[str], care_manager_number: str) -> None:
    """A person of the same corporation joins this office: memberships only, no new account."""
    locked = Staff.objects.select_for_update().get(pk=staff.pk)
    _set_roles(office, locked, roles, care_manager_number)
    Staff.objects.filter(pk=staff.pk).update(is_active=True, version=F("version") + 1)


# --- Editing and retiring --------------------------------------------------------------------


@transaction.atomic
def update_member(
    office: Office,
    staff: Staff,
    expected_version: int | None,
    *,
    full_name: str,
    full_name_kana: str,
    email: str,
    roles: set[str],
    care_manager_number: str,
) -> Staff:
    """Name, フリガナ, email and the roles here. Raises StaleEditError (nothing written) or
    StaffChangeRefused (the last 管理者, or 担当 of active clients losing the care-manager role)."""
    locked = _lock(staff, expected_version)
    current = active_roles(office, locked)
    if Role.OFFICE_MANAGER in current:
        _check_managers_remain(office, locked, Role.OFFICE_MANAGER in roles)
    if set(current) & CARE_MANAGER_ROLES and not roles & CARE_MANAGER_ROLES:
        _check_caseload(office, locked)
    locked.full_name = full_name
    locked.full_name_kana = full_name_kana
    locked.email = email
    locked.version += 1
    locked.is_active = True  # ticking roles again re-activates a retired person
    locked.save(update_fields=["full_name", "full_name_kana", "email", "version", "is_active"])
    _set_roles(office, locked, roles, care_manager_number)
    return locked


@transaction.atomic
def retire_member(office: Office, staff: Staff, expected_version: int | None) -> int:
    """Retire `staff` from `office`: every membership here goes inactive, and the 代理
    (deputy) assignments on this office's clients are cleared. A person left with no active
    membership anywhere can no longer log in. Returns how many deputy assignments were
    cleared."""
    locked = _lock(staff, expected_version)
    if Role.OFFICE_MANAGER in active_roles(office, locked):
        _check_managers_remain(office, locked, keeps_manager=False)
    _check_caseload(office, locked)
    cleared = locked.deputy_caseload.filter(office=office).update(
        deputy_care_manager=None, version=F("version") + 1
    )
    Membership.objects.filter(office=office, staff=locked, is_active=True).update(is_active=False)
    locked.version += 1
    fields = ["version"]
    if not Membership.objects.filter(staff=locked, is_active=True).exists():
        locked.is_active = False
        fields.append("is_active")
    locked.save(update_fields=fields)
    return cleared


# --- Passwords -------------------------------------------------------------------------------


def change_own_password(request: HttpRequest, form) -> None:  # noqa: ANN001 - PasswordChangeForm
    """Save the new password; this session stays, every other session of the person ends (the
    session auth hash no longer matches). One access-log row (パスワードの変更)."""
    with transaction.atomic():
        staff = form.save(commit=False)
        staff.must_change_password = False
        staff.save(update_fields=["password", "must_change_password"])
        record_access(
            request,
            subject_type="staff",
            subject_id=staff.pk,
            client_id=None,
            action=AccessAction.PASSWORD_CHANGE,
        )
    update_session_auth_hash(request, staff)
    logger.info("password changed staff_id=%s", staff.pk)


def reset_password(request: HttpRequest, staff: Staff) -> str:
    """A manager issues a temporary password: the person must change it at the next login,
    and their sessions end (the session auth hash changes). One access-log row."""
    password = temporary_password()
    with transaction.atomic():
        locked = Staff.objects.select_for_update().get(pk=staff.pk)
        locked.set_password(password)
        locked.must_change_password = True
        locked.save(update_fields=["password", "must_change_password"])
        record_access(
            request,
            subject_type="staff",
            subject_id=staff.pk,
            client_id=None,
            action=AccessAction.PASSWORD_RESET,
        )
    logger.warning("password reset staff_id=%s by staff_id=%s", staff.pk, request.user.pk)
    return password
