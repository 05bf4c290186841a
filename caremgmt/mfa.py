"""Two-factor login (docs/mfa.md): devices, the second step and the office requirement.

django-otp keeps the devices (TOTP, recovery codes) and django-otp-webauthn the passkeys;
`request.user.is_verified()` (OTPMiddleware) says whether this session passed the second step.
`SecondFactorMiddleware` holds a logged-in but unverified user on the verify page, and a user
of an office that requires two-factor login without a device on the enrolment pages.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from caremgmt.audit import record_access
from caremgmt.models.audit import AccessAction

if TYPE_CHECKING:
    from caremgmt.models import Staff

logger = logging.getLogger("caremgmt.mfa")

RECOVERY_DEVICE_NAME = "回復コード"
# Routes a user with a pending second step may reach (URL names, or whole namespaces).
VERIFY_ROUTES = frozenset({"mfa_verify", "logout", "health", "session_keepalive"})
VERIFY_NAMESPACES = frozenset({"otp_webauthn"})
# Routes a user who must enrol may reach, in addition.
ENROL_ROUTES = VERIFY_ROUTES | frozenset(
    {"mfa_setup", "mfa_totp", "mfa_recovery", "mfa_recovery_download", "mfa_remove"}
)


# --- Devices ---------------------------------------------------------------------------------


def primary_devices(staff: Staff) -> list:
    """Confirmed devices that stand on their own: authenticator apps and passkeys."""
    totp = list(TOTPDevice.objects.devices_for_user(staff, confirmed=True))
    passkeys = list(WebAuthnCredential.objects.devices_for_user(staff, confirmed=True))
    return totp + passkeys


def has_confirmed_device(staff: Staff) -> bool:
    return any(True for _ in devices_for_user(staff, confirmed=True))


def refresh_device_flag(staff_id: int) -> None:
    """Recompute `Staff.has_mfa_device` from the device tables (after any device change)."""
    from caremgmt.models import Staff

    staff = Staff.objects.filter(pk=staff_id).first()
    if staff is not None:
        flag = has_confirmed_device(staff)
        if flag != staff.has_mfa_device:
            Staff.objects.filter(pk=staff_id).update(has_mfa_device=flag)


def _device_changed(sender, instance, **kwargs) -> None:  # noqa: ANN001, ANN003
    user_id = getattr(instance, "user_id", None)
    if user_id is not None:
        refresh_device_flag(user_id)


def connect_device_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
        post_save.connect(_device_changed, sender=model, dispatch_uid=f"mfa-flag-{model.__name__}")
        post_delete.connect(
            _device_changed, sender=model, dispatch_uid=f"mfa-flag-del-{model.__name__}"
        )


def recovery_device(staff: Staff) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=staff, name=RECOVERY_DEVICE_NAME).first()


def new_totp_device(staff: Staff) -> TOTPDevice:
    """A fresh unconfirmed authenticator-app device (any earlier unconfirmed one is dropped)."""
    TOTPDevice.objects.filter(user=staff, confirmed=False).delete()
    return TOTPDevice.objects.create(user=staff, name="認証アプリ", confirmed=False)


@transaction.atomic
def new_recovery_codes(staff: Staff) -> list[str]:
    """Replace the staff member's recovery codes with MFA_RECOVERY_CODE_COUNT new ones."""
    StaticDevice.objects.filter(user=staff).delete()
    device = StaticDevice.objects.create(user=staff, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def remove_all_devices(staff: Staff) -> int:
    """Delete every device of `staff` (TOTP, recovery codes, passkeys); returns how many."""
    removed = 0
    for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
        removed += model.objects.filter(user=staff).delete()[1].get(model._meta.label, 0)
    return removed


def reset_devices(request: HttpRequest, staff: Staff) -> int:
    """The office manager resets a lost device: every device goes, and one access-log row
    (action 2要素認証のリセット, subject the staff member) records who did it."""
    with transaction.atomic():
        removed = remove_all_devices(staff)
        record_access(
            request,
            subject_type="mfa_device",
            subject_id=staff.pk,
            client_id=None,
            action=AccessAction.MFA_RESET,
        )
    logger.warning(
        "mfa reset staff_id=%s by staff_id=%s devices=%s", staff.pk, request.user.pk, removed
    )
    return removed


# --- The second step -------------------------------------------------------------------------


def normalize_code(raw: str) -> str:
    """IME input (全角 digits and letters, spaces, hyphens) to the form the devices store."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if ch.isalnum()).lower()


@dataclass(frozen=True)
class CodeCheck:
    device: object | None
    throttled: bool = False


def check_code(staff: Staff, raw: str) -> CodeCheck:
    """Verify a six-digit authenticator code or a recovery code against the staff member's
    confirmed devices. django-otp does the work: a TOTP code already used (same or earlier
    time step) is refused, a recovery code is consumed, and every wrong code lengthens the
    device's throttle delay (OTP_*_THROTTLE_FACTOR). A throttled device refuses even a right
    code until the delay has passed."""
    code = normalize_code(raw)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        devices = list(model.objects.devices_for_user(staff, confirmed=True).select_for_update())
        for device in devices:
            allowed, extra = device.verify_is_allowed()
            if not allowed and extra.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
                logger.warning("mfa throttled staff_id=%s device=%s", staff.pk, model.__name__)
                return CodeCheck(device=None, throttled=True)
        for device in devices:
            if code and device.verify_token(code):
                return CodeCheck(device=device)
    logger.warning("mfa wrong code staff_id=%s device=%s", staff.pk, model.__name__)
    return CodeCheck(device=None)


def safe_next(request: HttpRequest, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


# --- The reminder on the home page -----------------------------------------------------------

GUIDELINE_NOTE = (
    "医療情報システムの安全管理に関するガイドライン第6.0版は、令和9年度（2027年度）に"
    "稼働しているシステムに2要素認証を求めています。"
)


@dataclass(frozen=True)
class MfaPrompt:
    """What the home page says about two-factor login: the viewer's own missing device and,
    for the office manager of an office that does not require it yet, how many staff of the
    office have none."""

    own_missing: bool
    office_not_required: bool
    unenrolled: int


def mfa_prompt(actor) -> MfaPrompt | None:  # noqa: ANN001 - caremgmt.access.Actor
    """None when there is nothing to say. One query, for the manager only."""
    from caremgmt.models import Staff

    if actor is None or actor.office is None:
        return None
    own_missing = not actor.staff.has_mfa_device
    office_not_required = actor.is_manager and not actor.office.require_mfa
    unenrolled = 0
    if office_not_required:
        unenrolled = (
            Staff.objects.filter(
                memberships__office=actor.office,
                memberships__is_active=True,
                is_active=True,
                has_mfa_device=False,
            )
            .distinct()
            .count()
        )
    if not own_missing and not office_not_required:
        return None
    return MfaPrompt(own_missing, office_not_required, unenrolled)


# --- Middleware ------------------------------------------------------------------------------


def office_requires_mfa(request: HttpRequest) -> bool:
    actor = getattr(request, "actor", None)
    office = actor.office if actor is not None else None
    return bool(office is not None and office.require_mfa)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A full-page redirect; for htmx an `HX-Redirect` so no page is swapped into a cell."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    if request.method == "GET":
        return redirect(f"{url}?next={quote(request.get_full_path())}")
    return redirect(url)


class SecondFactorMiddleware:
    """After the password step: a user with a confirmed device who has not passed the second
    step reaches only the verify page, logout, health and the passkey endpoints; a user whose
    office requires two-factor login and who has no device reaches only the enrolment pages.
    Runs in process_view, where the route is known."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):  # noqa: ANN001
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        name = match.url_name if match is not None else None
        namespace = match.namespace if match is not None else ""
        if namespace in VERIFY_NAMESPACES:
            return None
        if user.has_mfa_device:
            if name in VERIFY_ROUTES and not namespace:
                return None
            return _redirect(request, reverse("mfa_verify"))
        if office_requires_mfa(request):
            if name in ENROL_ROUTES and not namespace:
                return None
            return _redirect(request, reverse("mfa_setup"))
        return None
