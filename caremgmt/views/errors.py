"""Error pages in Japanese."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale form (e.g. after logging in again in another tab) gets a friendly page."""
    return render(request, "errors/403_csrf.html", status=403)
