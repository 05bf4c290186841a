"""Every page that shows a client's data writes an access-log row (閲覧記録, QUALITY §17).

Walks the whole URLconf with the route tables of tests/test_route_scoping.py and
tests/clients/test_scoping.py (their kwargs builders make an object of a new client owned by
the world's care manager). Every named route is in exactly one of:

- CLIENT_PAGES: a GET as the owning care manager answers 200 and adds an AccessLog row for
  that client (the newest client the builder made);
- SEARCH_PAGES: lists and searches; a GET adds a SEARCH row with the query's sha256 hash
  and no client id, and the query text appears nowhere in the row;
- EXEMPT: with the reason the route shows no client data (or is not a GET page).

A new route that is in none of them fails `test_every_route_is_classified`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from caremgmt.models import AccessLog
from caremgmt.models.audit import AccessAction
from clients.models import Client
from tests.clients import test_scoping as clients_scoping
from tests.conftest import World
from tests.monitoring import routes as monitoring_routes
from tests.test_route_scoping import ROUTES, _route_names

Builder = Callable[[World], dict[str, Any]]

# Routes that only take a POST (or answer a GET without any page): not walked here.
_REVIEW = (
    "access-log review; every view and export is itself logged as access_log_client / "
    "access_log_staff (tests/caremgmt/test_access_log_review.py)"
)
EXEMPT: dict[str, str] = {
    "audit:client_log": _REVIEW,
    "audit:client_log_csv": _REVIEW,
    "audit:staff_log": _REVIEW,
    "audit:staff_log_csv": _REVIEW,
    # two-factor login (mfa): no client data on any of these
    "mfa_verify": "second login step, no client data",
    "mfa_setup": "the user's own devices, no client data",
    "mfa_totp": "enrolment of the user's own authenticator app",
    "mfa_recovery": "the user's own recovery codes",
    "mfa_recovery_download": "the user's own recovery codes as text",
    "mfa_remove": "POST removing the user's own device, redirects",
    "office_security": "office settings and staff list, no client data",
    "mfa_reset": "POST resetting a staff member's devices; logged as mfa_reset",
    # 職員管理: no client data (the list shows counts only)
    "password_change": "the user's own password; the change is logged as password_change",
    "staff_list": "staff of the office with a count of clients, no client data",
    "staff_add": "adds a staff member, no client data",
    "staff_issued_password": "the temporary password shown once, no client data",
    "staff_edit": "a staff member's name and roles, no client data",
    "staff_retire": "POST retiring a staff member, redirects",
    "staff_password_reset": "POST issuing a temporary password; logged as password_reset",
    "otp_webauthn:credential-registration-begin": "passkey API (JSON), no client data",
    "otp_webauthn:credential-registration-complete": "passkey API (JSON), no client data",
    "otp_webauthn:credential-authentication-begin": "passkey API (JSON), no client data",
    "otp_webauthn:credential-authentication-complete": "passkey API (JSON), no client data",
    "otp_webauthn:js-i18n-catalog": "JavaScript translations",
    "login": "public login form, no client data",
    "logout": "logs out and redirects",
    "health": "health check, no data",
    "switch_office": "POST that switches the acting office and redirects",
    "session_keepalive": "POST answering 204, no body",
    "form_draft_discard": "POST that deletes the caller's own draft, redirects",
    "printing:retry": "POST; its htmx answer is the status fragment, logged like printing:status",
    "printing:download": "PDF download, logged as PRINT "
    "(tests/caremgmt/test_printing.py::test_download_serves_the_pdf_and_writes_an_access_log_row); "
    "the route table's job has no file, so the walk would get 410",
    "careplans:row_delete": "POST that deletes a row and redirects",
    "careplans:print": "POST that queues a print job and redirects to printing:status",
    "billing:ticket_print": "POST that queues a print job and redirects to printing:status",
    "billing:ticket_print_provider": "POST that queues a print job (提供票), redirects",
    "billing:version_print": "POST that queues a print job of a frozen version, redirects",
    "billing:version_print_provider": "POST that queues a print job of a frozen version",
    "clients:contact_delete": "POST that deletes a contact and redirects",
    "careplans:item_providers": "htmx fragment: the office's 事業所 <select> options only",
    "clients:intake": "empty intake form; a duplicate found on POST is logged by the view",
    "clients:providers": "office directory (事業所), no client data",
    "clients:provider_add": "office directory form, no client data",
    "clients:provider_edit": "office directory form, no client data",
    "clients:provider_regional_grades": "office directory (地域区分), no client data",
    "clients:doctors": "office directory (主治医), no client data",
    "clients:doctor_add": "office directory form, no client data",
    "clients:doctor_edit": "office directory form, no client data",
    "clients:resources": "office directory (インフォーマル資源), no client data",
    "clients:resource_add": "office directory form, no client data",
    "clients:resource_edit": "office directory form, no client data",
    # billing: plan checks (billing:ticket_checks is a client page, logged by the view)
    "billing:ticket_check_ack": "POST that records an acknowledgement; answers the panel",
    "billing:presubmission_ack": "POST that records an acknowledgement and redirects to the "
    "check page (which logs)",
    "careplans:monthly_delete": "GET confirmation logs care_plan:edit like row_delete; "
    "the walk's builder posts (tests/careplans/test_monthly_services.py checks the GET log)",
    "billing:ticket_exchange_download": "ZIP download, logged as EXPORT "
    "(tests/billing/test_ticket_exchange_views.py)",
    "billing:exchange_month_download": "ZIP download, one EXPORT row per client in it "
    "(tests/billing/test_ticket_exchange_views.py)",
    "billing:ticket_copies": "POST; a rejected save re-renders billing:ticket_delivery, which "
    "logs (tests/billing/test_ticket_delivery_views.py)",
    "billing:ticket_sends": "POST; a rejected save re-renders billing:ticket_delivery, which "
    "logs (tests/billing/test_ticket_delivery_views.py)",
    # billing: print the whole month (tests/billing/test_print_run.py)
    "billing:print_runs": "start form and the run list: months, counts and staff names only",
    "billing:print_run_download": "merged PDF download, logged as PRINT for every client in it "
    "(test_print_run.py::test_office_run_makes_one_pdf_per_care_manager_and_download_is_stored_once)"
    "; the route table's merge has no file, so the walk would get 410",
    "billing:print_run_retry": "POST that re-queues the run and redirects to billing:print_run",
    # billing: the ticket editor's POSTs (their re-rendered pages log as billing:ticket)
    "billing:tickets_generate": "POST that creates the month's tickets and redirects",
    "billing:ticket_toggle": "POST; its htmx answer (row + limit panel) is logged as ticket:ticket",
    "billing:ticket_allocation": "POST; its htmx answer (limit panel) is logged as ticket:ticket",
    "billing:ticket_regenerate": "POST that refreshes the rows from the plan and redirects",
    # billing: 居宅介護支援費 (officeclaim); the month page is a SEARCH page below
    "billing:office_claim_evidence": "POST that records 加算 evidence and redirects; a rejected "
    "one re-renders billing:office_claim, which logs (tests/billing/test_office_claim_views.py)",
    "billing:office_claim_fte": "POST that saves 常勤換算 and redirects; a rejected one "
    "re-renders billing:office_claim, which logs",
    "billing:office_claim_settings": "the office's 体制 settings (管理者), no client data",
    "billing:office_claim_close": "POST that marks the month 送信済み and redirects; a refused "
    "one re-renders billing:office_claim, which logs (tests/billing/test_office_claim_close.py)",
    "billing:office_claim_reopen": "POST that undoes 送信済み (管理者) and redirects; a refused "
    "one re-renders billing:office_claim, which logs",
    "billing:office_claim_meisai": "請求書・明細書 file download, one EXPORT row per client in it; "
    "a refused one re-renders billing:office_claim, which logs "
    "(tests/billing/test_office_claim_meisai.py)",
    "billing:office_claim_kagos": "事務・管理者・監査 only (care managers 404); logged as one "
    "SEARCH row (tests/billing/test_office_claim_kago_views.py)",
    "billing:office_claim_kago_new": "POST that creates a 過誤 and redirects; a rejected one "
    "re-renders billing:office_claim, which logs",
    "billing:office_claim_kago_move": "POST that moves a 過誤 and redirects; a rejected one "
    "re-renders billing:office_claim, which logs",
    "billing:office_claim_kago_print": "POST that queues 過誤申立書 PDFs, one PRINT row per "
    "client (tests/billing/test_office_claim_kago_print.py)",
    "billing:office_claim_kago_meisai": "再請求分 file download, one EXPORT row per client "
    "(tests/billing/test_office_claim_kago_print.py)",
    # billing: 実績 intake and reconciliation (billing:ticket_actuals is a client page)
    "billing:actuals_import": "POST of a 実績 file; redirects to the board (which logs)",
    "billing:ticket_actuals_copy": "POST that redirects (or re-renders the page, which logs)",
    "billing:ticket_actuals_receive": "POST that redirects (or re-renders the page, which logs)",
    "billing:ticket_actuals_reason": "POST that redirects (or re-renders the page, which logs)",
    "billing:ticket_actuals_confirm": "POST that redirects (or re-renders the page, which logs)",
    "billing:ticket_actuals_unconfirm": "POST that redirects (or re-renders the page, which logs)",
    # billing: 給付管理 (billing:benefit_index is a SEARCH page below)
    "billing:benefit_batch": "POST that starts the month batch and redirects",
    "billing:benefit_progress": "htmx fragment: the batch run's counts and checksum, no client "
    "data",
    "billing:benefit_download": "8222 file download, one EXPORT row per client in it "
    "(tests/billing/test_benefit_views.py)",
    # billing: 返戻・保留 (returns; billing:returns_index is a SEARCH page below)
    "billing:returns_submit": "POST that records 提出日 and redirects",
    "billing:returns_result": "POST that records a 審査結果 and redirects",
    "billing:returns_import": "POST of a results CSV; redirects to the returns page (which logs)",
    "billing:returns_correction": "POST that creates a correction draft and redirects",
}

# Lists and searches of clients → one SEARCH row (query hashed).
SEARCH_PAGES: dict[str, dict[str, str]] = {
    "dashboard": {},
    "clients:index": {"q": "石井", "status": "active"},
    "clients:expiring": {},
    "careplans:index": {"sort": "kana"},
    "billing:exchange_month": {"month": "2026-12", "scope": "office"},
    "billing:tickets_unsent": {"month": "2026-12"},
    "billing:presubmission": {"month": "2026-12"},
    "billing:tickets": {"month": "2026-12", "status": "missing"},
    "billing:office_claim": {"month": "2026-12"},
    "billing:actuals_board": {"month": "2026-12", "status": "pending"},
    "billing:benefit_index": {"month": "2026-12"},
    "billing:returns_index": {"month": "2026-12"},
}

# GET headers a route needs to render its client data (the tab only renders for htmx;
# without it, it redirects to the client page, which logs).
HEADERS: dict[str, dict[str, str]] = {"clients:tab": {"HX-Request": "true"}}

# The monitoring app keeps its entries per area (tests/monitoring/routes/).
EXEMPT.update(monitoring_routes.merged("ACCESS_EXEMPT"))
SEARCH_PAGES.update(monitoring_routes.merged("ACCESS_SEARCH"))
HEADERS.update(monitoring_routes.merged("ACCESS_HEADERS"))


def _client_pages() -> dict[str, Builder]:
    pages: dict[str, Builder] = {
        name: route.kwargs for name, route in ROUTES.items() if route.method == "get"
    }
    pages.update(clients_scoping.CLIENT_ROUTES)
    return {name: builder for name, builder in pages.items() if name not in EXEMPT}


CLIENT_PAGES = _client_pages()


def test_every_route_is_classified() -> None:
    names = _route_names()
    unlisted = names - set(CLIENT_PAGES) - set(SEARCH_PAGES) - set(EXEMPT)
    assert not unlisted, f"add these routes to tests/test_route_access_log.py: {sorted(unlisted)}"
    overlap = (set(CLIENT_PAGES) & set(SEARCH_PAGES)) | (set(SEARCH_PAGES) & set(EXEMPT))
    assert not overlap, sorted(overlap)
    assert not (set(EXEMPT) - names), f"stale exemptions: {sorted(set(EXEMPT) - names)}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CLIENT_PAGES))
def test_client_page_writes_an_access_row(world, login, name) -> None:  # noqa: ANN001
    kwargs = CLIENT_PAGES[name](world)
    client_id = Client.objects.order_by("-pk").values_list("pk", flat=True).first()
    before = set(AccessLog.objects.values_list("pk", flat=True))
    response = login(world.care_manager).get(
        reverse(name, kwargs=kwargs), headers=HEADERS.get(name, {})
    )
    assert response.status_code == 200
    rows = AccessLog.objects.exclude(pk__in=before)
    assert [(row.client_id, row.staff_id, row.action) for row in rows] == [
        (client_id, world.care_manager.pk, AccessAction.VIEW)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SEARCH_PAGES))
def test_list_page_writes_a_search_row_with_the_query_hash(world, login, name) -> None:  # noqa: ANN001
    query = SEARCH_PAGES[name]
    response = login(world.care_manager).get(reverse(name), query)
    assert response.status_code == 200
    row = AccessLog.objects.get()
    assert (row.action, row.client_id, row.staff_id) == (
        AccessAction.SEARCH,
        None,
        world.care_manager.pk,
    )
    assert len(row.query_hash) == 64 and int(row.query_hash, 16) >= 0
    for value in query.values():
        assert value not in row.path and value not in row.subject_type


@pytest.mark.django_db
def test_search_hash_is_of_the_query_not_its_text(world, login) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    http.get(reverse("clients:index"), {"q": "石井"})
    http.get(reverse("clients:index"), {"q": "石井"})
    http.get(reverse("clients:index"), {"q": "鈴木"})
    first, same, other = AccessLog.objects.order_by("pk")
    expected = {"cm": "", "page": "1", "q": "石井", "sort": "kana", "status": ""}
    kept = {key: value for key, value in sorted(expected.items()) if value}
    encoded = json.dumps(kept, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert first.query_hash == hashlib.sha256(encoded.encode()).hexdigest()
    assert same.query_hash == first.query_hash
    assert other.query_hash != first.query_hash


@pytest.mark.django_db
def test_request_id_is_generated_by_the_server(world, login) -> None:  # noqa: ANN001
    """A caller's X-Request-ID is kept only as client_request_id, never as the id."""
    from tests.factories import ClientFactory

    client_record = ClientFactory(office=world.office, care_manager=world.care_manager)
    supplied = str(uuid.uuid4())
    http = login(world.care_manager)
    url = reverse("clients:detail", args=[client_record.pk])
    first = http.get(url, headers={"X-Request-ID": supplied})
    second = http.get(url, headers={"X-Request-ID": supplied})
    rows = list(AccessLog.objects.order_by("pk"))
    assert [row.client_request_id for row in rows] == [supplied, supplied]
    assert str(rows[0].request_id) != supplied and str(rows[1].request_id) != supplied
    assert rows[0].request_id != rows[1].request_id
    assert [first["X-Request-ID"], second["X-Request-ID"]] == [
        str(rows[0].request_id),
        str(rows[1].request_id),
    ]


@pytest.mark.django_db
def test_client_request_id_is_printable_and_truncated(world, login) -> None:  # noqa: ANN001
    from tests.factories import ClientFactory

    client_record = ClientFactory(office=world.office, care_manager=world.care_manager)
    login(world.care_manager).get(
        reverse("clients:detail", args=[client_record.pk]),
        headers={"X-Request-ID": "ab\tc" + "x" * 200},
    )
    assert AccessLog.objects.get().client_request_id == "abc" + "x" * 61


# A POST with errors re-renders the page with the client's data: it is logged too.
REJECTED_POSTS = {
    "clients:status": clients_scoping._pk,
    "clients:edit": clients_scoping._pk,
    "careplans:assessment_new": ROUTES["careplans:assessment_new"].kwargs,
    "careplans:plan_new": ROUTES["careplans:plan_new"].kwargs,
    "careplans:plan_edit": ROUTES["careplans:plan_edit"].kwargs,
    "careplans:revise": ROUTES["careplans:revise"].kwargs,
    "careplans:minor_change": ROUTES["careplans:minor_change"].kwargs,
    "billing:ticket_deliver": ROUTES["billing:ticket_deliver"].kwargs,
}
REJECTED_POSTS.update({name: ROUTES[name].kwargs for name in monitoring_routes.rejected_posts()})


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(REJECTED_POSTS))
def test_rejected_post_that_re_renders_the_page_is_logged(world, login, name) -> None:  # noqa: ANN001
    kwargs = REJECTED_POSTS[name](world)
    client_id = Client.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = login(world.care_manager).post(reverse(name, kwargs=kwargs), {})
    assert response.status_code == 200
    assert list(AccessLog.objects.values_list("client_id", "action")) == [
        (client_id, AccessAction.VIEW)
    ]
