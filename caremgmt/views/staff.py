"""職員管理 (docs/staff.md): one's own password change, and the office manager's staff list,
adding staff, roles and retirement, and temporary passwords."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from caremgmt import mfa
from caremgmt import staff as services
from caremgmt.locking import StaleEditError
from caremgmt.models import Membership, Office, Staff
from caremgmt.models.organization import CARE_MANAGER_ROLES
from caremgmt.staff_forms import MemberEditForm, StaffAddForm, VersionForm

SESSION_ISSUED_KEY = "staff_issued_password"


def _require_manager(request: HttpRequest) -> Office:
    actor = request.actor
    if actor is None or actor.office is None or not actor.is_manager:
        raise PermissionDenied("管理者だけが使えます。")
    return actor.office


def _member_or_404(office: Office, pk: int) -> Staff:
    staff = services.member_of(office, pk)
    if staff is None:
        raise Http404("見つかりません。")
    return staff


# --- One's own password ----------------------------------------------------------------------


@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    """`/account/password/`: current password, the new one twice (Django's validators)."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_own_password(request, form)
        messages.success(request, "パスワードを変更しました。")
        return redirect(mfa.safe_next(request, next_url))
    return render(
        request,
        "account/password_change.html",
        {"form": form, "next": next_url, "required": request.user.must_change_password},
    )


# --- The office manager's staff list ---------------------------------------------------------


def staff_list(request: HttpRequest) -> HttpResponse:
    """`/office/staff/`: active and retired members of the acting office."""
    office = _require_manager(request)
    rows = services.office_members(office)
    return render(
        request,
        "account/staff_list.html",
        {
            "active": [row for row in rows if row.active],
            "retired": [row for row in rows if not row.active],
        },
    )


def _issue(request: HttpRequest, staff: Staff, password: str, *, new: bool) -> HttpResponse:
    request.session[SESSION_ISSUED_KEY] = {
        "staff": staff.pk,
        "full_name": staff.full_name,
        "username": staff.username,
        "password": password,
        "new": new,
    }
    return redirect("staff_issued_password")


@never_cache
def issued_password(request: HttpRequest) -> HttpResponse:
    """The temporary password, shown once (it is dropped from the session here)."""
    _require_manager(request)
    issued = request.session.pop(SESSION_ISSUED_KEY, None)
    if not issued:
        messages.info(request, "仮パスワードは一度だけ表示します。必要なら再発行してください。")
        return redirect("staff_list")
    return render(request, "account/staff_issued_password.html", {"issued": issued})


def staff_add(request: HttpRequest) -> HttpResponse:
    """職員の追加: a new account with a temporary password, or — when the login id belongs to
    someone of the same corporation — that person joins this office (memberships only)."""
    office = _require_manager(request)
    form = StaffAddForm(request.POST or None)
    existing = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = services.existing_login(data["username"])
        if existing is None:
            staff, password = services.add_staff(
                office,
                username=data["username"],
                full_name=data["full_name"],
                full_name_kana=data["full_name_kana"],
                email=data["email"],
                roles=form.role_set(),
                care_manager_number=data["care_manager_number"],
            )
            return _issue(request, staff, password, new=True)
        if not services.same_corporation(office, existing):
            form.add_error("username", "このログインIDは既に使われています。")
            existing = None
        elif services.active_roles(office, existing):
            form.add_error("username", "この職員は既にこの事業所に所属しています。")
            existing = None
        elif data["add_existing"]:
            services.add_existing(office, existing, form.role_set(), data["care_manager_number"])
            messages.success(request, f"{existing.full_name} さんをこの事業所に追加しました。")
            return redirect("staff_list")
    if existing is None:  # the choice is offered only for a colleague's login id
        form.fields["add_existing"].widget = forms.HiddenInput()
    return render(request, "account/staff_add.html", {"form": form, "existing": existing})


# --- One member: edit, retire, temporary password --------------------------------------------


def _edit_form(office: Office, staff: Staff, data=None) -> MemberEditForm:  # noqa: ANN001
    roles = services.active_roles(office, staff)
    number = next(
        (m.care_manager_number for role, m in roles.items() if role in CARE_MANAGER_ROLES), ""
    )
    if not number:
        number = (
            Membership.objects.filter(staff=staff, role__in=CARE_MANAGER_ROLES)
            .exclude(care_manager_number="")
            .values_list("care_manager_number", flat=True)
            .first()
            or ""
        )
    initial = {
        "full_name": staff.full_name,
        "full_name_kana": staff.full_name_kana,
        "email": staff.email,
        "roles": list(roles),
        "care_manager_number": number,
        "version": staff.version,
    }
    return MemberEditForm(data, initial=initial, staff=staff)


def _edit_page(
    request: HttpRequest,
    office: Office,
    staff: Staff,
    *,
    form: MemberEditForm | None = None,
    retire_error: str = "",
    caseload: int = 0,
    conflict: bool = False,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "account/staff_edit.html",
        {
            "member": staff,
            "form": form or _edit_form(office, staff),
            "active": bool(services.active_roles(office, staff)),
            "retire_error": retire_error,
            "caseload": caseload or services.caseload_count(office, staff),
            "conflict": conflict,
            "stale_message": services.STALE,
        },
        status=status,
    )


def _after_conflict(form: MemberEditForm, current: Staff) -> MemberEditForm:
    """Keep everything typed; load the current version so a deliberate second save applies."""
    data = form.data.copy()
    data["version"] = str(current.version)
    return MemberEditForm(data, initial=form.initial, staff=current)


def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """役割の変更: name, フリガナ, email and roles here (optimistic lock on the staff row)."""
    office = _require_manager(request)
    staff = _member_or_404(office, pk)
    form = _edit_form(office, staff, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_member(
                office,
                staff,
                data["version"],
                full_name=data["full_name"],
                full_name_kana=data["full_name_kana"],
                email=data["email"],
                roles=form.role_set(),
                care_manager_number=data["care_manager_number"],
            )
        except StaleEditError as error:
            return _edit_page(
                request,
                office,
                error.current,
                form=_after_conflict(form, error.current),
                conflict=True,
                status=409,
            )
        except services.StaffChangeRefused as refused:
            form.add_error("roles", refused.message)
            return _edit_page(request, office, staff, form=form, caseload=refused.caseload)
        messages.success(request, f"{data['full_name']} さんの設定を保存しました。")
        return redirect("staff_edit", pk=staff.pk)
    return _edit_page(request, office, staff, form=form)


@require_POST
def staff_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """退職: every role in this office ends; 代理 assignments here are cleared."""
    office = _require_manager(request)
    staff = _member_or_404(office, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        cleared = services.retire_member(office, staff, version)
    except StaleEditError as error:
        return _edit_page(request, office, error.current, conflict=True, status=409)
    except services.StaffChangeRefused as refused:
        return _edit_page(
            request, office, staff, retire_error=refused.message, caseload=refused.caseload
        )
    note = f"（代理担当 {cleared}件を解除しました）" if cleared else ""
    messages.success(request, f"{staff.full_name} さんを退職にしました。{note}")
    return redirect("staff_list")


@require_POST
def staff_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """パスワードの再発行: a new temporary password, shown once; the person's sessions end."""
    office = _require_manager(request)
    staff = _member_or_404(office, pk)
    if staff.pk == request.user.pk:
        messages.error(request, "自分のパスワードは「パスワードの変更」から変更してください。")
        return redirect("staff_edit", pk=staff.pk)
    if not services.active_roles(office, staff):
        raise Http404("見つかりません。")
    password = services.reset_password(request, staff)
    return _issue(request, staff, password, new=False)
