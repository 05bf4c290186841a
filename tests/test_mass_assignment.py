"""Mass assignment: extra fields posted to any route change nothing they should not (issue 13
item 2).

Walks every named route of the URLconf, reusing the builders of the scoping matrices
(tests/test_route_scoping.py ROUTES, tests/clients/test_scoping.py CLIENT_ROUTES /
DIRECTORY_ROUTES, the billing and monitoring route modules). For each route, one POST:

1. as the owning care manager (or, where the route is for 管理者 only, the office manager),
   GET the page and take the fields of its own POST form (the form posting back to this URL)
   as the browser would submit them (tests/test_route_locking.py's form reader); a POST-only
   route starts from the matrix's data;
2. add every field of INJECTED the form does not have: `office`, `care_manager`, `client`,
   `author`, `pk`, … pointing at another office's objects, `version` far off, `status`;
3. POST once and compare snapshots: the guarded columns (GUARDED) of every pre-existing row
   of the project's tables are unchanged (except columns the route's own form shows, and the
   state moves listed in STATE_MOVES), no row references the other office's objects that it
   did not before, no version became the injected one, and the other office's rows are
   untouched in every column.

A route that is not walked must be in EXEMPT with its reason; `test_every_route_is_walked`
fails on a new route that is in neither.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from tests.clients.test_scoping import CLIENT_ROUTES, DIRECTORY_ROUTES, POST_ONLY
from tests.conftest import World
from tests.test_route_locking import _errors, _FormReader
from tests.test_route_scoping import ROUTES, _route_names

EXEMPT: dict[str, str] = {
    "login": "anonymous; authenticates the posted credentials only (no model form)",
    "logout": "ends the caller's own session; no model is written",
    "health": "GET-only liveness probe, no model",
}

APPS = ("caremgmt", "clients", "careplans", "billing", "monitoring")
# Columns that say who owns a row, where it belongs, and where it stands.
GUARDED = (
    "office_id",
    "care_manager_id",
    "deputy_care_manager_id",
    "client_id",
    "author_id",
    "created_by_id",
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
}
INJECTED_STATUS = "terminated"


# Create forms render empty: these values make the POST a real save (asserted), so the extra
# fields reach the save path instead of stopping at validation.
FILL: dict[str, dict[str, str]] = {
    "clients:intake": {
        "consultation-consulted_on": "2026-11-20",
        "consultation-route": "community_center",
        "consultation-chief_complaint": "一人暮らしで買い物が難しい",
        "client-name": "井上 和子",
        "client-name_kana": "いのうえ かずこ",
        "client-birth_date": "1938-05-05",
        "client-sex": "2",
        "client-insurer_number": "131011",
        "client-insurer_name": "千代田区",
        "client-insured_number": "0001234567",
        "client-living_situation": "alone",
    },
    "clients:contact_add": {
        "name": "井上 花子",
        "name_kana": "いのうえ はなこ",
        "relationship": "長女",
        "phone": "03-1234-5678",
    },
    "careplans:need_add": {"text": "自宅で入浴したい"},
    "careplans:activity_add": {"starts_at": "07:00", "activity": "起床"},
    "monitoring:support_log": {"counterpart": "本人", "content": "電話で体調を確認した。"},
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


@pytest.mark.django_db
@pytest.mark.parametrize("name", WALKED)
def test_extra_fields_change_nothing(world, login, name) -> None:  # noqa: ANN001
    kwargs_of, method, data = _how(name)
    url = reverse(name, kwargs=kwargs_of(world))
    foreign = _foreign_world(world)
    http = login(world.care_manager)
    shown: set[str] = set()
    if method == "get":
        page = http.get(url)
        if page.status_code in (403, 404):  # a 管理者 (or 事務) route: its own actor
            http = login(world.manager)
            page = http.get(url)
        # Downloads may stream or answer 404/410 (no file); 405: a POST-only route.
        html = page.status_code == 200 and "html" in page.get("Content-Type", "")
        form = _own_form(page.content.decode(), url) if html and not page.streaming else None
        if form is not None:
            data = form
            shown = set(form)
    data.update(FILL.get(name, {}))
    extra = {k: v for k, v in _injected(world, foreign, _prefixes(data)).items() if k not in data}
    foreign_before = _foreign_rows(world, foreign)
    before = _snapshot()

    response = http.post(url, {**data, **extra})

    assert response.status_code < 500, (name, response.status_code)
    if name in FILL:  # the save went through
        assert response.status_code == 302 or "HX-Redirect" in response, (
            response.status_code,
            _errors(response.content.decode()),
        )
    after = _snapshot()
    problems = _problems(name, before, after, shown, _references(world, foreign))
    assert not problems, f"{name}: {problems}"
    assert _foreign_rows(world, foreign) == foreign_before


def test_the_comparison_catches_each_kind_of_change() -> None:
    """The walk's checker, on hand-made snapshots (so a silent checker cannot pass the walk)."""
    key, new_key = ("clients.Client", 1), ("clients.ClientContact", 9)
    before = {key: {"office_id": 1, "care_manager_id": 5, "status": "contracted", "version": 3}}
    references = {"office_id": 2, "care_manager_id": 7, "client_id": 70}

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
