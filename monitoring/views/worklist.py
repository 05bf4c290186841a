"""The care manager's home: what needs doing today."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from caremgmt.audit import record_search
from clients.models import ClientStatus
from clients.selectors import RENEWAL_WINDOW_DAYS, certifications_expiring, client_list


def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    clients = client_list(actor=request.actor)
    # The home page lists clients whose certification is about to expire (names, dates).
    record_search(request, subject_type="dashboard", query={})
    context = {
        "today": today,
        "caseload_count": clients.exclude(status=ClientStatus.ENDED).count(),
        "consulting_count": clients.filter(status=ClientStatus.CONSULTING).count(),
        # 更新申請 window: certifications ending within 60 days, per care manager (scoped).
        "expiring": list(certifications_expiring(actor=request.actor, today=today)),
        "renewal_window_days": RENEWAL_WINDOW_DAYS,
    }
    return render(request, "monitoring/dashboard.html", context)
