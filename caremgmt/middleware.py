"""Request-level plumbing: request ids, session lifetime, htmx-aware login redirects,
the acting staff member, and no-store caching for pages with client data."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject

from caremgmt import mfa
from caremgmt.access import actor_from_request

Handler = Callable[[HttpRequest], HttpResponse]
SESSION_STARTED_KEY = "auth_started_at"


CLIENT_REQUEST_ID_MAX = 64


class RequestIdMiddleware:
    """Give every request a server-generated id for log correlation. A caller's X-Request-ID
    is never used as the id (it could forge or collide with another request's log rows);
    it is kept only as `request.client_request_id`, printable ASCII, truncated."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = uuid.uuid4()
        incoming = request.headers.get("X-Request-ID", "")
        request.client_request_id = "".join(ch for ch in incoming if " " <= ch <= "~")[
            :CLIENT_REQUEST_ID_MAX
        ]
        response = self.get_response(request)
        response["X-Request-ID"] = str(request.request_id)
        return response


NUL = "\x00"


def without_nul(params: QueryDict) -> QueryDict:
    """`params` with every NUL character (U+0000) removed from keys and values, or `params`
    itself when it has none. PostgreSQL cannot store or compare NUL in text, and no field of
    this app means anything by it, so it is dropped before any form or search sees it."""
    if not any(
        NUL in key or any(NUL in value for value in values) for key, values in params.lists()
    ):
        return params
    cleaned = QueryDict(mutable=True, encoding=params.encoding)
    for key, values in params.lists():
        cleaned.setlist(key.replace(NUL, ""), [value.replace(NUL, "") for value in values])
    cleaned._mutable = False
    return cleaned


class NulStripMiddleware:
    """Drop NUL characters from GET and POST parameters (issue 9 item 9): a NUL in a search
    box or a form field would otherwise reach PostgreSQL and end in a server error. The one
    place that does it for every route; uploaded files are not touched."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = without_nul(request.GET)
        if request.method == "POST":
            request.POST = without_nul(request.POST)
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """Enforce the absolute session lifetime; the idle timeout is SESSION_COOKIE_AGE with
    SESSION_SAVE_EVERY_REQUEST (the server-side session expires after idle minutes)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_LIFETIME_SECONDS:
                logout(request)
                return login_redirect(request)
        return self.get_response(request)


def login_redirect(request: HttpRequest) -> HttpResponse:
    login_url = resolve_url(settings.LOGIN_URL)
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login_url
        return response
    return redirect(f"{login_url}?next={request.path}")


class HtmxLoginRedirectMiddleware:
    """An expired session during an htmx request must reload the login page in full,
    not swap the login form into a table cell."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code in (301, 302)
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
        ):
            htmx_response = HttpResponse(status=204)
            htmx_response["HX-Redirect"] = response["Location"]
            return htmx_response
        return response


class ActorMiddleware:
    """Attach `request.actor`: the staff member, their current office and roles there."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = SimpleLazyObject(lambda: actor_from_request(request))
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages for logged-in staff carry client data: never store them in any cache (ASVS 14.3.2).
    Responses that switch on HX-Request vary on it.

    Why `no-store` and not `private, no-cache`: `private` only keeps the page out of shared
    caches (ASVS 14.2.2); the browser would still write health data to the workstation's disk
    cache, and browsers show Back/Forward pages from that cache without revalidating, so
    `no-cache` would not even buy a fresh page. With `no-store`, Back to a GET page simply
    fetches it again. The one page Back cannot fetch again is the result of a POST (a form
    re-rendered with its errors): Chromium then shows ERR_CACHE_MISS ("Confirm Form
    Resubmission"). So the pattern is: a successful POST redirects (Post/Redirect/Get), and
    a failed one is re-rendered with `base.html` turning its history entry into a GET entry
    for the same address (`history.replaceState`), so Back and Reload request the form with
    GET instead of showing the cache-miss page or resubmitting the POST.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        patch_vary_headers(response, ["HX-Request"])
        return response


class PasswordChangeHoldMiddleware:
    """After the second-factor step (it runs after SecondFactorMiddleware): a staff member
    with a temporary password (`must_change_password`) reaches only the password change,
    logout, health, the session keep-alive and the two-factor pages; htmx requests get an
    `HX-Redirect`. docs/staff.md."""

    ALLOWED = frozenset({"password_change"})

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):  # noqa: ANN001
        user = request.user
        if not user.is_authenticated or not user.must_change_password:
            return None
        match = request.resolver_match
        name = match.url_name if match is not None else None
        namespace = match.namespace if match is not None else ""
        if namespace in mfa.VERIFY_NAMESPACES:
            return None
        if not namespace and (name in self.ALLOWED or name in mfa.ENROL_ROUTES):
            return None
        return mfa._redirect(request, reverse("password_change"))  # noqa: SLF001 (same hold)
