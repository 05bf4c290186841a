"""The care manager's home: what needs doing today."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clients.models import ClientStatus
from clients.selectors import client_list


def dashboard(request: HttpRequest) -> HttpResponse:
    clients = client_list(actor=request.actor)
    context = {
        "today": timezone.localdate(),
        "caseload_count": clients.exclude(status=ClientStatus.ENDED).count(),
        "consulting_count": clients.filter(status=ClientStatus.CONSULTING).count(),
    }
    return render(request, "monitoring/dashboard.html", context)
