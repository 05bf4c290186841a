"""Keep what was typed when a save arrives after the session expired (FormDraft).

At login a signed, HttpOnly cookie names the staff member. A POST to one of the forms in
settings.FORM_DRAFT_VIEWS that arrives without a live session but with that cookie is kept
as a FormDraft (POST data minus the CSRF token) before the redirect to login, with `next`
back to the form. The form page then offers the draft (復元 / 破棄); the optimistic lock of
the form still applies when the restored input is saved. Draft contents are never logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core import signing
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone

from caremgmt.middleware import login_redirect
from caremgmt.models import FormDraft, Staff

OWNER_COOKIE = "cm_draft_owner"
RESTORE_PARAM = "draft"
_SALT = "caremgmt.drafts.owner"
_SKIPPED_KEYS = frozenset({"csrfmiddlewaretoken"})
_VERSION_KEYS = ("version", "plan_version")


def _cutoff() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.FORM_DRAFT_MAX_AGE_DAYS)


def draft_owner(request: HttpRequest) -> int | None:
    """The active staff member named by the owner cookie, if it is genuine and not too old."""
    token = request.COOKIES.get(OWNER_COOKIE)
    if not token:
        return None
    try:
        staff_id = signing.loads(
            token, salt=_SALT, max_age=settings.SESSION_ABSOLUTE_LIFETIME_SECONDS
        )
    except signing.BadSignature:
        return None
    if not isinstance(staff_id, int):
        return None
    return staff_id if Staff.objects.filter(pk=staff_id, is_active=True).exists() else None


def store_draft(*, staff_id: int, path: str, post: QueryDict) -> FormDraft:
    """Keep the POST data (without the CSRF token) as the staff member's draft of `path`,
    replacing an earlier draft of the same form; expired drafts are purged."""
    data = {key: post.getlist(key) for key in post if key not in _SKIPPED_KEYS}
    version = None
    for key in _VERSION_KEYS:
        try:
            version = int(post.get(key, ""))
        except ValueError:
            continue
        break
    FormDraft.objects.filter(created_at__lt=_cutoff()).delete()
    FormDraft.objects.filter(staff_id=staff_id, path=path).delete()
    return FormDraft.objects.create(staff_id=staff_id, path=path, object_version=version, data=data)


def pending_draft(request: HttpRequest) -> FormDraft | None:
    """The signed-in staff member's unexpired draft of this page, if any."""
    if not request.user.is_authenticated:
        return None
    return (
        FormDraft.objects.filter(staff=request.user, path=request.path, created_at__gte=_cutoff())
        .order_by("-created_at")
        .first()
    )


def restored_data(request: HttpRequest, draft: FormDraft | None) -> QueryDict | None:
    """The draft as form data when the page was asked to restore it (?draft=restore)."""
    if draft is None or request.GET.get(RESTORE_PARAM) != "restore":
        return None
    data = QueryDict(mutable=True)
    for key, values in draft.data.items():
        data.setlist(key, [str(value) for value in values])
    return data


def discard_drafts(request: HttpRequest) -> None:
    """The form was saved: its drafts are used up."""
    FormDraft.objects.filter(staff=request.user, path=request.path).delete()


def draft_context(request: HttpRequest) -> tuple[QueryDict | None, dict[str, Any]]:
    """For a form page's GET: the restored data (or None) and the banner's context."""
    draft = pending_draft(request)
    data = restored_data(request, draft)
    return data, {"form_draft": draft, "draft_restored": data is not None}


@receiver(user_logged_in)
def _mark_owner_set(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None:
        request._draft_owner_set = True  # type: ignore[attr-defined]


@receiver(user_logged_out)
def _mark_owner_clear(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None:
        request._draft_owner_clear = True  # type: ignore[attr-defined]


class FormDraftMiddleware:
    """Sets the owner cookie at login (cleared at logout) and turns a late save of a draft
    form into a FormDraft plus the login redirect. Placed after the CSRF check and before
    LoginRequiredMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "_draft_owner_clear", False) and not request.user.is_authenticated:
            response.delete_cookie(OWNER_COOKIE, samesite="Lax")
        elif request.user.is_authenticated and (
            getattr(request, "_draft_owner_set", False) or OWNER_COOKIE not in request.COOKIES
        ):
            response.set_cookie(
                OWNER_COOKIE,
                signing.dumps(request.user.pk, salt=_SALT),
                max_age=settings.SESSION_ABSOLUTE_LIFETIME_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.method != "POST" or request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is None or match.view_name not in settings.FORM_DRAFT_VIEWS:
            return None
        staff_id = draft_owner(request)
        if staff_id is None:
            return None
        store_draft(staff_id=staff_id, path=request.path, post=request.POST)
        return login_redirect(request)
