"""Alerts: certifications about to expire."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from caremgmt.audit import record_search
from clients import selectors

# --- alerts ------------------------------------------------------------------------------


def expiring(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors.certifications_expiring(actor=request.actor, today=today)
    record_search(request, subject_type="clients:expiring", query={})
    return render(request, "clients/expiring.html", {"rows": rows, "today": today})
