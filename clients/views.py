from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caremgmt.access import get_visible_or_404
from caremgmt.audit import record_access
from clients.models import Client
from clients.selectors import client_list


def client_index(request: HttpRequest) -> HttpResponse:
    page = Paginator(client_list(actor=request.actor), 50).get_page(request.GET.get("page"))
    return render(request, "clients/index.html", {"page": page})


def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_visible_or_404(Client, request.actor, pk=pk)
    record_access(request, subject_type="client", subject_id=client.pk, client_id=client.pk)
    return render(request, "clients/detail.html", {"client": client})
