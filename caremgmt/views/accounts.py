"""Login, logout and the office switcher."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from caremgmt.access import SESSION_OFFICE_KEY, actor_for
from caremgmt.forms import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@require_POST
def switch_office(request: HttpRequest) -> HttpResponse:
    """Change the office the staff member is acting in (only offices they belong to)."""
    try:
        office_id = int(request.POST.get("office", ""))
    except ValueError:
        office_id = None
    actor = actor_for(request.user, office_id)
    if actor.office is not None and actor.office.pk == office_id:
        request.session[SESSION_OFFICE_KEY] = office_id
        messages.success(request, f"{actor.office.name} に切り替えました。")
    else:
        messages.error(request, "その事業所には所属していません。")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@login_not_required
def health(request: HttpRequest) -> HttpResponse:
    """Liveness for the container healthcheck: no data, no session."""
    return JsonResponse({"status": "ok"})
