"""Alerts: certifications about to expire."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clients import selectors

# --- alerts ------------------------------------------------------------------------------


def expiring(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors.certifications_expiring(actor=request.actor, today=today)
    return render(request, "clients/expiring.html", {"rows": rows, "today": today})
