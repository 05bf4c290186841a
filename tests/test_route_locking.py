"""Every editor of an existing row has an optimistic lock (issue 9, item 3).

Walks the whole URLconf. Each named route is either LOCKED (it changes an existing row, so a
stale form must be refused) or EXEMPT with the reason it cannot lose an update (it only
creates rows, is append-only, is a checked state transition, or only reads). A new route in
neither list fails `test_every_route_is_classified`, so nobody can add an editor without a
version check.

For each LOCKED route, as two people with the same page open would:
1. load the form (GET) and read every field it would post, version included;
2. the first person saves a change (302);
3. the second person posts the same loaded form with another value;
4. the stale save is not a redirect (the page shows the conflict, 200/409), and the row
   still has the first person's value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from tests.clients.test_scoping import CLIENT_ROUTES, DIRECTORY_ROUTES
from tests.conftest import World
from tests.monitoring import routes as monitoring_routes
from tests.test_route_scoping import ROUTES, _route_names

# The conflict message names who saved in between (another staff member, or another tab).
CONFLICT_WORDS = ("他の職員", "別の画面", "別のタブ")


@dataclass(frozen=True)
class Locked:
    """kwargs: builds the row (owned by the world's care manager) and the URL kwargs;
    model/pk_key: where the row is; field: a text field both people change."""

    kwargs: Callable[[World], dict[str, Any]]
    model: str
    pk_key: str
    field: str
    first: str = "先に保存した内容"
    stale: str = "古い画面から保存した内容"


def _scoped(name: str) -> Callable[[World], dict[str, Any]]:
    if name in CLIENT_ROUTES:
        return CLIENT_ROUTES[name]
    if name in DIRECTORY_ROUTES:
        return DIRECTORY_ROUTES[name]
    return ROUTES[name].kwargs


LOCKED: dict[str, Locked] = {
    "clients:edit": Locked(
        _scoped("clients:edit"), "clients.Client", "pk", "name", "山田 先子", "山田 後子"
    ),
    "clients:contact_edit": Locked(
        _scoped("clients:contact_edit"), "clients.ClientContact", "contact_pk", "notes"
    ),
    "clients:application_edit": Locked(
        _scoped("clients:application_edit"),
        "clients.CertificationApplication",
        "application_pk",
        "notes",
    ),
    "clients:provider_edit": Locked(
        _scoped("clients:provider_edit"), "clients.ServiceProvider", "pk", "name"
    ),
    "clients:doctor_edit": Locked(_scoped("clients:doctor_edit"), "clients.Doctor", "pk", "notes"),
    "clients:resource_edit": Locked(
        _scoped("clients:resource_edit"), "clients.InformalResource", "pk", "notes"
    ),
    "careplans:meeting": Locked(
        _scoped("careplans:meeting"), "careplans.Meeting", "pk", "discussion"
    ),
    "careplans:assessment": Locked(
        _scoped("careplans:assessment"), "careplans.Assessment", "pk", "place"
    ),
    "careplans:plan_edit": Locked(
        _scoped("careplans:plan_edit"), "careplans.CarePlan", "pk", "overall_policy"
    ),
    "careplans:need_edit": Locked(
        _scoped("careplans:need_edit"), "careplans.Need", "need_pk", "text"
    ),
    "careplans:goal_edit": Locked(
        _scoped("careplans:goal_edit"), "careplans.Goal", "goal_pk", "long_term"
    ),
    "careplans:item_edit": Locked(
        _scoped("careplans:item_edit"), "careplans.SupportItem", "item_pk", "content"
    ),
    "careplans:weekly_edit": Locked(
        _scoped("careplans:weekly_edit"), "careplans.WeeklyService", "weekly_pk", "content"
    ),
    "careplans:activity_edit": Locked(
        _scoped("careplans:activity_edit"), "careplans.DailyActivity", "activity_pk", "activity"
    ),
    "careplans:monthly_edit": Locked(
        _scoped("careplans:monthly_edit"), "careplans.MonthlyService", "monthly_pk", "content"
    ),
    "billing:ticket_row_edit": Locked(
        _scoped("billing:ticket_row_edit"), "billing.TicketRow", "row_pk", "content"
    ),
}

_READ = "only reads (no write)"
_CREATE = "only creates a new row (nothing existing is overwritten)"
EXEMPT: dict[str, str] = {
    # core
    "login": "authentication, no shared row",
    "logout": "ends the session",
    "health": _READ,
    "dashboard": _READ,
    "audit:client_log": _READ,
    "audit:client_log_csv": _READ,
    "audit:staff_log": _READ,
    "audit:staff_log_csv": _READ,
    # two-factor login (mfa)
    "mfa_verify": "the user's own session and device counters",
    "mfa_setup": _READ,
    "mfa_totp": "the user's own devices (no one else edits them)",
    "mfa_recovery": "replaces the user's own recovery codes",
    "mfa_recovery_download": _READ,
    "mfa_remove": "deletes the user's own device",
    "office_security": "one switch on the office; last save wins, recorded by pghistory",
    "mfa_reset": "deletes a staff member's devices; idempotent",
    # 職員管理 (tests/caremgmt/test_staff_manage.py)
    "password_change": "the user's own password (no one else edits it)",
    "staff_list": _READ,
    "staff_add": "creates a staff member, or adds memberships to a colleague (rows only)",
    "staff_issued_password": _READ,
    "staff_edit": "locked by Staff.version (409); manager-only, so this walk's care manager "
    "cannot open it: test_stale_edit_is_refused_with_409 in tests/caremgmt/test_staff_manage.py",
    "staff_retire": "locked by Staff.version like staff_edit (test_stale_retire_is_refused)",
    "staff_password_reset": "issues a new temporary password; the last one wins, logged",
    "otp_webauthn:credential-registration-begin": "the user's own session",
    "otp_webauthn:credential-registration-complete": "creates the user's own passkey",
    "otp_webauthn:credential-authentication-begin": "the user's own session",
    "otp_webauthn:credential-authentication-complete": "the user's own session and passkey",
    "otp_webauthn:js-i18n-catalog": _READ,
    "switch_office": "changes the user's own session only",
    "session_keepalive": "touches the user's own session only",
    "form_draft_discard": "deletes the user's own private draft (no one else edits it)",
    "printing:status": _READ,
    "printing:download": _READ,
    "printing:retry": "re-queues a failed job; the job row is written only by the worker",
    # clients
    "clients:index": _READ,
    "clients:expiring": _READ,
    "clients:detail": _READ,
    "clients:tab": _READ,
    "clients:providers": _READ,
    "clients:doctors": _READ,
    "clients:resources": _READ,
    "clients:intake": _CREATE,
    "clients:provider_add": _CREATE,
    "clients:doctor_add": _CREATE,
    "clients:resource_add": _CREATE,
    "clients:contact_add": _CREATE,
    "clients:application_add": _CREATE + "; refused while another application is pending",
    "clients:certification_add": _CREATE + " (effective-dated history)",
    "clients:burden_add": _CREATE + " (effective-dated history)",
    "clients:filing_add": _CREATE + " (effective-dated history)",
    "clients:public_expense_add": _CREATE + " (effective-dated history)",
    "clients:restriction_add": _CREATE + " (effective-dated history)",
    "clients:provider_regional_grades": _CREATE + " (a new 地域区分 period)",
    "clients:certification_correct": "append-only: a correction supersedes the old row once; "
    "a second correction of an already-superseded row is refused",
    "clients:burden_correct": "append-only correction (supersedes once, see above)",
    "clients:public_expense_correct": "append-only correction (supersedes once, see above)",
    "clients:restriction_correct": "append-only correction (supersedes once, see above)",
    "clients:contract": "creates a Contract; the status move is checked under the client's "
    "row lock (a second contract of a contracted client is refused)",
    "clients:status": "a state transition checked against the locked current status "
    "(no field values are overwritten)",
    "clients:contact_delete": "deletes the row; a second delete finds nothing (404)",
    # careplans
    "careplans:index": _READ,
    "careplans:client": _READ,
    "careplans:plan": _READ,
    "careplans:item_providers": _READ + " (a select fragment)",
    "careplans:export": _READ + " (builds the exchange CSV)",
    "careplans:print": "renders a PDF of the saved plan; the print job is the user's own",
    "billing:ticket_print": "renders a PDF of the saved ticket; writes only a print job",
    "billing:ticket_print_provider": "renders a PDF (提供票) of the saved ticket; a print job",
    "billing:version_print": "renders a PDF of a frozen version (read only); a print job",
    "billing:version_print_provider": "renders a frozen version's 提供票; a print job",
    "careplans:assessment_new": _CREATE,
    "careplans:plan_new": _CREATE,
    "careplans:need_add": _CREATE + "; checked against the plan's version",
    "careplans:goal_add": _CREATE + "; checked against the plan's version",
    "careplans:item_add": _CREATE + "; checked against the plan's version",
    "careplans:weekly_add": _CREATE + "; checked against the plan's version",
    "careplans:activity_add": _CREATE + "; checked against the plan's version",
    "careplans:row_delete": "deletes a row under the plan's version check "
    "(tests/careplans: stale delete is refused)",
    "careplans:meeting_new": _CREATE,
    "careplans:import": _CREATE + " (a new plan version from a file)",
    "careplans:minor_change": "append-only (a trigger refuses UPDATE/DELETE)",
    "careplans:no_meeting": "a state transition 原案 → 会議済 refused unless the plan is 原案",
    "careplans:confirm": "a state transition refused unless the plan is ready (checked locked)",
    "careplans:revise": "creates the next plan version; refused when a draft already exists",
    # billing: plan checks
    "careplans:monthly_add": _CREATE + "; checked against the plan's version",
    "careplans:monthly_delete": "deletes a row under the plan's version check "
    "(tests/careplans/test_monthly_services.py: stale delete is refused)",
    "billing:ticket_checks": _READ,
    "billing:presubmission": "read-only check page",
    "billing:presubmission_ack": "append-only: one acknowledgement per (ticket, rule, subject); "
    "a second is refused (unique constraint)",
    "billing:ticket_check_ack": "append-only: one acknowledgement per (ticket, rule, subject); "
    "a second is refused naming the first; the ticket's content is not changed",
    # billing: ケアプランデータ連携 (exchange)
    "billing:ticket_exchange": _READ,
    "billing:ticket_exchange_download": _READ + " (builds the exchange CSV)",
    "billing:exchange_month": _READ,
    "billing:exchange_month_download": _READ + " (builds the exchange CSV)",
    # billing: 交付・同意 and sends
    "billing:tickets_unsent": "lists, and creates 提供票 sends (one per version × provider, a "
    "unique constraint); a send for a superseded version is refused",
    "billing:ticket_delivery": _READ,
    "billing:ticket_delivery_panel": _READ + " (the editor's 交付 panel)",
    "billing:ticket_deliver": _CREATE + " (the next TicketVersion); checked against the "
    "ticket's version (tests/billing/test_ticket_delivery*.py: stale → refused)",
    "billing:ticket_copies": "each copy's 送付日 is saved only if it still holds the value the "
    "page was loaded with (compare and set; tests/billing/test_ticket_delivery*.py)",
    "billing:ticket_sends": _CREATE + " (one send per version × provider, a unique constraint)",
    # billing: print the whole month
    "billing:print_runs": _CREATE + " (a run; a second active run of the scope is refused "
    "by a partial unique index)",
    "billing:print_run": _READ + " (the poll may move rendering → merging: a conditional UPDATE)",
    "billing:print_run_download": _READ,
    "billing:print_run_retry": "conditional status moves only (failed jobs → queued, run → "
    "queued); idempotent, no field values are overwritten",
    # billing: the ticket editor; every write below is checked against the ticket's version
    # (billing.tickets.services → StaleEditError; tests/billing/test_editor_actions.py)
    "billing:tickets": _READ,
    "billing:client_tickets": _READ,
    "billing:ticket": _READ,
    "billing:tickets_generate": _CREATE + " (only clients with no ticket for the month)",
    "billing:ticket_client_month": _CREATE + " (only when the client-month has no ticket)",
    "billing:ticket_row_add": _CREATE + "; checked against the ticket's version",
    "billing:ticket_toggle": "one day on/off, checked against the ticket's version",
    "billing:ticket_row_delete": "deletes a row under the ticket's version check",
    "billing:ticket_row_copy": "adds weekday dates under the ticket's version check",
    "billing:ticket_allocation": "checked against the ticket's version (stale → message)",
    "billing:ticket_regenerate": "checked against the ticket's version; keeps hand edits",
    # billing: 居宅介護支援費 (officeclaim; tests/billing/test_office_claim_views.py)
    "billing:office_claim": _READ,
    "billing:office_claim_meisai": _READ,
    "billing:office_claim_evidence": _CREATE + " (one per client × month × kind, a unique "
    "constraint), or deletes one row",
    "billing:office_claim_fte": "checked against the values the form showed (no version column "
    "on 常勤換算): a stale form gets 409 and writes nothing "
    "(test_fte_save_bad_input_and_stale_form)",
    "billing:office_claim_close": _CREATE + " (one per office × month, a unique constraint: a "
    "second close is told and writes nothing; tests/billing/test_office_claim_close.py)",
    "billing:office_claim_reopen": "deletes the mark the page showed (its id in the form); "
    "already undone → 409, nothing deleted",
    "billing:office_claim_kagos": _READ,
    "billing:office_claim_kago_meisai": _READ,
    "billing:office_claim_kago_print": "queues print jobs (content-hash cache), no shared row",
    "billing:office_claim_kago_new": _CREATE + " (one open 過誤 per client × month, a partial "
    "unique constraint)",
    "billing:office_claim_kago_move": "a checked state move under OfficeClaimKago.version "
    "(stale → 409, nothing written: tests/billing/test_office_claim_kago.py)",
    "billing:office_claim_settings": "checked against OfficeClaimSettings.version (stale → 409, "
    "nothing written: test_settings_saved_by_the_manager_under_the_version); the walk's LOCKED "
    "check needs a care-manager-owned text field, which 体制 has not",
    # billing: 実績 intake and reconciliation (billing.actuals.services; stale → refused,
    # tests/billing/test_actuals_views.py)
    "billing:actuals_board": _READ + " (creates the missing 未受領 rows, unique per provider)",
    "billing:actuals_import": _CREATE + " (an ActualsImport); applied whole under row locks, "
    "refused for a 確定 provider or a claimed month",
    "billing:ticket_actuals": _READ,
    "billing:ticket_actuals_copy": "予定 → 実績 under the ticket's version check",
    "billing:ticket_actuals_receive": "a status move under the ticket's version check",
    "billing:ticket_actuals_reason": "checked against ProviderActuals.version (stale → refused)",
    "billing:ticket_actuals_confirm": "checked against ProviderActuals.version and the "
    "ticket's version; refused while 実績 ≠ 予定 without a reason",
    "billing:ticket_actuals_unconfirm": "checked against ProviderActuals.version",
    # billing: 給付管理 (tests/billing/test_benefit*.py)
    "billing:benefit_index": _READ,
    "billing:benefit_progress": _READ,
    "billing:benefit_download": _READ,
    "billing:benefit_batch": _CREATE + " (a BatchRun; a second running one of the office-month "
    "is refused by a partial unique index). The batch rebuilds only draft 給付管理票 (one per "
    "ticket, a partial unique index) from the ticket's current state; submitted ones are never "
    "overwritten",
    # billing: 返戻・保留 (returns; tests/billing/test_returns*.py)
    "billing:returns_index": _READ,
    "billing:returns_submit": "refused unless the month's drafts still give the file's bytes "
    "(sha256); idempotent on an already submitted file",
    "billing:returns_result": "checked against the sheet's loaded status (expected_status, "
    "stale → refused) under select_for_update",
    "billing:returns_import": "validated whole, applied whole under row locks; only 提出済 "
    "sheets move",
    "billing:returns_correction": "under the sheet's and ticket's row locks; one draft per "
    "ticket (partial unique index)",
}


# The monitoring app keeps its entries per area (tests/monitoring/routes/).
EXEMPT.update(monitoring_routes.merged("LOCK_EXEMPT"))
LOCKED.update(monitoring_routes.locked(globals()))


def test_every_route_is_classified() -> None:
    names = _route_names()
    unclassified = names - set(LOCKED) - set(EXEMPT)
    assert not unclassified, (
        f"add these routes to LOCKED or EXEMPT in tests/test_route_locking.py: "
        f"{sorted(unclassified)}"
    )
    assert not set(LOCKED) & set(EXEMPT)
    assert set(LOCKED) | set(EXEMPT) <= names, sorted((set(LOCKED) | set(EXEMPT)) - names)


class _FormReader(HTMLParser):
    """The fields each POST form on a page would submit, as the browser would."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str | None, value: str) -> None:
        if name and self.forms:
            self.forms[-1].setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    value = a.get("value")
                    self._add(a.get("name"), "on" if value is None else value)
                return
            self._add(a.get("name"), a.get("value") or "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value") or "")  # every option here has a value
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self._add(self._textarea, text[1:] if text.startswith("\n") else text)
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)


def _loaded_form(html: str, field: str) -> dict[str, list[str]]:
    reader = _FormReader()
    reader.feed(html)
    forms = [f for f in reader.forms if field in f and "csrfmiddlewaretoken" in f]
    assert forms, f"no form with {field!r} on the page"
    return forms[0]


def _errors(html: str) -> list[str]:
    return re.findall(r'class="(?:field|form)-error"[^>]*>(.*?)<', html, re.S)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(LOCKED))
def test_stale_form_does_not_overwrite_a_newer_save(world, login, name) -> None:  # noqa: ANN001
    route = LOCKED[name]
    kwargs = route.kwargs(world)
    url = reverse(name, kwargs=kwargs)
    model = apps.get_model(route.model)
    pk = kwargs[route.pk_key]

    first, second = login(world.care_manager), login(world.manager)
    page = first.get(url)
    assert page.status_code == 200
    loaded = _loaded_form(page.content.decode(), route.field)
    stale_page = second.get(url)  # the other person opened the same form at the same time
    stale = _loaded_form(stale_page.content.decode(), route.field)

    saved = first.post(url, {**loaded, route.field: route.first})
    assert saved.status_code == 302, _errors(saved.content.decode())
    assert getattr(model.objects.get(pk=pk), route.field) == route.first
    row_before = model.objects.filter(pk=pk).values().get()

    refused = second.post(url, {**stale, route.field: route.stale})
    assert refused.status_code in (200, 409)
    assert any(word in refused.content.decode() for word in CONFLICT_WORDS)
    assert model.objects.filter(pk=pk).values().get() == row_before
    # Nothing typed is lost: the stale writer's value is still in the form.
    assert route.stale in refused.content.decode()
