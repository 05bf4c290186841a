"""閲覧記録の確認 (issue 9 item 6): who saw client X, what user U opened, CSV for an inspector."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pgtrigger
import pytest
from django.urls import reverse
from django.utils import timezone

from caremgmt.models import AccessLog
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

JST = dt.timezone(dt.timedelta(hours=9))


def _log(staff, *, when: dt.datetime, client_id=None, office=None, **fields) -> AccessLog:  # noqa: ANN001
    """An access-log row at `when` (occurred_at is auto_now_add and the table refuses UPDATE,
    so the time is set with the protect trigger ignored — test setup only)."""
    row = AccessLog.objects.create(
        staff=staff,
        office_id=office.pk if office is not None else None,
        client_id=client_id,
        subject_type=fields.pop("subject_type", "client"),
        subject_id=fields.pop("subject_id", client_id),
        action=fields.pop("action", "view"),
        path=fields.pop("path", f"/clients/{client_id}/"),
        ip_address=fields.pop("ip_address", "10.0.0.5"),
    )
    with pgtrigger.ignore("caremgmt.AccessLog:access_log_append_only"):
        AccessLog.objects.filter(pk=row.pk).update(occurred_at=when)
    row.refresh_from_db()
    return row


@pytest.fixture
def seen(world):  # noqa: ANN001, ANN201
    """Client 石井 seen by the care manager inside and outside the period, and by an
    outsider's office row that must never show."""
    client = ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        name="石井 茂",
        name_kana="イシイ シゲル",
    )
    other = ClientFactory(office=world.office, care_manager=world.colleague, name="別人 花")
    inside = _log(
        world.care_manager,
        when=dt.datetime(2026, 4, 1, 0, 30, tzinfo=JST),  # 2026-03-31 15:30 UTC
        client_id=client.pk,
        office=world.office,
    )
    last_day = _log(
        world.colleague,
        when=dt.datetime(2026, 4, 30, 23, 59, 59, tzinfo=JST),
        client_id=client.pk,
        office=world.office,
        action="print",
        subject_type="careplan",
        subject_id=77,
        ip_address="192.0.2.9",
    )
    _log(
        world.care_manager,
        when=dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=JST),
        client_id=client.pk,
        office=world.office,
    )
    _log(
        world.care_manager,
        when=dt.datetime(2026, 5, 1, 0, 0, tzinfo=JST),
        client_id=client.pk,
        office=world.office,
    )
    _log(
        world.care_manager,
        when=dt.datetime(2026, 4, 10, 9, 0, tzinfo=JST),
        client_id=other.pk,
        office=world.office,
    )
    # Same client id recorded in another office: not this office's log.
    _log(
        world.outsider,
        when=dt.datetime(2026, 4, 10, 9, 0, tzinfo=JST),
        client_id=client.pk,
        office=world.other_office,
    )
    return {"client": client, "other": other, "inside": inside, "last_day": last_day}


def _client_query(client_pk: int, **extra: str) -> dict[str, str]:
    return {"client": str(client_pk), "since": "2026-04-01", "until": "2026-04-30", **extra}


@pytest.mark.parametrize("role", ["manager", "auditor"])
def test_who_saw_client_lists_rows_of_the_period_in_jst(world, login, seen, role) -> None:  # noqa: ANN001
    staff = getattr(world, role)
    response = login(staff).get(
        reverse("audit:client_log"), _client_query(seen["client"].pk), REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 200
    lines = response.context["lines"]
    assert [line.row.pk for line in lines] == [seen["inside"].pk, seen["last_day"].pk]
    assert [line.when for line in lines] == [
        "令和8年4月1日 00:30:00",
        "令和8年4月30日 23:59:59",
    ]
    html = response.content.decode()
    assert "令和8年4月30日 23:59:59" in html and "192.0.2.9" in html and "印刷" in html
    assert "同僚 太郎" in html and "careplan:77" in html
    # The viewing of the log is itself logged, against the client.
    own = AccessLog.objects.filter(staff=staff).get()
    assert (own.subject_type, own.subject_id, own.client_id, own.action, own.office_id) == (
        "access_log_client",
        seen["client"].pk,
        seen["client"].pk,
        "view",
        world.office.pk,
    )
    assert own.ip_address == "10.9.9.9"


def test_what_user_opened_lists_their_rows_with_client_names(world, login, seen) -> None:  # noqa: ANN001
    response = login(world.auditor).get(
        reverse("audit:staff_log"),
        {"staff": str(world.care_manager.pk), "since": "2026-04-01", "until": "2026-04-30"},
    )
    assert response.status_code == 200
    lines = response.context["lines"]
    assert [(line.row.client_id, line.client_name) for line in lines] == [
        (seen["client"].pk, "石井 茂"),
        (seen["other"].pk, "別人 花"),
    ]
    own = AccessLog.objects.filter(staff=world.auditor).get()
    assert (own.subject_type, own.subject_id, own.client_id, own.action) == (
        "access_log_staff",
        world.care_manager.pk,
        None,
        "view",
    )


def test_first_visit_shows_the_form_only_and_is_logged(world, login, seen) -> None:  # noqa: ANN001
    response = login(world.manager).get(reverse("audit:client_log"))
    assert response.status_code == 200
    assert response.context["page"] is None
    assert response.context["form"]["since"].value() == timezone.localdate() - dt.timedelta(days=29)
    own = AccessLog.objects.filter(staff=world.manager).get()
    assert (own.subject_type, own.subject_id, own.client_id) == ("access_log_client", None, None)


def test_period_backwards_is_a_field_error(world, login, seen) -> None:  # noqa: ANN001
    response = login(world.manager).get(
        reverse("audit:client_log"), _client_query(seen["client"].pk, until="2026-03-01")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "until": ["終了日は開始日と同じか後の日にしてください。"]
    }
    assert response.context["page"] is None
    assert "終了日は開始日と同じか後の日にしてください。" in response.content.decode()


def test_bad_date_is_a_field_error(world, login, seen) -> None:  # noqa: ANN001
    response = login(world.manager).get(
        reverse("audit:client_log"), _client_query(seen["client"].pk, since="2026-13-01")
    )
    assert response.context["form"].errors == {
        "since": ["開始日の形式が正しくありません（例：2026-04-01）。"]
    }


def test_csv_export_has_bom_japanese_headers_and_the_rows(world, login, seen) -> None:  # noqa: ANN001
    response = login(world.auditor).get(
        reverse("audit:client_log_csv"), _client_query(seen["client"].pk)
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="access_log.csv"')
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "日時",
        "日時(ISO 8601)",
        "職員",
        "ログインID",
        "操作",
        "対象種別",
        "対象ID",
        "利用者ID",
        "利用者",
        "URL",
        "IPアドレス",
        "リクエストID",
    ]
    client_pk = seen["client"].pk
    assert rows[1:] == [
        [
            "令和8年4月1日 00:30:00",
            "2026-04-01T00:30:00+09:00",
            "担当 花子",
            world.care_manager.username,
            "閲覧",
            "client",
            str(client_pk),
            str(client_pk),
            "石井 茂",
            f"/clients/{client_pk}/",
            "10.0.0.5",
            "",
        ],
        [
            "令和8年4月30日 23:59:59",
            "2026-04-30T23:59:59+09:00",
            "同僚 太郎",
            world.colleague.username,
            "印刷",
            "careplan",
            "77",
            str(client_pk),
            "石井 茂",
            f"/clients/{client_pk}/",
            "192.0.2.9",
            "",
        ],
    ]
    own = AccessLog.objects.filter(staff=world.auditor).get()
    assert (own.subject_type, own.client_id, own.action) == (
        "access_log_client",
        client_pk,
        "export",
    )


def test_csv_cells_cannot_become_formulas(world, login) -> None:  # noqa: ANN001
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    _log(
        world.care_manager,
        when=dt.datetime(2026, 4, 2, 9, 0, tzinfo=JST),
        client_id=client.pk,
        office=world.office,
        path="=HYPERLINK(1)",
    )
    response = login(world.manager).get(reverse("audit:client_log_csv"), _client_query(client.pk))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][9] == "'=HYPERLINK(1)"


def test_staff_csv_export(world, login, seen) -> None:  # noqa: ANN001
    response = login(world.manager).get(
        reverse("audit:staff_log_csv"),
        {"staff": str(world.colleague.pk), "since": "2026-04-01", "until": "2026-04-30"},
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["令和8年4月30日 23:59:59"]


def test_export_without_a_valid_query_shows_the_errors(world, login, seen) -> None:  # noqa: ANN001
    response = login(world.manager).get(reverse("audit:client_log_csv"), {"client": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors["client"] == ["利用者を選んでください。"]


@pytest.mark.parametrize("role", ["care_manager", "chief", "clerk", "colleague"])
@pytest.mark.parametrize(
    "name", ["audit:client_log", "audit:client_log_csv", "audit:staff_log", "audit:staff_log_csv"]
)
def test_other_roles_are_refused_and_nothing_is_logged(world, login, seen, role, name) -> None:  # noqa: ANN001
    before = AccessLog.objects.count()
    query = _client_query(seen["client"].pk) | {"staff": str(world.care_manager.pk)}
    response = login(getattr(world, role)).get(reverse(name), query)
    assert response.status_code == 403
    assert AccessLog.objects.count() == before


@pytest.mark.parametrize("name", ["audit:client_log", "audit:client_log_csv"])
def test_manager_of_another_office_gets_404_for_this_offices_client(
    world, login, seen, name
) -> None:  # noqa: ANN001
    before = AccessLog.objects.count()
    response = login(world.outsider).get(reverse(name), _client_query(seen["client"].pk))
    assert response.status_code == 404
    assert AccessLog.objects.count() == before


def test_manager_of_another_office_gets_404_for_this_offices_staff(world, login, seen) -> None:  # noqa: ANN001
    response = login(world.outsider).get(
        reverse("audit:staff_log"),
        {"staff": str(world.care_manager.pk), "since": "2026-04-01", "until": "2026-04-30"},
    )
    assert response.status_code == 404


def test_outsider_sees_only_their_own_offices_rows_for_themselves(world, login, seen) -> None:  # noqa: ANN001
    """The outsider's own row about (another office's) client id is in their office's log."""
    response = login(world.outsider).get(
        reverse("audit:staff_log"),
        {"staff": str(world.outsider.pk), "since": "2026-04-01", "until": "2026-04-30"},
    )
    lines = response.context["lines"]
    assert [(line.row.office_id, line.client_name) for line in lines] == [
        (world.other_office.pk, "")
    ]


def test_anonymous_is_sent_to_login(client, world) -> None:  # noqa: ANN001
    response = client.get(reverse("audit:client_log"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_nav_link_only_for_reviewers(world, login) -> None:  # noqa: ANN001
    url = reverse("audit:client_log")
    assert url in login(world.manager).get(reverse("dashboard")).content.decode()
    assert url not in login(world.care_manager).get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize("count", [3, 60])
def test_query_count_does_not_grow_with_rows(
    world, login, django_assert_max_num_queries, count
) -> None:  # noqa: ANN001
    clients = [
        ClientFactory(office=world.office, care_manager=world.care_manager) for _ in range(3)
    ]
    for index in range(count):
        _log(
            [world.care_manager, world.colleague, world.chief][index % 3],
            when=dt.datetime(2026, 4, 2, 9, 0, tzinfo=JST) + dt.timedelta(minutes=index),
            client_id=clients[index % 3].pk,
            office=world.office,
        )
    http = login(world.manager)
    query = {"staff": str(world.care_manager.pk), "since": "2026-04-01", "until": "2026-04-30"}
    with django_assert_max_num_queries(12):
        assert http.get(reverse("audit:staff_log"), query).status_code == 200
    with django_assert_max_num_queries(12):
        assert (
            http.get(reverse("audit:client_log"), _client_query(clients[0].pk)).status_code == 200
        )
    with django_assert_max_num_queries(12):
        response = http.get(reverse("audit:staff_log_csv"), query)
        b"".join(response.streaming_content)


def test_pagination(world, login) -> None:  # noqa: ANN001
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    for index in range(55):
        _log(
            world.care_manager,
            when=dt.datetime(2026, 4, 2, 9, 0, tzinfo=JST) + dt.timedelta(minutes=index),
            client_id=client.pk,
            office=world.office,
        )
    http = login(world.manager)
    first = http.get(reverse("audit:client_log"), _client_query(client.pk))
    assert len(first.context["lines"]) == 50 and first.context["page"].paginator.count == 55
    second = http.get(reverse("audit:client_log"), _client_query(client.pk, page="2"))
    assert [line.when for line in second.context["lines"]][0] == "令和8年4月2日 09:50:00"
    assert len(second.context["lines"]) == 5
