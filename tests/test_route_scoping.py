"""Every route refuses the wrong user (QUALITY §4 test 1).

Walks the whole URLconf. Each named route must appear in ROUTES (object-scoped routes with a
builder that makes an object owned by the world's care manager) or in PUBLIC/STAFF_ONLY.
A new route that is not listed here fails `test_every_route_is_covered`, so nobody can add a
page without proving its scoping. For each object route:

- the owning care manager gets a non-404 answer;
- a colleague in the same office (not 代理), and a manager of another office, get 404 —
  also with `HX-Request: true`, since htmx partials are where scoping usually leaks;
- an anonymous visitor is sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import World

PUBLIC = {"login", "health"}
# Routes with no object in the URL; they still require login and scope their content.
STAFF_ONLY = {"logout", "switch_office", "dashboard", "clients:index"}


@dataclass(frozen=True)
class Route:
    """How to reach one object-scoped route: build kwargs for an object the care manager owns."""

    kwargs: Callable[[World], dict[str, Any]]
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)


def _own_client(world: World) -> dict[str, Any]:
    from tests.factories import ClientFactory

    return {"pk": ClientFactory(office=world.office, care_manager=world.care_manager).pk}


def _own_print_job(world: World, status: str = "done") -> dict[str, Any]:
    """A print job for the care manager's client. The caseload check is the one the clients
    app registers (caremgmt.printing.registry); registering it again is a no-op. The file is
    not written: the owner's download then answers 410 (row visible, file gone), not 404."""
    from caremgmt.models import PrintJob
    from caremgmt.printing.registry import model_client_check, register_client_check

    register_client_check(model_client_check("clients.Client"))
    client_id = _own_client(world)["pk"]
    job = PrintJob.objects.create(
        office=world.office,
        client_id=client_id,
        kind="careplan_table1",
        subject_id=client_id,
        content_hash=f"{client_id:064d}",
        filename="plan.pdf",
        html="<p>x</p>",
        status=status,
        file="print/route-scoping-missing.pdf" if status == "done" else "",
        requested_by=world.care_manager,
    )
    return {"pk": job.pk}


def _own_form_draft(world: World) -> dict[str, Any]:
    """A draft belongs to one staff member: only its owner may discard it."""
    from caremgmt.models import FormDraft

    draft = FormDraft.objects.create(
        staff=world.care_manager, path="/careplans/plans/1/edit/", data={"overall_policy": ["x"]}
    )
    return {"pk": draft.pk}


# The session keep-alive (POST, 204) has no object; anonymous callers go to the login page.
STAFF_ONLY |= {"session_keepalive"}

ROUTES: dict[str, Route] = {
    "form_draft_discard": Route(_own_form_draft, method="post"),
    "clients:detail": Route(_own_client),
    "printing:status": Route(_own_print_job),
    "printing:download": Route(_own_print_job),
    "printing:retry": Route(lambda world: _own_print_job(world, "failed"), method="post"),
}


# --- careplans (the care plan engineer's routes) ----------------------------------------
STAFF_ONLY |= {"careplans:index"}


def _own_plan(world: World) -> Any:
    from tests.factories import CarePlanFactory, ClientFactory

    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    return CarePlanFactory(client=client)


def _own_plan_kwargs(world: World) -> dict[str, Any]:
    return {"pk": _own_plan(world).pk}


def _own_client_kwargs(world: World) -> dict[str, Any]:
    return {"client_pk": _own_client(world)["pk"]}


def _own_assessment(world: World) -> dict[str, Any]:
    from tests.factories import AssessmentFactory, ClientFactory

    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    return {"pk": AssessmentFactory(client=client).pk}


def _own_need(world: World) -> Any:
    from tests.factories import NeedFactory

    return NeedFactory(plan=_own_plan(world))


def _own_goal(world: World) -> Any:
    from tests.factories import GoalFactory

    return GoalFactory(need=_own_need(world))


def _own_item(world: World) -> dict[str, Any]:
    import datetime as dt

    from careplans.models import SupportItem

    goal = _own_goal(world)
    item = SupportItem.objects.create(
        goal=goal,
        order=1,
        content="見守り",
        insured=False,
        service_kind_text="家族",
        frequency="毎日",
        period_from=dt.date(2026, 4, 10),
    )
    return {"goal_pk": goal.pk, "item_pk": item.pk}


def _own_weekly(world: World) -> dict[str, Any]:
    import datetime as dt

    from careplans.models import WeeklyService

    plan = _own_plan(world)
    weekly = WeeklyService.objects.create(
        plan=plan,
        weekdays=[1],
        starts_at=dt.time(10),
        ends_at=dt.time(11),
        content="家族の訪問",
        insured=False,
    )
    return {"pk": plan.pk, "weekly_pk": weekly.pk}


def _own_activity(world: World) -> dict[str, Any]:
    import datetime as dt

    from careplans.models import DailyActivity

    plan = _own_plan(world)
    activity = DailyActivity.objects.create(plan=plan, starts_at=dt.time(7), activity="起床")
    return {"pk": plan.pk, "activity_pk": activity.pk}


def _own_need_row(world: World) -> dict[str, Any]:
    need = _own_need(world)
    return {"pk": need.plan_id, "kind": "need", "row_pk": need.pk}


def _own_meeting(world: World) -> dict[str, Any]:
    from tests.factories import MeetingFactory

    return {"pk": MeetingFactory(plan=_own_plan(world)).pk}


def _own_confirmed_plan(world: World) -> dict[str, Any]:
    import datetime as dt

    plan = _own_plan(world)
    plan.status = "confirmed"
    plan.consented_on = plan.delivered_on = dt.date(2026, 4, 8)
    plan.save()
    return {"pk": plan.pk}


ROUTES.update(
    {
        "careplans:client": Route(_own_client_kwargs),
        "careplans:assessment_new": Route(_own_client_kwargs),
        "careplans:plan_new": Route(_own_client_kwargs),
        "careplans:assessment": Route(_own_assessment),
        "careplans:plan": Route(_own_plan_kwargs),
        "careplans:plan_edit": Route(_own_plan_kwargs),
        "careplans:need_add": Route(_own_plan_kwargs),
        "careplans:need_edit": Route(
            lambda w: {"pk": (n := _own_need(w)).plan_id, "need_pk": n.pk}
        ),
        "careplans:goal_add": Route(lambda w: {"need_pk": _own_need(w).pk}),
        "careplans:goal_edit": Route(
            lambda w: {"need_pk": (g := _own_goal(w)).need_id, "goal_pk": g.pk}
        ),
        "careplans:item_add": Route(lambda w: {"goal_pk": _own_goal(w).pk}),
        "careplans:item_edit": Route(_own_item),
        "careplans:item_providers": Route(_own_plan_kwargs),  # htmx 事業所 select fragment
        "careplans:weekly_add": Route(_own_plan_kwargs),
        "careplans:weekly_edit": Route(_own_weekly),
        "careplans:activity_add": Route(_own_plan_kwargs),
        "careplans:activity_edit": Route(_own_activity),
        "careplans:row_delete": Route(_own_need_row, method="post", data={"plan_version": "1"}),
        "careplans:meeting_new": Route(lambda w: {"plan_pk": _own_plan(w).pk}),
        "careplans:meeting": Route(_own_meeting),
        "careplans:no_meeting": Route(_own_plan_kwargs),
        "careplans:confirm": Route(_own_plan_kwargs),
        "careplans:revise": Route(_own_confirmed_plan),
        "careplans:minor_change": Route(_own_confirmed_plan),
        "careplans:print": Route(lambda w: {**_own_plan_kwargs(w), "table": "1"}, method="post"),
        # ケアプランデータ連携: GET shows the provider choice / upload form (POST does the work).
        "careplans:export": Route(_own_plan_kwargs),
        "careplans:import": Route(_own_client_kwargs),
    }
)


# --- billing routes: tests/route_scoping_billing.py ----------------------------------
from tests import route_scoping_billing  # noqa: E402

_billing = route_scoping_billing.register(globals())
_own_ticket = _billing["_own_ticket"]
_own_monthly = _billing["_own_monthly"]


# --- monitoring routes: tests/monitoring/routes/ (one module per area) ------------------
from tests.monitoring import routes as monitoring_routes  # noqa: E402

monitoring_routes.register_scoping(globals())


# --- 閲覧記録の確認 (access-log review): 管理者 and 監査 of the office only ----------------
# No object in the URL: the client or staff member is a query parameter. Every other role
# of the office gets 403; a manager of another office gets 404 for this office's client or
# staff member; anonymous visitors go to the login page.
AUDIT_ROUTES: dict[str, str] = {
    "audit:client_log": "client",
    "audit:client_log_csv": "client",
    "audit:staff_log": "staff",
    "audit:staff_log_csv": "staff",
}
STAFF_ONLY |= set(AUDIT_ROUTES)


def _audit_query(world: World, subject: str) -> dict[str, Any]:
    from tests.factories import ClientFactory

    if subject == "client":
        pk = ClientFactory(office=world.office, care_manager=world.care_manager).pk
    else:
        pk = world.care_manager.pk
    return {subject: str(pk), "since": "2026-04-01", "until": "2026-04-30"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(AUDIT_ROUTES))
def test_audit_route_is_for_manager_and_auditor_only(world, login, client, name) -> None:  # noqa: ANN001
    url = reverse(name)
    query = _audit_query(world, AUDIT_ROUTES[name])
    anonymous = client.get(url, query)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    for role in ("care_manager", "colleague", "chief", "clerk"):
        assert login(getattr(world, role)).get(url, query).status_code == 403, role
        assert (
            login(getattr(world, role)).get(url, query, HTTP_HX_REQUEST="true").status_code == 403
        )
    assert login(world.outsider).get(url, query).status_code == 404
    for role in ("manager", "auditor"):
        assert login(getattr(world, role)).get(url, query).status_code == 200, role


# --- billing: ticket PDFs (the print engineer's routes) ---------------------------------
def _print_ticket(world: World) -> Any:
    import datetime as dt

    from billing.tickets.generate import generate_ticket
    from tests.billing.ticket_world import make_ticket_world

    tw = make_ticket_world(world.office, world.care_manager)
    ticket, _ = generate_ticket(client=tw.client, month=dt.date(2026, 12, 1))
    return ticket


def _own_ticket_print(world: World) -> dict[str, Any]:
    return {"pk": _print_ticket(world).pk, "document": "client"}


def _own_ticket_provider_print(world: World) -> dict[str, Any]:
    ticket = _print_ticket(world)
    return {"pk": ticket.pk, "document": "provider", "provider_id": ticket.rows.first().provider_id}


def _own_ticket_version(world: World) -> Any:
    import datetime as dt

    from billing.models import TicketVersion
    from billing.tickets.snapshot import snapshot_hash, ticket_snapshot

    ticket = _print_ticket(world)
    snapshot = ticket_snapshot(ticket, created_on=dt.date(2026, 11, 25), version_number=1)
    return TicketVersion.objects.create(
        ticket=ticket,
        number=1,
        created_on=dt.date(2026, 11, 25),
        received_by="本人",
        consent_method="signature",
        snapshot=snapshot,
        content_hash=snapshot_hash(snapshot),
        created_by=world.care_manager,
    )


def _own_version_provider_print(world: World) -> dict[str, Any]:
    version = _own_ticket_version(world)
    provider_id = version.snapshot["rows"][0]["provider_id"]
    return {"pk": version.pk, "document": "provider", "provider_id": provider_id}


ROUTES.update(
    {
        "billing:ticket_print": Route(_own_ticket_print, method="post"),
        "billing:ticket_print_provider": Route(_own_ticket_provider_print, method="post"),
        "billing:version_print": Route(
            lambda w: {"pk": _own_ticket_version(w).pk, "document": "copy"}, method="post"
        ),
        "billing:version_print_provider": Route(_own_version_provider_print, method="post"),
    }
)


# --- billing: 実績 intake and reconciliation (the actuals engineer's routes) ----------------
# The board lists the caller's caseload (office for 管理者・事務・監査) and the import writes
# only the caller's office (tests/billing/test_actuals_views.py proves both).
STAFF_ONLY |= {"billing:actuals_board", "billing:actuals_import"}


def _actuals_provider(world: World) -> dict[str, Any]:
    ticket_pk = _own_ticket(world)["pk"]
    from billing.models import TicketRow

    provider_pk = TicketRow.objects.filter(ticket_id=ticket_pk).values_list(
        "provider_id", flat=True
    )[0]
    return {"pk": ticket_pk, "provider_pk": provider_pk}


ROUTES.update(
    {
        "billing:ticket_actuals": Route(_own_ticket),
        "billing:ticket_actuals_copy": Route(_own_ticket, method="post"),
        "billing:ticket_actuals_receive": Route(_actuals_provider, method="post"),
        "billing:ticket_actuals_reason": Route(_actuals_provider, method="post"),
        "billing:ticket_actuals_confirm": Route(_actuals_provider, method="post"),
        "billing:ticket_actuals_unconfirm": Route(_actuals_provider, method="post"),
    }
)


def _route_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _route_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def _covered_by_app_matrices() -> set[str]:
    """Routes whose scoping matrix lives in an app's own test module (same three actors)."""
    from tests.caremgmt.test_staff_routes import MEMBER_ROUTES
    from tests.clients import test_scoping as clients_scoping

    return (
        set(MEMBER_ROUTES)
        | set(clients_scoping.CLIENT_ROUTES)
        | set(clients_scoping.DIRECTORY_ROUTES)
        | set(clients_scoping.LIST_ROUTES)
    )


# --- two-factor login (mfa): the user's own devices, and the manager's office settings ----
# No object in the URL: enrolment pages act on the logged-in user's own devices (removing
# someone else's device is 404, tests/caremgmt/test_mfa.py); the office settings and the
# device reset act on the manager's current office (staff id in the POST body; other roles
# 403, another office's staff 404, tests/caremgmt/test_mfa_office.py). The passkey API
# (django-otp-webauthn) works on the logged-in user only.
STAFF_ONLY |= {
    "mfa_verify",
    "mfa_setup",
    "mfa_totp",
    "mfa_recovery",
    "mfa_recovery_download",
    "mfa_remove",
    "office_security",
    "mfa_reset",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}
# 職員管理: the own password, and the manager's list / add / shown-once password (no object
# in the URL; other roles 403). The per-member routes: tests/caremgmt/test_staff_routes.py.
STAFF_ONLY |= {"password_change", "staff_list", "staff_add", "staff_issued_password"}


def test_every_route_is_covered() -> None:
    uncovered = _route_names() - PUBLIC - STAFF_ONLY - set(ROUTES) - _covered_by_app_matrices()
    assert not uncovered, f"add these routes to tests/test_route_scoping.py: {sorted(uncovered)}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(STAFF_ONLY - {"logout", "switch_office"}))
def test_staff_only_routes_require_login(client, name) -> None:  # noqa: ANN001
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_object_route_refuses_the_wrong_user(world, login, client, name) -> None:  # noqa: ANN001
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))

    def call(http, **headers):  # noqa: ANN001, ANN003, ANN202
        return getattr(http, route.method)(url, route.data, headers=headers)

    anonymous = call(client)
    assert anonymous.status_code in (302, 204)
    assert "/login/" in (anonymous.get("Location") or anonymous.get("HX-Redirect") or "")
    for stranger in (world.colleague, world.outsider):
        assert call(login(stranger)).status_code == 404, stranger
        assert call(login(stranger), **{"HX-Request": "true"}).status_code == 404, stranger
    assert call(login(world.care_manager)).status_code != 404


# --- careplans writes: 事務 and 監査 are refused (403), nothing changes -----------------
# Plan content is written by 介護支援専門員 / 主任介護支援専門員 / 管理者 only
# (caremgmt.access.require_plan_writer). Every POST below is refused for the clerk and the
# auditor with nothing written, and every write-form page refuses them on GET too; the
# pages that only show a plan stay open to them.


PLAN_WRITE_POSTS: dict[str, Route] = {
    "careplans:assessment_new": Route(
        _own_client_kwargs, "post", {"assessed_on": "2026-04-03", "reason": "initial"}
    ),
    "careplans:assessment": Route(_own_assessment, "post", {"place": "自宅"}),
    "careplans:plan_new": Route(
        _own_client_kwargs,
        "post",
        {"drafted_on": "2026-04-05", "starts_on": "2026-04-10", "plan_kind": "11"},
    ),
    "careplans:plan_edit": Route(_own_plan_kwargs, "post", {"version": "1"}),
    "careplans:need_add": Route(
        _own_plan_kwargs, "post", {"plan_version": "1", "order": "1", "text": "入浴したい"}
    ),
    "careplans:need_edit": Route(
        lambda w: {"pk": (n := _own_need(w)).plan_id, "need_pk": n.pk},
        "post",
        {"plan_version": "1", "order": "1", "text": "書き換え"},
    ),
    "careplans:goal_add": Route(
        lambda w: {"need_pk": _own_need(w).pk}, "post", {"plan_version": "1"}
    ),
    "careplans:goal_edit": Route(
        lambda w: {"need_pk": (g := _own_goal(w)).need_id, "goal_pk": g.pk},
        "post",
        {"plan_version": "1"},
    ),
    "careplans:item_add": Route(
        lambda w: {"goal_pk": _own_goal(w).pk}, "post", {"plan_version": "1"}
    ),
    "careplans:item_edit": Route(_own_item, "post", {"plan_version": "1"}),
    "careplans:weekly_add": Route(_own_plan_kwargs, "post", {"plan_version": "1"}),
    "careplans:weekly_edit": Route(_own_weekly, "post", {"plan_version": "1"}),
    "careplans:activity_add": Route(
        _own_plan_kwargs, "post", {"plan_version": "1", "starts_at": "07:00", "activity": "起床"}
    ),
    "careplans:activity_edit": Route(_own_activity, "post", {"plan_version": "1"}),
    "careplans:row_delete": Route(_own_need_row, "post", {"plan_version": "1"}),
    "careplans:meeting_new": Route(lambda w: {"plan_pk": _own_plan(w).pk}, "post"),
    "careplans:meeting": Route(_own_meeting, "post"),
    "careplans:no_meeting": Route(
        _own_plan_kwargs, "post", {"reason": "入院中", "recorded_on": "2026-04-07"}
    ),
    "careplans:confirm": Route(_own_plan_kwargs, "post"),
    "careplans:revise": Route(_own_confirmed_plan, "post"),
    "careplans:minor_change": Route(
        _own_confirmed_plan, "post", {"changed_on": "2026-04-20", "content": "x", "reason": "y"}
    ),
    "careplans:import": Route(_own_client_kwargs, "post"),
    "careplans:monthly_add": Route(
        lambda w: {**_own_plan_kwargs(w), "kind": "rental"}, "post", {"plan_version": "1"}
    ),
    "careplans:monthly_edit": Route(_own_monthly, "post", {"plan_version": "1"}),
    "careplans:monthly_delete": Route(_own_monthly, "post", {"plan_version": "1"}),
}
# Write-form pages (GET); the meeting page of a recorded meeting is a read page.
PLAN_WRITE_FORMS = sorted(set(PLAN_WRITE_POSTS) - {"careplans:assessment", "careplans:meeting"})
# GET fragments that only serve a write form (refused like the form itself).
PLAN_WRITE_FRAGMENTS: dict[str, Route] = {
    "careplans:item_providers": Route(_own_plan_kwargs),
}
PLAN_READ_PAGES: dict[str, Route] = {
    "careplans:client": Route(_own_client_kwargs),
    "careplans:plan": Route(_own_plan_kwargs),
    "careplans:assessment": Route(_own_assessment),
    "careplans:meeting": Route(_own_meeting),
    "careplans:export": Route(_own_plan_kwargs),
}


def _careplans_snapshot() -> dict[str, int]:
    """Row counts of every careplans table, change-history events included: any write
    (insert, update or delete) adds an event row, so equal snapshots mean nothing changed."""
    from django.apps import apps

    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_app_config("careplans").get_models()
    }


def test_plan_write_matrix_lists_every_careplans_write_route() -> None:
    names = {name for name in _route_names() if name.startswith("careplans:")}
    read_only = {"careplans:index", "careplans:print", *PLAN_READ_PAGES, *PLAN_WRITE_FRAGMENTS}
    assert names - read_only <= set(PLAN_WRITE_POSTS), sorted(names - read_only)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["clerk", "auditor"])
@pytest.mark.parametrize("name", sorted(PLAN_WRITE_POSTS))
def test_plan_write_post_refuses_clerk_and_auditor(world, login, name, role) -> None:  # noqa: ANN001
    route = PLAN_WRITE_POSTS[name]
    url = reverse(name, kwargs=route.kwargs(world))
    before = _careplans_snapshot()
    response = login(getattr(world, role)).post(url, route.data)
    assert response.status_code == 403
    assert _careplans_snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["clerk", "auditor"])
@pytest.mark.parametrize("name", PLAN_WRITE_FORMS)
def test_plan_write_form_refuses_clerk_and_auditor(world, login, name, role) -> None:  # noqa: ANN001
    route = PLAN_WRITE_POSTS[name]
    url = reverse(name, kwargs=route.kwargs(world))
    assert login(getattr(world, role)).get(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["clerk", "auditor"])
@pytest.mark.parametrize("name", sorted(PLAN_WRITE_FRAGMENTS))
def test_plan_write_fragment_refuses_clerk_and_auditor(world, login, name, role) -> None:  # noqa: ANN001
    route = PLAN_WRITE_FRAGMENTS[name]
    url = reverse(name, kwargs=route.kwargs(world))
    assert login(getattr(world, role)).get(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["clerk", "auditor"])
@pytest.mark.parametrize("name", sorted(PLAN_READ_PAGES))
def test_plan_pages_stay_readable_for_clerk_and_auditor(world, login, name, role) -> None:  # noqa: ANN001
    route = PLAN_READ_PAGES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    assert login(getattr(world, role)).get(url).status_code == 200
