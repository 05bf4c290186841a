"""Mass assignment: extra fields posted to any route change nothing they should not (issue 13
item 2).

Walks every named route of the URLconf, reusing the builders of the scoping matrices
(tests/test_route_scoping.py ROUTES, tests/clients/test_scoping.py CLIENT_ROUTES /
DIRECTORY_ROUTES, the billing and monitoring route modules). For each route, one POST:

1. as the owning care manager (or, where the route is for 管理者 only, the office manager),
   GET the page and take the fields of its own POST form (the form posting back to this URL)
   as the browser would submit them (tests/test_route_locking.py's form reader); a POST-only
   route starts from the matrix's data; then the route's FILL values
   (tests/mass_assignment_fill.py), which make the POST a real save;
2. add every injected field (`_injected`) the form does not have: `office`, `care_manager`, `client`,
   `author`, `pk`, … pointing at another office's objects, `version` far off, `status`;
3. POST once and compare snapshots: the guarded columns (GUARDED) of every pre-existing row
   of the project's tables are unchanged (except columns the route's own form shows, and the
   state moves listed in STATE_MOVES), no row references the other office's objects that it
   did not before, no version became the injected one, and the other office's rows are
   untouched in every column;
4. every row the POST created or changed (in a table with an office path, `scope_office_path`)
   is visible to the user who posted (`caremgmt.access.visible`): it belongs to their office
   and, for a care manager, to their caseload — not to the injected office, client or staff;
   a row of one staff member's own (a device, a notification setting) is the poster's.

A route that is not walked must be in EXEMPT with its reason; `test_every_route_is_walked`
fails on a new route that is in neither.

A route whose page renders its own form with fields, or a POST-only route that answers with
field errors, must save in the walk (302 or HX-Redirect, and a row written): edit forms save
with the values they were loaded with, create forms with their FILL values. A form that cannot save here is in NOT_SAVED with the
reason; a new form in neither fails its walk case, and a NOT_SAVED route that starts saving
fails too (move it to FILL).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from tests.caremgmt.test_staff_routes import MEMBER_ROUTES
from tests.clients.test_scoping import CLIENT_ROUTES, DIRECTORY_ROUTES, POST_ONLY
from tests.conftest import World
from tests.mass_assignment_fill import FILL
from tests.test_route_locking import _FormReader
from tests.test_route_scoping import ROUTES, _route_names

EXEMPT: dict[str, str] = {
    "login": "anonymous; authenticates the posted credentials only (no model form)",
    "logout": "ends the caller's own session; no model is written",
    "health": "GET-only liveness probe, no model",
}

APPS = ("caremgmt", "clients", "careplans", "billing", "monitoring")
# The user's own two-factor devices: a save there counts as a write (mfa_totp).
DEVICE_APPS = ("otp_totp", "otp_static")
# Columns that say who owns a row, where it belongs, and where it stands.
GUARDED = (
    "office_id",
    "care_manager_id",
    "deputy_care_manager_id",
    "client_id",
    "author_id",
    "created_by_id",
    "staff_id",
    "status",
    "version",
)
FAR_VERSION = 987654
# Routes whose purpose is a state move: the named columns of existing rows may change.
# The injected `status` value is still refused for them.
STATE_MOVES: dict[str, set[str]] = {
    "billing:ticket_deliver": {"status"},  # 交付: the ticket moves to delivered
    "monitoring:discharge": {"status"},  # 退院: the client moves back from hospitalized
    "printing:retry": {"status"},  # a failed print job is queued again
    "clients:status": {"status"},  # 状態の変更: the client moves to ended (its FILL)
    "clients:contract": {"status"},  # 契約: the client moves from 相談中 to 契約中
    # 担当者会議 (held or not held with its reason): the 原案 moves to 会議済み.
    "careplans:meeting_new": {"status"},
    "careplans:no_meeting": {"status"},
    "careplans:confirm": {"status"},  # 同意・交付: the 原案 becomes the confirmed plan
    "monitoring:admission_new": {"status"},  # 入院: the client moves to hospitalized
    # 給付管理票: 提出 (draft → submitted), a result by hand or from the 国保連 CSV.
    "billing:returns_submit": {"status"},
    "billing:returns_result": {"status"},
    "billing:returns_import": {"status"},
    # 実績: 予定どおり and 受領 (pending → received / differs), 確定, 確定の取消.
    "billing:ticket_actuals_copy": {"status"},
    "billing:ticket_actuals_receive": {"status"},
    "billing:ticket_actuals_confirm": {"status"},
    "billing:ticket_actuals_unconfirm": {"status"},
    # 過誤申立て: 作成済み → 申立済み (billing:office_claim_kago_move).
    "billing:office_claim_kago_move": {"status"},
}
INJECTED_STATUS = "terminated"
# POST-only routes for 事務・管理者 (their forms are on a page the care manager cannot write
# from): the walk posts them as the office manager.
POSTED_BY_MANAGER = {
    "billing:benefit_batch",
    "billing:office_claim_evidence",
    "billing:office_claim_fte",
    "billing:office_claim_kago_new",
    "billing:office_claim_kago_move",
    "billing:returns_submit",
    "billing:returns_result",
    "billing:returns_import",
    "billing:returns_correction",
    "staff_retire",
    "staff_password_reset",
}


# Forms the walk cannot save, and why (the walk still proves the extra fields change
# nothing). A form — on the route's own page, or a POST-only route answering with field
# errors — in neither FILL nor here fails its walk case.
NOT_SAVED: dict[str, str] = {
    "password_change": "saves only the poster's own password hash (not a guarded column) and an "
    "access-log row, which the walk does not count; tests/caremgmt/test_staff_password.py",
    "careplans:import": "needs a ケアプランデータ連携 file whose 被保険者番号 and 事業所番号 match "
    "the client and the office's providers (tests/careplans/test_exchange_vendor.py saves one; "
    "the walk proves a refused upload changes nothing)",
}


def _staff_only(world: World) -> dict[str, Any]:
    return {}


def _how(name: str) -> tuple[Callable[[World], dict[str, Any]], str, dict[str, Any]]:
    """(kwargs builder, method, data) for a route, from the matrices that already build it."""
    if name in ROUTES:
        route = ROUTES[name]
        return route.kwargs, route.method, dict(route.data)
    if name in CLIENT_ROUTES:
        return CLIENT_ROUTES[name], "post" if name in POST_ONLY else "get", {}
    if name in DIRECTORY_ROUTES:
        return DIRECTORY_ROUTES[name], "get", {}
    if name in MEMBER_ROUTES:
        route = MEMBER_ROUTES[name]
        return route.kwargs, route.method, dict(route.data)
    return _staff_only, "get", {}


WALKED = sorted(_route_names() - set(EXEMPT))


def test_every_route_is_walked() -> None:
    names = _route_names()
    assert set(EXEMPT) <= names, sorted(set(EXEMPT) - names)
    assert set(WALKED) | set(EXEMPT) == names


class _Forms(_FormReader):
    """The form reader of the locking walk, also keeping each form's attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            self.attrs.append(dict(attrs))
        super().handle_starttag(tag, attrs)


def _own_form(html: str, url: str) -> dict[str, list[str]] | None:
    """The POST form (plain or htmx) that posts back to `url`; the biggest one if several."""
    reader = _Forms()
    reader.feed(html)
    candidates = []
    for attrs, fields in zip(reader.attrs, reader.forms, strict=True):
        method = (attrs.get("method") or "get").lower()
        target = attrs.get("hx-post") if attrs.get("hx-post") is not None else attrs.get("action")
        if method != "post" and attrs.get("hx-post") is None:
            continue
        if target and urlsplit(target).path != url:
            continue
        candidates.append(fields)
    return max(candidates, key=len) if candidates else None


@functools.cache
def _guarded_models() -> list[type[models.Model]]:
    import pghistory.models

    result = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if issubclass(model, pghistory.models.Event) or model._meta.proxy:
                continue
            columns = {f.attname for f in model._meta.concrete_fields}
            if columns & set(GUARDED):
                result.append(model)
    return result


def _snapshot() -> dict[tuple[str, Any], dict[str, Any]]:
    rows: dict[tuple[str, Any], dict[str, Any]] = {}
    for model in _guarded_models():
        columns = [f.attname for f in model._meta.concrete_fields if f.attname in GUARDED]
        for row in model._default_manager.values("pk", *columns):
            rows[(model._meta.label, row.pop("pk"))] = row
    return rows


def _foreign_world(world: World) -> dict[str, Any]:
    """Objects of the other office the extra fields point at."""
    from tests.factories import ClientFactory, ServiceProviderFactory

    client = ClientFactory(office=world.other_office, care_manager=world.outsider, name="他所 様")
    provider = ServiceProviderFactory(office=world.other_office)
    return {"client": client, "provider": provider}


def _prefixes(data: dict[str, Any]) -> set[str]:
    """Form prefixes on the page ("client-name" → "client-"): the extras go under each too."""
    return {"", *(key.rsplit("-", 1)[0] + "-" for key in data if "-" in key)}


def _injected(world: World, foreign: dict[str, Any], prefixes: set[str]) -> dict[str, str]:
    office, staff, client = world.other_office.pk, world.outsider.pk, foreign["client"].pk
    fields = {
        "office": str(office),
        "office_id": str(office),
        "care_manager": str(staff),
        "care_manager_id": str(staff),
        "deputy_care_manager": str(staff),
        "client": str(client),
        "client_id": str(client),
        "version": str(FAR_VERSION),
        "status": INJECTED_STATUS,
        "author": str(staff),
        "created_by": str(staff),
        "staff": str(staff),
        "staff_id": str(staff),
        "pk": str(client),
        "id": str(client),
    }
    return {prefix + key: value for prefix in prefixes for key, value in fields.items()}


def _foreign_rows(world: World, foreign: dict[str, Any]) -> dict[str, Any]:
    from caremgmt.models import Office
    from clients.models import Client, ServiceProvider

    return {
        "office": Office.objects.filter(pk=world.other_office.pk).values().get(),
        "client": Client.objects.filter(pk=foreign["client"].pk).values().get(),
        "provider": ServiceProvider.objects.filter(pk=foreign["provider"].pk).values().get(),
        "outsider": type(world.outsider).objects.filter(pk=world.outsider.pk).values().get(),
    }


def _references(world: World, foreign: dict[str, Any]) -> dict[str, int]:
    return {
        "office_id": world.other_office.pk,
        "care_manager_id": world.outsider.pk,
        "deputy_care_manager_id": world.outsider.pk,
        "author_id": world.outsider.pk,
        "created_by_id": world.outsider.pk,
        "staff_id": world.outsider.pk,
        "client_id": foreign["client"].pk,
    }


def _problems(
    name: str,
    before: dict[tuple[str, Any], dict[str, Any]],
    after: dict[tuple[str, Any], dict[str, Any]],
    shown: set[str],
    references: dict[str, int],
) -> list[str]:
    allowed = {f"{field}_id" for field in shown} | shown | STATE_MOVES.get(name, set())
    problems = []
    for key, row in after.items():
        old = before.get(key)
        for column, value in row.items():
            new = old is None or old[column] != value
            if column == "version" and value == FAR_VERSION:
                problems.append(f"{key} version set to the posted {FAR_VERSION}")
            if column == "status" and value == INJECTED_STATUS and "status" not in shown and new:
                problems.append(f"{key} status set to the posted {INJECTED_STATUS!r}")
            if column in references and value == references[column] and new:
                problems.append(f"{key} {column} → the other office's object {value}")
            if old is None or column in allowed or column == "version":
                continue
            if old[column] != value:
                problems.append(f"{key} {column}: {old[column]!r} → {value!r}")
    return problems


@functools.cache
def _all_models() -> list[type[models.Model]]:
    """Every table of the project except change history and the access log (which a page
    view writes; it is checked like any row below, but is not a save)."""
    import pghistory.models

    return [
        model
        for label in (*APPS, *DEVICE_APPS)
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, pghistory.models.Event)
        and not model._meta.proxy
        and model._meta.label != "caremgmt.AccessLog"
    ]


def _row_ids() -> dict[str, set[Any]]:
    return {
        model._meta.label: set(model._default_manager.values_list("pk", flat=True))
        for model in _all_models()
    }


def _written(
    ids_before: dict[str, set[Any]],
    ids_after: dict[str, set[Any]],
    before: dict[tuple[str, Any], dict[str, Any]],
    after: dict[tuple[str, Any], dict[str, Any]],
) -> dict[str, set[Any]]:
    """Rows the POST created (any table) or changed (a guarded column, the version included)."""
    written: dict[str, set[Any]] = {
        label: ids - ids_before.get(label, set()) for label, ids in ids_after.items()
    }
    for (label, pk), row in after.items():
        if label != "caremgmt.AccessLog" and before.get((label, pk), row) != row:
            written.setdefault(label, set()).add(pk)
    return {label: pks for label, pks in written.items() if pks}


def _not_visible_to(staff: Any, written: dict[str, set[Any]]) -> dict[str, list[Any]]:
    """Written rows the posting user cannot see: another office's, or another caseload's; a
    row of one staff member's own (a device, a notification setting) must be the poster's."""
    from caremgmt.access import actor_for, visible

    actor = actor_for(staff)
    outside = {}
    for label, pks in written.items():
        model = apps.get_model(label)
        if getattr(model, "scope_office_path", None) is None:
            columns = {f.attname for f in model._meta.concrete_fields} & {"staff_id", "user_id"}
            for column in columns:
                others = model._default_manager.filter(pk__in=pks).exclude(**{column: staff.pk})
                if others.exists():
                    outside[label] = sorted(others.values_list("pk", flat=True))
            continue
        seen = set(
            visible(model._default_manager.filter(pk__in=pks), actor).values_list("pk", flat=True)
        )
        if pks - seen:
            outside[label] = sorted(pks - seen)
    return outside


def _fill(name: str, world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The route's FILL values; a callable FILL first makes what the form needs (the objects
    exist before the snapshot, so they count as pre-existing rows)."""
    fill = FILL.get(name, {})
    return fill(world, kwargs) if callable(fill) else dict(fill)


def _messages(html: str) -> list[str]:
    """The page's field and form errors as text (a form error may hold several <p>)."""
    blocks = re.findall(r'class="(?:field|form)-error"[^>]*>(.*?)</(?:div|p|span|ul)>', html, re.S)
    return [re.sub(r"<[^>]+>", " ", block).strip() for block in blocks]


def _renders_form(form: dict[str, list[str]] | None) -> bool:
    return bool(form and set(form) - {"csrfmiddlewaretoken"})


@pytest.mark.django_db
@pytest.mark.parametrize("name", WALKED)
def test_extra_fields_change_nothing(world, login, name, settings, tmp_path) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = str(tmp_path)  # uploads and PDFs the walk saves stay in the test
    kwargs_of, method, data = _how(name)
    kwargs = kwargs_of(world)
    url = reverse(name, kwargs=kwargs)
    fill = _fill(name, world, kwargs)
    foreign = _foreign_world(world)
    staff = world.manager if name in POSTED_BY_MANAGER else world.care_manager
    http = login(staff)
    shown: set[str] = set()
    form = None
    if method == "get":
        page = http.get(url)
        if page.status_code in (403, 404):  # a 管理者 (or 事務) route: its own actor
            staff = world.manager
            http = login(staff)
            page = http.get(url)
        # Downloads may stream or answer 404/410 (no file); 405: a POST-only route.
        html = page.status_code == 200 and "html" in page.get("Content-Type", "")
        form = _own_form(page.content.decode(), url) if html and not page.streaming else None
        if form is not None:
            data = form
            shown = set(form)
    data.update({key: value() if callable(value) else value for key, value in fill.items()})
    extra = {k: v for k, v in _injected(world, foreign, _prefixes(data)).items() if k not in data}
    foreign_before = _foreign_rows(world, foreign)
    before, ids_before = _snapshot(), _row_ids()

    response = http.post(url, {**data, **extra})

    assert response.status_code < 500, (name, response.status_code)
    after, ids_after = _snapshot(), _row_ids()
    written = _written(ids_before, ids_after, before, after)
    saved = (response.status_code == 302 or "HX-Redirect" in response) and bool(written)
    errors = [] if response.streaming else _messages(response.content.decode())
    if name in FILL:  # the save went through
        assert saved, (response.status_code, errors, written)
    # Every form saves in the walk, or says why it cannot: a form on the route's own page, or
    # a POST-only route whose answer shows field errors (its form lives on another page).
    if _renders_form(form) or (errors and not saved):
        assert saved or name in NOT_SAVED, (
            f"{name}: the form did not save ({response.status_code}, {errors}); "
            "add FILL values that make it save, or a NOT_SAVED reason"
        )
        assert not (saved and name in NOT_SAVED), f"{name} saves now: drop it from NOT_SAVED"
    problems = _problems(name, before, after, shown, _references(world, foreign))
    assert not problems, f"{name}: {problems}"
    assert _foreign_rows(world, foreign) == foreign_before
    assert not _not_visible_to(staff, written), f"{name}: {_not_visible_to(staff, written)}"


def test_written_rows_are_the_new_ones_and_the_changed_ones() -> None:
    key = ("clients.Client", 1)
    before = {key: {"office_id": 1, "version": 3}, ("caremgmt.AccessLog", 5): {"office_id": 1}}
    after = {
        key: {"office_id": 1, "version": 4},  # saved: the version moved
        ("caremgmt.AccessLog", 5): {"office_id": 1},
        ("caremgmt.AccessLog", 6): {"office_id": 1},  # a page view, not a save
    }
    ids_before = {"careplans.Goal": {1}, "clients.Client": {1}}
    ids_after = {"careplans.Goal": {1, 2}, "clients.Client": {1}}  # a new goal (no guarded column)
    written = _written(ids_before, ids_after, before, after)
    assert written == {"careplans.Goal": {2}, "clients.Client": {1}}
    assert _written(ids_before, ids_before, before, before) == {}


@pytest.mark.django_db
def test_the_visibility_check_sees_rows_outside_the_posters_scope(world) -> None:  # noqa: ANN001
    from monitoring.models import NotificationPreference
    from tests.factories import ClientFactory

    own = ClientFactory(office=world.office, care_manager=world.care_manager)
    colleagues = ClientFactory(office=world.office, care_manager=world.colleague)
    foreign = ClientFactory(office=world.other_office, care_manager=world.outsider)
    written = {"clients.Client": {own.pk, colleagues.pk, foreign.pk}}
    outside = _not_visible_to(world.care_manager, written)
    assert outside == {"clients.Client": sorted([colleagues.pk, foreign.pk])}
    assert _not_visible_to(world.manager, written) == {"clients.Client": [foreign.pk]}
    mine = NotificationPreference.objects.create(staff=world.care_manager)
    theirs = NotificationPreference.objects.create(staff=world.outsider)
    preferences = {"monitoring.NotificationPreference": {mine.pk, theirs.pk}}
    assert _not_visible_to(world.care_manager, preferences) == {
        "monitoring.NotificationPreference": [theirs.pk]
    }


def test_not_saved_and_fill_name_walked_routes() -> None:
    assert set(NOT_SAVED) <= set(WALKED), sorted(set(NOT_SAVED) - set(WALKED))
    assert set(FILL) <= set(WALKED), sorted(set(FILL) - set(WALKED))
    assert not set(NOT_SAVED) & set(FILL), sorted(set(NOT_SAVED) & set(FILL))
    assert all(reason.strip() for reason in NOT_SAVED.values())


def test_the_comparison_catches_each_kind_of_change() -> None:
    """The walk's checker, on hand-made snapshots (so a silent checker cannot pass the walk)."""
    key, new_key = ("clients.Client", 1), ("clients.ClientContact", 9)
    before = {key: {"office_id": 1, "care_manager_id": 5, "status": "contracted", "version": 3}}
    references = {"office_id": 2, "care_manager_id": 7, "client_id": 70, "staff_id": 7}

    def check(after: dict, shown: set[str] = frozenset(), name: str = "x") -> list[str]:  # noqa: B006
        return _problems(name, before, after, set(shown), references)

    same = {key: dict(before[key], version=4)}  # a save bumps the version: fine
    assert check(same) == []
    assert check({key: dict(before[key], care_manager_id=6)})  # reassigned in the office
    assert check({key: dict(before[key], care_manager_id=6)}, {"care_manager"}) == []
    assert check({key: dict(before[key], office_id=2)})  # moved to the other office
    assert check({key: dict(before[key], version=FAR_VERSION)})
    assert check({key: dict(before[key], status=INJECTED_STATUS)}, name="printing:retry")
    assert check({**same, new_key: {"client_id": 70, "version": 1}})  # a row for their client
    assert check({**same, new_key: {"client_id": 3, "version": 1}}) == []
    fte = ("billing.StaffMonthFte", 4)
    assert check({**same, fte: {"office_id": 1, "staff_id": 7}})  # a row for their staff
    assert check({**same, fte: {"office_id": 1, "staff_id": 5}}) == []
