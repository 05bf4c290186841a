"""Two-factor login screens: the second step, enrolment, and the office manager's settings
(require two-factor login, reset a lost device). docs/mfa.md."""

from __future__ import annotations

import base64
from io import BytesIO

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from caremgmt import mfa
from caremgmt.models import Membership, Office, Staff

SESSION_TOTP_KEY = "mfa_totp_device_id"
SESSION_CODES_KEY = "mfa_recovery_codes"
THROTTLED = (
    "入力の誤りが続いたため、しばらく確認できません。少し待ってからもう一度入力してください。"
)
WRONG = "確認コードが正しくありません。"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="確認コード",
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


# --- The second step -------------------------------------------------------------------------


def verify(request: HttpRequest) -> HttpResponse:
    """`/login/verify/`: an authenticator code, a recovery code (single use) or a passkey."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_verified() or not mfa.has_confirmed_device(request.user):
        return redirect(mfa.safe_next(request, next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = mfa.check_code(request.user, form.cleaned_data["code"])
        if result.device is not None:
            otp_login(request, result.device)
            if isinstance(result.device, StaticDevice):
                left = result.device.token_set.count()
                messages.warning(request, f"回復コードを使いました。残りは {left} 個です。")
            return redirect(mfa.safe_next(request, next_url))
        form.add_error("code", THROTTLED if result.throttled else WRONG)
    has_passkey = bool(
        [d for d in mfa.primary_devices(request.user) if not isinstance(d, TOTPDevice)]
    )
    return render(
        request,
        "registration/mfa_verify.html",
        {"form": form, "next": next_url, "has_passkey": has_passkey},
    )


# --- Enrolment -------------------------------------------------------------------------------


def setup(request: HttpRequest) -> HttpResponse:
    """`/account/mfa/`: the staff member's devices, with add and remove."""
    request.session.pop(SESSION_CODES_KEY, None)  # recovery codes are shown once
    staff = request.user
    recovery = mfa.recovery_device(staff)
    return render(
        request,
        "account/mfa_setup.html",
        {
            "devices": mfa.primary_devices(staff),
            "recovery": recovery,
            "recovery_left": recovery.token_set.count() if recovery else 0,
            "required": mfa.office_requires_mfa(request),
            "enrolled": bool(mfa.primary_devices(staff)),
        },
    )


def _qr_svg(url: str) -> str:
    out = BytesIO()
    write_qrcode_image(url, out)
    svg = out.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]  # inline: drop the XML declaration


def totp(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: a new secret with its QR code (shown on this page only),
    confirmed with one code from the app."""
    staff = request.user
    device = None
    if request.method == "POST":
        device = TOTPDevice.objects.filter(
            user=staff, confirmed=False, pk=request.session.get(SESSION_TOTP_KEY)
        ).first()
        if device is None:
            messages.error(request, "登録の有効期限が切れました。もう一度読み取ってください。")
            return redirect("mfa_totp")
    form = CodeForm(request.POST or None)
    if device is not None and form.is_valid():
        if device.verify_token(mfa.normalize_code(form.cleaned_data["code"])):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = None if mfa.recovery_device(staff) else mfa.new_recovery_codes(staff)
            request.session.pop(SESSION_TOTP_KEY, None)
            otp_login(request, device)
            messages.success(request, "認証アプリを登録しました。")
            if codes:
                request.session[SESSION_CODES_KEY] = codes
                return redirect("mfa_recovery")
            return redirect("mfa_setup")
        form.add_error("code", WRONG)
    if device is None:
        device = mfa.new_totp_device(staff)
        request.session[SESSION_TOTP_KEY] = device.pk
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return render(
        request,
        "account/mfa_totp.html",
        {
            "form": form,
            "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 (our own SVG)
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


def recovery(request: HttpRequest) -> HttpResponse:
    """POST: new recovery codes (the old ones stop working); GET: show them, once.
    POST `after=passkey` comes from the setup page once a passkey is registered (the passkey
    API itself is the library's): like a confirmed authenticator app, the first device gets
    recovery codes, and existing codes are kept."""
    if request.method == "POST":
        if not mfa.primary_devices(request.user):
            messages.error(request, "先に認証アプリかパスキーを登録してください。")
            return redirect("mfa_setup")
        if request.POST.get("after") == "passkey":
            messages.success(request, "パスキーを登録しました。")
            if mfa.recovery_device(request.user):
                return redirect("mfa_setup")
        request.session[SESSION_CODES_KEY] = mfa.new_recovery_codes(request.user)
        return redirect("mfa_recovery")
    codes = request.session.get(SESSION_CODES_KEY)
    if not codes:
        return redirect("mfa_setup")
    return render(request, "account/mfa_recovery.html", {"codes": codes})


def recovery_download(request: HttpRequest) -> HttpResponse:
    codes = request.session.get(SESSION_CODES_KEY)
    if not codes:
        raise Http404("見つかりません。")
    text = (
        f"caremgmt 回復コード（{request.user.username}）\r\n"
        "各コードは1回だけ使えます。安全な場所に保管してください。\r\n\r\n"
        + "\r\n".join(codes)
        + "\r\n"
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="caremgmt-recovery-codes.txt"'
    return response


class RemoveForm(forms.Form):
    device = forms.CharField(widget=forms.HiddenInput)
    password = forms.CharField(required=False, widget=forms.PasswordInput, strip=False)
    code = forms.CharField(required=False, max_length=40)


@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    """Remove one authenticator app or passkey. Removing the last one needs the password or
    a current code; then the recovery codes go too."""
    staff = request.user
    form = RemoveForm(request.POST)
    device = None
    if form.is_valid():
        device = Device.from_persistent_id(form.cleaned_data["device"])
    primaries = mfa.primary_devices(staff)
    if device is None or device.user_id != staff.pk or device not in primaries:
        raise Http404("見つかりません。")
    if len(primaries) == 1:
        password_ok = staff.check_password(form.cleaned_data["password"] or "")
        code = form.cleaned_data["code"]
        if not password_ok and not (code and mfa.check_code(staff, code).device):
            messages.error(
                request, "最後の認証手段を削除するには、パスワードか確認コードが必要です。"
            )
            return redirect("mfa_setup")
        with transaction.atomic():
            device.delete()
            StaticDevice.objects.filter(user=staff).delete()
    else:
        device.delete()
    messages.success(request, "削除しました。")
    return redirect("mfa_setup")


# --- The office manager ----------------------------------------------------------------------


class OfficeMfaForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = ["require_mfa"]


def _require_manager(request: HttpRequest) -> Office:
    actor = request.actor
    if actor is None or actor.office is None or not actor.is_manager:
        raise PermissionDenied("管理者だけが変更できます。")
    return actor.office


def office_security(request: HttpRequest) -> HttpResponse:
    """`/office/security/`: require two-factor login for the office; each staff member's
    status, with a reset for a lost device."""
    office = _require_manager(request)
    form = OfficeMfaForm(request.POST or None, instance=office)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "設定を保存しました。")
        return redirect("office_security")
    staff_ids = (
        Membership.objects.filter(office=office, is_active=True)
        .values_list("staff_id", flat=True)
        .distinct()
    )
    rows = [
        {"staff": staff, "enrolled": staff.has_mfa_device}
        for staff in Staff.objects.filter(pk__in=staff_ids, is_active=True).order_by("username")
    ]
    return render(
        request,
        "account/office_security.html",
        {"form": form, "rows": rows, "guideline": mfa.GUIDELINE_NOTE},
    )


@require_POST
def reset_staff_mfa(request: HttpRequest) -> HttpResponse:
    """Reset a lost device of a staff member (POST `staff`: their id) of the manager's current
    office; any other id is 404."""
    office = _require_manager(request)
    try:
        pk = int(request.POST.get("staff", ""))
    except ValueError:
        raise Http404("見つかりません。") from None
    staff = (
        Staff.objects.filter(pk=pk, memberships__office=office, memberships__is_active=True)
        .distinct()
        .first()
    )
    if staff is None:
        raise Http404("見つかりません。")
    mfa.reset_devices(request, staff)
    messages.success(
        request,
        f"{staff.full_name} さんの2要素認証をリセットしました。次回ログイン時に再登録します。",
    )
    return redirect("office_security")
