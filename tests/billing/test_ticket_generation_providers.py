"""The provider directory's 定休日 / 祝日休み, as the ticket generation and checks read them."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from billing.tickets.generate import generate_ticket
from tests.billing.ticket_world import make_ticket_world


def _form_data(page: str) -> dict[str, list[str]]:
    """The fields of the page's form with their loaded values (inputs and textareas)."""
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if ('type="checkbox"' in tag) and "checked" not in tag:
            continue
        data.setdefault(name[1], []).append(value[1] if value else "")
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = [text.strip()]
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = [chosen[1] if chosen else ""]
    return data


def test_the_provider_form_records_closed_days(world, login) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager)
    http = login(world.care_manager)
    url = reverse("clients:provider_edit", args=[tw.home_help.pk])
    page = http.get(url).content.decode()
    assert "定休日" in page and "祝日休み" in page
    data = _form_data(page)
    data["closed_weekdays"] = ["3", "7"]
    data["closed_on_holidays"] = ["on"]
    response = http.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    tw.home_help.refresh_from_db()
    assert tw.home_help.closed_weekdays == [3, 7]
    assert tw.home_help.closed_on_holidays
    page = http.get(url).content.decode()
    assert re.search(r'<input[^>]*name="closed_weekdays"[^>]*value="3"[^>]*checked', page)
    ticket, report = generate_ticket(client=tw.client, month=dt.date(2027, 1, 1))
    # Mon/Thu 2027-01: 4 7 11(成人の日) 14 18 21 25 28 → 11 left out
    assert ticket.rows.get(service_code="111211").planned_days == [4, 7, 14, 18, 21, 25, 28]


def test_a_bad_weekday_is_refused_at_the_field(world, login) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager)
    http = login(world.care_manager)
    url = reverse("clients:provider_edit", args=[tw.home_help.pk])
    data = _form_data(http.get(url).content.decode())
    data["closed_weekdays"] = ["8"]
    response = http.post(url, data)
    assert response.status_code == 200
    assert "曜日「8」は選べません。" in response.content.decode()
    tw.home_help.refresh_from_db()
    assert tw.home_help.closed_weekdays == []
