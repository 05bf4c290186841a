"""The care manager's home: the work queue (what is due or late), notices, the caseload
table for the office manager, and the staff member's own notification settings."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from caremgmt.audit import record_search
from caremgmt.locking import LockedEditForm, StaleEditError, lock_for_edit
from caremgmt.mfa import GUIDELINE_NOTE, mfa_prompt
from clients.models import ClientStatus
from clients.selectors import RENEWAL_WINDOW_DAYS, certifications_expiring, client_list
from monitoring.models import Notice, NotificationPreference, WorkKind
from monitoring.work.caseload import caseload_table
from monitoring.work.notices import UNREAD_SHOWN, mark_read, notices_for
from monitoring.work.queue import (
    MAX_ITEMS,
    covering_staff_id,
    grouped,
    kind_counts,
    scoped_items,
)
from monitoring.work.refresh import ensure_fresh


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def dashboard(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    today = timezone.localdate()
    ensure_fresh(actor.office, today)
    kind = request.GET.get("kind", "")
    kind = kind if kind in WorkKind.values else ""
    care_manager_id = _int(request.GET.get("cm")) if actor.sees_whole_office else None
    # 「担当のみ」 leaves out the clients covered as 代理 (default: included); care managers only.
    scope = "own" if request.GET.get("scope") == "own" and not actor.sees_whole_office else ""
    # The page lists client names (work items, expiring 認定): one SEARCH row.
    query = {
        key: value
        for key, value in (("kind", kind), ("cm", care_manager_id), ("scope", scope))
        if value
    }
    record_search(request, subject_type="dashboard", query={k: str(v) for k, v in query.items()})
    clients = client_list(actor=actor)
    items = scoped_items(actor, care_manager_id, own_only=bool(scope))
    groups, truncated = grouped(items, kind, today, viewer_id=covering_staff_id(actor))
    notices = list(notices_for(actor)[:UNREAD_SHOWN]) if actor.office else []
    caseload = caseload_table(actor.office, today) if actor.sees_whole_office else None
    counts = kind_counts(items, today)
    # The renewal table (names, dates) for a caseload; the whole office reads the same 認定
    # as work items (and the full list on clients:expiring), which keeps the page fast.
    expiring = (
        None if actor.sees_whole_office else list(certifications_expiring(actor=actor, today=today))
    )
    context = {
        "today": today,
        **clients.aggregate(
            caseload_count=Count("pk", filter=~Q(status=ClientStatus.ENDED)),
            consulting_count=Count("pk", filter=Q(status=ClientStatus.CONSULTING)),
        ),
        "expiring": expiring,
        "expiring_count": len(expiring)
        if expiring is not None
        else sum(row.count for row in counts if row.kind == WorkKind.CERTIFICATION),
        "renewal_window_days": RENEWAL_WINDOW_DAYS,
        "groups": groups,
        "truncated": truncated,
        "max_items": MAX_ITEMS,
        "counts": counts,
        "kind": kind,
        "care_manager_id": care_manager_id,
        "scope": scope,
        "notices": notices,
        "unread_count": sum(1 for notice in notices if notice.read_at is None),
        "caseload": caseload,
        "mfa_prompt": mfa_prompt(actor),
        "mfa_guideline": GUIDELINE_NOTE,
    }
    return render(request, "monitoring/dashboard.html", context)


@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    notice = Notice.objects.filter(pk=pk, recipient=actor.staff, office=actor.office).first()
    if notice is None or actor.office is None:
        raise Http404("見つかりません。")
    mark_read(notice)
    if request.htmx:
        notices = list(notices_for(actor)[:UNREAD_SHOWN])
        return render(
            request,
            "monitoring/work/_notices.html",
            {"notices": notices, "unread_count": sum(1 for n in notices if n.read_at is None)},
        )
    return redirect("dashboard")


class PreferenceForm(LockedEditForm, forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email_digest"]


@transaction.atomic
def save_preference(
    preference: NotificationPreference, *, email_digest: bool, expected_version: int | None
) -> NotificationPreference:
    locked = lock_for_edit(preference, expected_version, ("email_digest",))
    locked.email_digest = email_digest
    locked.version += 1
    locked.save(update_fields=["email_digest", "version"])
    return locked


@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    """The staff member's own settings (no one else edits them; a second tab is refused)."""
    preference, _ = NotificationPreference.objects.get_or_create(staff=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            save_preference(
                preference,
                email_digest=form.cleaned_data["email_digest"],
                expected_version=form.expected_version(),
            )
        except StaleEditError as error:
            conflict = error
            form.after_conflict(error)
        else:
            messages.success(request, "通知の設定を保存しました。")
            return redirect("monitoring:notification_settings")
    return render(
        request,
        "monitoring/work/notification_settings.html",
        {
            "form": form,
            "conflict": conflict,
            "conflict_subject": "通知の設定",
            "conflict_other_note": "別の画面（タブ）でこの設定が保存されています。",
            "has_email": bool(request.user.email),
        },
    )
