"""Template context shared by every page: the actor and the workflow navigation."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.urls import NoReverseMatch, reverse

# Workflow areas in the order a care manager works. An area whose URL name is not defined
# yet is shown greyed out as 準備中 — it lights up when its app adds the route.
NAVIGATION = (
    ("利用者", "clients:index", "clients"),
    ("ケアプラン", "careplans:index", "careplans"),
    ("利用票", "billing:tickets", "billing"),
    ("給付管理", "billing:benefit_index", "billing"),
    ("モニタリング", "monitoring:index", "monitoring"),
)


@cache
def navigation_items() -> tuple[tuple[str, str | None, str], ...]:
    items = []
    for label, url_name, app_name in NAVIGATION:
        try:
            url: str | None = reverse(url_name)
        except NoReverseMatch:
            url = None
        items.append((label, url, app_name))
    return tuple(items)


def actor(request):  # noqa: ANN001, ANN201
    return {
        "actor": getattr(request, "actor", None),
        "navigation": navigation_items(),
        "session_idle_seconds": settings.SESSION_IDLE_TIMEOUT_SECONDS,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
