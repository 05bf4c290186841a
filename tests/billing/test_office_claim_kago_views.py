"""過誤申立て routes (billing/views/office_claim_kago.py): who may write and read, another
office's 過誤, the care manager's read-only rows, the office list and the page's query count
(constant in the number of 過誤 rows)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import KagoStatus, OfficeClaimKago
from caremgmt.models import AccessLog
from caremgmt.models.audit import AccessAction
from tests.billing.kago_helpers import LIST, MEISAI, MOVE, NEW, PAGE, PRINT, new_kago, sent_case
from tests.billing.kago_helpers import today as today_

pytestmark = pytest.mark.django_db


def _new_form(client) -> dict:  # noqa: ANN001
    return {
        "month": "2026-12",
        "client": client.pk,
        "same_month": "0",
        "reason_code": "4002",
        "reason_text": "算定誤り",
    }


def test_every_write_route_refuses_the_wrong_user(world, login) -> None:  # noqa: ANN001
    client = sent_case(world)
    row = new_kago(world, client)
    move = {"month": "2026-12", "kago": row.pk, "action": "cancel", "version": row.version}
    for staff in (world.care_manager, world.colleague, world.chief, world.auditor, world.outsider):
        http = login(staff)
        assert http.post(NEW, _new_form(client)).status_code == 404, staff
        assert http.post(MOVE, move).status_code == 404, staff
    row.refresh_from_db()
    assert (row.status, row.version) == (KagoStatus.DRAFT, 1)
    assert OfficeClaimKago.objects.count() == 1
    # the other office's manager: no such client / 過誤 in their office, reading routes empty
    outsider = login(world.outsider)
    assert outsider.get(LIST).status_code == 200
    assert client.name not in outsider.get(LIST).content.decode()
    assert outsider.post(PRINT, {"month": "2026-12", "kago": row.pk}).status_code == 422
    # care managers: 404 on the office list, the PDFs and the 再請求分 file
    for staff in (world.care_manager, world.chief):
        http = login(staff)
        assert http.get(LIST).status_code == 404
        assert http.post(PRINT, {"month": "2026-12", "all": "1"}).status_code == 404
        assert http.get(MEISAI, {"month": "2026-12"}).status_code == 404
    # 監査 reads
    auditor = login(world.auditor)
    assert client.name in auditor.get(LIST).content.decode()
    page = auditor.get(PAGE, {"month": "2026-12"}).content.decode()
    assert "過誤申立て 1件" in page and "申立済みにする" not in page
    assert "過誤申立てを作成" not in page


def test_manager_writes_like_the_clerk(world, login) -> None:  # noqa: ANN001
    client = sent_case(world)
    http = login(world.manager)
    assert http.post(NEW, _new_form(client)).status_code == 302
    row = OfficeClaimKago.objects.get()
    response = http.post(
        MOVE,
        {
            "month": "2026-12",
            "kago": row.pk,
            "action": "file",
            "version": 1,
            "on": today_().isoformat(),
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == KagoStatus.FILED and row.filed_on == today_()


def test_care_manager_sees_own_clients_rows_read_only(world, login) -> None:  # noqa: ANN001
    from tests.billing.office_claim_world import make_case

    colleagues = make_case(world.office, world.colleague)
    own = sent_case(world)  # both lines are sent
    mine = new_kago(world, own)
    theirs = new_kago(world, colleagues, reason_text="同僚の利用者")
    page = login(world.care_manager).get(PAGE, {"month": "2026-12"}).content.decode()
    assert f'id="kago-{mine.pk}"' in page and f'id="kago-{theirs.pk}"' not in page
    assert "過誤申立て 1件" in page
    assert "申立済みにする" not in page and "過誤申立てを作成" not in page
    assert 'action="/billing/office-claim/kago/print/"' not in page
    clerk_page = login(world.clerk).get(PAGE, {"month": "2026-12"}).content.decode()
    assert "過誤申立て 2件" in clerk_page and "申立済みにする" in clerk_page


def test_bad_ids_are_404_and_a_refused_move_keeps_the_date_message(world, login) -> None:  # noqa: ANN001
    client = sent_case(world)
    row = new_kago(world, client)
    http = login(world.clerk)
    assert http.post(MOVE, {"month": "2026-12", "kago": "x", "action": "file"}).status_code == 404
    bad_action = {"month": "2026-12", "kago": row.pk, "action": "delete", "version": 1}
    assert http.post(MOVE, bad_action).status_code == 404
    assert http.post(NEW, {**_new_form(client), "client": "abc"}).status_code == 404
    bad_date = http.post(
        MOVE, {"month": "2026-12", "kago": row.pk, "action": "file", "version": 1, "on": "x"}
    )
    assert bad_date.status_code == 422
    assert "日付を正しく入力してください。" in bad_date.content.decode()


def test_office_list_is_logged_as_a_search(world, login) -> None:  # noqa: ANN001
    client = sent_case(world)
    new_kago(world, client)
    before = set(AccessLog.objects.values_list("pk", flat=True))
    page = login(world.clerk).get(LIST).content.decode()
    assert client.name in page and "2026年12月" in page and "作成済み" in page
    rows = AccessLog.objects.exclude(pk__in=before)
    assert [(r.action, r.client_id) for r in rows] == [(AccessAction.SEARCH, None)]


def test_page_query_count_is_constant_in_the_number_of_kago_rows(world, login) -> None:  # noqa: ANN001
    from tests.billing.office_claim_world import make_case

    clients = [make_case(world.office, world.care_manager) for _ in range(6)]
    sent_case(world)
    http = login(world.clerk)
    new_kago(world, clients[0])
    http.get(PAGE, {"month": "2026-12"})  # warm caches
    with CaptureQueriesContext(connection) as one:
        assert http.get(PAGE, {"month": "2026-12"}).status_code == 200
    for client in clients[1:]:
        new_kago(world, client)
    with CaptureQueriesContext(connection) as many:
        response = http.get(PAGE, {"month": "2026-12"})
    assert "過誤申立て 6件" in response.content.decode()
    assert len(many.captured_queries) == len(one.captured_queries)
