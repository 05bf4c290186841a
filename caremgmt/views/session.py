"""Session keep-alive and discarding an unsaved-input draft."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from caremgmt.models import FormDraft


@require_POST
def keepalive(request: HttpRequest) -> HttpResponse:
    """Extends the idle timeout (the session is saved on every request)."""
    request.session.modified = True
    return HttpResponse(status=204)


@require_POST
def draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Throw away one of the signed-in staff member's own drafts."""
    draft = get_object_or_404(FormDraft, pk=pk, staff=request.user)
    target = draft.path
    draft.delete()
    messages.success(request, "保存されていない入力を破棄しました。")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
