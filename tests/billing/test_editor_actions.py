"""Editor actions over HTTP: day toggles (htmx and plain), rows, copy, allocation, regenerate,
stale versions and read-only roles. Nothing is written when a request is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.calc import OverLimitAllocation
from billing.models import ServiceTicket, TicketRow
from billing.tickets.compute import ticket_figures
from billing.tickets.services import ticket_set_day
from caremgmt.access import actor_for
from tests.billing.editor_helpers import december_ticket, figure, push_over_limit, version_in

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _toggle(http, ticket, row, day, *, line="planned", version=None, htmx=True):  # noqa: ANN001, ANN202
    return http.post(
        reverse("billing:ticket_toggle", args=[ticket.pk]),
        {
            "cell": f"{row.pk}:{line}:{day}",
            "version": ticket.version if version is None else version,
        },
        headers=HTMX if htmx else {},
    )


def _row_state(ticket: ServiceTicket) -> list[tuple]:
    return list(
        ticket.rows.order_by("pk").values_list("pk", "planned_days", "actual_days", "service_code")
    )


def test_toggle_swaps_row_and_panel_and_bumps_the_version(world, login) -> None:  # noqa: ANN001
    _tw, ticket = december_ticket(world)
    row = ticket.rows.get(service_code="111211")
    http = login(world.care_manager)
    before = ticket_figures(ticket).result.totals.limit_target_units
    response = _toggle(http, ticket, row, 5)
    assert response.status_code == 200
    html = response.content.decode()
    row.refresh_from_db()
    ticket.refresh_from_db()
    assert 5 in row.planned_days and row.edited
    assert f'<tbody id="row-{row.pk}"' in html and 'hx-swap-oob="true"' in html
    assert f'id="c-{row.pk}-p-5" class="day-toggle on" aria-pressed="true"' in html
    after = ticket_figures(ticket).result.totals.limit_target_units
    assert after > before and figure(html, "used") == str(after)
    assert version_in(html) == ticket.version
    # toggling it again clears it
    _toggle(http, ticket, row, 5)
    row.refresh_from_db()
    assert 5 not in row.planned_days


def test_toggle_without_javascript_redirects_to_the_editor(world, login) -> None:  # noqa: ANN001
    _tw, ticket = december_ticket(world)
    row = ticket.rows.get(service_code="111211")
    response = _toggle(login(world.care_manager), ticket, row, 6, htmx=False)
    assert response.status_code == 302 and f"#row-{row.pk}" in response["Location"]
    row.refresh_from_db()
    assert 6 in row.planned_days


def test_toggle_query_count_does_not_depend_on_rows(
    world, login, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    row = ticket.rows.get(service_code="111211")
    http = login(world.care_manager)
    _toggle(http, ticket, row, 5)  # warm caches (fee schedule, session)
    ticket.refresh_from_db()
    with django_assert_max_num_queries(24) as three_rows:
        _toggle(http, ticket, row, 5)
    measured = len(three_rows.captured_queries)  # read now: each request resets the log
    ticket.refresh_from_db()
    for n in range(8):
        TicketRow.objects.create(
            ticket=ticket,
            order=20 + n,
            provider=tw.home_help,
            service_code="111211",
            starts_at=dt.time(12 + n % 6),
            ends_at=dt.time(13 + n % 6),
            planned_days=[1, 8, 15],
        )
    ticket.refresh_from_db()
    _toggle(http, ticket, row, 5)  # on again (switching a day on also checks 入院・認定)
    ticket.refresh_from_db()
    with django_assert_max_num_queries(measured):
        _toggle(http, ticket, row, 5)  # off, as measured with three rows


def test_stale_toggle_writes_nothing_and_shows_the_message(world, login) -> None:  # noqa: ANN001
    _tw, ticket = december_ticket(world)
    row = ticket.rows.get(service_code="111211")
    old_version = ticket.version
    ticket_set_day(
        actor=actor_for(world.manager),
        ticket=ticket,
        row_id=row.pk,
        day=12,
        on=True,
        expected_version=old_version,
    )
    before = _row_state(ticket)
    for htmx in (True, False):
        response = _toggle(
            login(world.care_manager), ticket, row, 5, version=old_version, htmx=htmx
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert (
            "他の人（または別のタブ）がこの利用票を更新しました。最新の内容を表示しています。"
            in html
        )
        assert _row_state(ticket) == before
        assert 'class="day-toggle on" aria-pressed="true" aria-label="12日 予定"' in html
    assert response.get("HX-Retarget") is None
    htmx_response = _toggle(login(world.care_manager), ticket, row, 5, version=old_version)
    assert htmx_response["HX-Retarget"] == "#editor"


def test_clerk_toggles_actual_only_and_auditor_nothing(world, login) -> None:  # noqa: ANN001
    _tw, ticket = december_ticket(world)
    row = ticket.rows.get(service_code="111211")
    clerk = login(world.clerk)
    assert _toggle(clerk, ticket, row, 3, line="actual").status_code == 200
    row.refresh_from_db()
    ticket.refresh_from_db()
    assert row.actual_days == [3]
    before = _row_state(ticket)
    assert _toggle(clerk, ticket, row, 5).status_code == 403
    auditor = login(world.auditor)
    assert _toggle(auditor, ticket, row, 4, line="actual").status_code in (403, 404)
    assert _toggle(auditor, ticket, row, 5).status_code in (403, 404)
    assert _row_state(ticket) == before


def test_claimed_ticket_refuses_toggles(world, login) -> None:  # noqa: ANN001
    from django.utils import timezone

    _tw, ticket = december_ticket(world)
    row = ticket.rows.get(service_code="111211")
    ServiceTicket.objects.filter(pk=ticket.pk).update(claimed_at=timezone.now())
    before = _row_state(ticket)
    response = _toggle(login(world.care_manager), ticket, row, 5)
    assert "請求済み" in response.content.decode()
    assert _row_state(ticket) == before


def test_add_edit_copy_delete_a_row(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    http = login(world.care_manager)
    add_url = reverse("billing:ticket_row_add", args=[ticket.pk])
    page = http.get(add_url, {"provider": tw.day_service.pk}).content.decode()
    assert "通所介護入浴介助加算Ⅰ" in page and 'value="155301"' in page
    response = http.post(
        add_url,
        {
            "version": ticket.version,
            "provider": tw.day_service.pk,
            "service_code": "155301",
            "content": "入浴介助加算",
            "count_per_date": 1,
            "weekdays": ["3"],
        },
    )
    assert response.status_code == 302, response.content.decode()
    added = ticket.rows.get(service_code="155301")
    assert added.planned_days == [2, 9, 16, 23, 30]
    ticket.refresh_from_db()

    edit_url = reverse("billing:ticket_row_edit", args=[ticket.pk, added.pk])
    response = http.post(
        edit_url,
        {
            "version": ticket.version,
            "provider": tw.day_service.pk,
            "service_code": "155303",
            "content": "入浴介助加算Ⅱ",
            "count_per_date": 1,
        },
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.service_code == "155303" and added.edited
    ticket.refresh_from_db()

    copy_url = reverse("billing:ticket_row_copy", args=[ticket.pk, added.pk])
    assert http.post(copy_url, {"version": ticket.version, "weekdays": ["5"]}).status_code == 302
    added.refresh_from_db()
    assert added.planned_days == [2, 4, 9, 11, 16, 18, 23, 25, 30]
    ticket.refresh_from_db()

    delete_url = reverse("billing:ticket_row_delete", args=[ticket.pk, added.pk])
    assert "この行を削除しますか" in http.get(delete_url).content.decode()
    assert http.post(delete_url, {"version": ticket.version}).status_code == 302
    assert not ticket.rows.filter(pk=added.pk).exists()


def test_row_form_refuses_bad_input_at_the_field(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    http = login(world.care_manager)
    inactive = type(tw.home_help).objects.create(
        office=world.office,
        provider_number="1310009999",
        name="休止中",
        service_types=["11"],
        is_active=False,
    )
    before = _row_state(ticket)
    response = http.post(
        reverse("billing:ticket_row_add", args=[ticket.pk]),
        {
            "version": ticket.version,
            "provider": tw.home_help.pk,
            "service_code": "999999",
            "starts_at": "11:00",
            "ends_at": "10:00",
            "count_per_date": 1,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "終了時刻は開始時刻より後にしてください。" in html
    assert 'class="field-error"' in html
    inactive_post = http.post(
        reverse("billing:ticket_row_add", args=[ticket.pk]),
        {"version": ticket.version, "provider": inactive.pk, "service_code": "111211"},
    )
    assert inactive_post.status_code == 200
    assert _row_state(ticket) == before


def test_stale_row_edit_keeps_the_input_and_writes_nothing(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    row = ticket.rows.get(service_code="111211")
    old = ticket.version
    ticket_set_day(
        actor=actor_for(world.manager),
        ticket=ticket,
        row_id=row.pk,
        day=12,
        on=True,
        expected_version=old,
    )
    before = _row_state(ticket)
    response = login(world.care_manager).post(
        reverse("billing:ticket_row_edit", args=[ticket.pk, row.pk]),
        {
            "version": old,
            "provider": tw.home_help.pk,
            "service_code": "111211",
            "content": "古い画面から",
            "count_per_date": 1,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "別のタブ" in html and "古い画面から" in html
    assert _row_state(ticket) == before
    row.refresh_from_db()
    assert row.content != "古い画面から"


def test_allocation_preview_save_refuse_and_reset(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    ticket = push_over_limit(ticket, tw)
    http = login(world.care_manager)
    url = reverse("billing:ticket_allocation", args=[ticket.pk])
    excess = ticket.over_limit_units
    home, day = tw.home_help.provider_number, tw.day_service.provider_number
    home_field, day_field = f"units_{home}_11", f"units_{day}_15"
    # everything on 通所介護
    data = {"version": ticket.version, home_field: 0, day_field: excess}
    preview = http.post(url, {**data, "action": "preview"}, headers=HTMX)
    html = preview.content.decode()
    assert preview.status_code == 200 and "試算（まだ保存していません）" in html
    expected = ticket_figures(
        ticket,
        allocation=[OverLimitAllocation(day, "15", excess)],
    )
    assert figure(html, "preview-charge") == f"{expected.user_charge_yen}円"
    ticket.refresh_from_db()
    assert ticket.over_limit_allocation is None  # a preview writes nothing

    wrong = http.post(url, {**data, day_field: excess - 1, "action": "save"}, headers=HTMX)
    html = wrong.content.decode()
    assert wrong.status_code == 200 and 'class="form-error"' in html
    assert str(excess) in html.replace(",", "")
    ticket.refresh_from_db()
    assert ticket.over_limit_allocation is None

    saved = http.post(url, {**data, "action": "save"}, headers=HTMX)
    assert saved.status_code == 200
    ticket.refresh_from_db()
    assert ticket.over_limit_allocation == [
        {"provider_number": day, "service_type": "15", "units": excess}
    ]
    assert version_in(saved.content.decode()) == ticket.version
    figures = ticket_figures(ticket)
    assert figures.result.allocation_source == "explicit"
    assert figures.user_charge_yen == expected.user_charge_yen

    stale = http.post(url, {**data, "version": ticket.version - 1, "action": "reset"})
    assert "他の人（または別のタブ）" in stale.content.decode()
    ticket.refresh_from_db()
    assert ticket.over_limit_allocation is not None

    reset = http.post(url, {"version": ticket.version, "action": "reset"})
    assert reset.status_code == 302
    ticket.refresh_from_db()
    assert ticket.over_limit_allocation is None


def test_allocation_is_refused_for_the_clerk(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    ticket = push_over_limit(ticket, tw)
    response = login(world.clerk).post(
        reverse("billing:ticket_allocation", args=[ticket.pk]),
        {"version": ticket.version, "action": "reset"},
    )
    assert response.status_code == 403


def test_regenerate_reports_what_changed(world, login) -> None:  # noqa: ANN001
    _tw, ticket = december_ticket(world)
    row = ticket.rows.get(service_code="111211")
    http = login(world.care_manager)
    _toggle(http, ticket, row, 3)  # hand edit: 3rd off
    ticket.refresh_from_db()
    url = reverse("billing:ticket_regenerate", args=[ticket.pk])
    response = http.post(url, {"version": ticket.version}, follow=True)
    assert "手修正を保持" in response.content.decode()
    ticket.refresh_from_db()
    response = http.post(url, {"version": ticket.version, "reset": "on"}, follow=True)
    assert "変更：" in response.content.decode()
    row.refresh_from_db()
    assert 3 in row.planned_days
    stale = http.post(url, {"version": 1})
    assert "他の人（または別のタブ）" in stale.content.decode()


def test_provider_change_reloads_the_code_choices(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    http = login(world.care_manager)
    url = reverse("billing:ticket_row_add", args=[ticket.pk])
    fragment = http.get(url, {"provider": tw.home_help.pk, "content": "夜間"}, headers=HTMX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert 'id="row-form"' in html and 'value="111211"' in html and 'value="152443"' not in html
    assert 'value="夜間"' in html


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_panel_matches_the_engine_after_any_toggle_and_undo(world, login, data) -> None:  # noqa: ANN001
    """Any day on any line of any row: the panel shows the engine's figures for the new
    rows, and toggling the same day again restores the month exactly."""
    ticket = ServiceTicket.objects.filter(client__office=world.office).first()
    if ticket is None:
        _tw, ticket = december_ticket(world)
    ticket.refresh_from_db()
    rows = list(ticket.rows.order_by("pk"))
    row = data.draw(st.sampled_from(rows))
    day = data.draw(st.integers(min_value=1, max_value=31))
    http = login(world.care_manager)
    original = ticket_figures(ticket).result
    html = _toggle(http, ticket, row, day).content.decode()
    ticket.refresh_from_db()
    now = ticket_figures(ticket).result
    assert figure(html, "used") == str(now.totals.limit_target_units)
    assert figure(html, "copay") == f"{now.totals.user_copay}円"
    _toggle(http, ticket, row, day)
    ticket.refresh_from_db()
    assert ticket_figures(ticket).result.totals == original.totals


def test_row_copy_leaves_out_days_in_hospital_and_says_so(world, login) -> None:  # noqa: ANN001
    from clients.models import HospitalStay

    tw, ticket = december_ticket(world)
    row = ticket.rows.order_by("pk").first()
    # In hospital 8〜20 December: the 9th to the 19th take no home service.
    HospitalStay.objects.create(
        client=tw.client,
        hospital_name="中央病院",
        admitted_on=dt.date(2026, 12, 8),
        discharged_on=dt.date(2026, 12, 20),
    )
    before = set(row.planned_days)
    http = login(world.care_manager)
    response = http.post(
        reverse("billing:ticket_row_copy", args=[ticket.pk, row.pk]),
        {"version": ticket.version, "weekdays": ["5"]},  # Fridays: 4, 11, 18, 25
        follow=True,
    )
    row.refresh_from_db()
    assert set(row.planned_days) == before | {4, 25}
    assert "12月11日、12月18日は要介護認定の有効期間外か入院中のため除きました。" in (
        response.content.decode()
    )

    ticket.refresh_from_db()
    response = http.post(
        reverse("billing:ticket_row_copy", args=[ticket.pk, row.pk]),
        {"version": ticket.version, "weekdays": ["5"]},
    )
    assert response.status_code == 200  # nothing left to add: refused at the field
    assert "追加できる日がありません" in response.content.decode()
    row.refresh_from_db()
    assert set(row.planned_days) == before | {4, 25}
