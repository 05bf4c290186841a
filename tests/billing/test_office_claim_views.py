"""The office-claim screens: who sees what, who may write, bad input, stale saves, the
access log and query counts (billing/views/office_claim.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models.office_claim import ClaimEvidence, OfficeClaimSettings, StaffMonthFte
from caremgmt.models import AccessLog
from caremgmt.models.audit import AccessAction
from tests.billing.office_claim_world import MONTH, make_case

pytestmark = pytest.mark.django_db

PAGE = reverse("billing:office_claim")
EVIDENCE = reverse("billing:office_claim_evidence")
FTE = reverse("billing:office_claim_fte")
SETTINGS = reverse("billing:office_claim_settings")


def _evidence_post(client, kind: str = "hospital_1", proof_on: str = "2026-12-10") -> dict:  # noqa: ANN001
    return {
        "month": "2026-12",
        "client": client.pk,
        "kind": kind,
        "proof_on": proof_on,
        "note": "FAX送付",
    }


def test_clerk_sees_the_office_lines_bands_and_forms(world, login) -> None:  # noqa: ANN001
    own = make_case(world.office, world.care_manager)
    other = make_case(world.office, world.colleague, sheet_status=None)
    response = login(world.clerk).get(PAGE, {"month": "2026-12"})
    assert response.status_code == 200
    html = response.content.decode()
    assert own.name in html and other.name in html
    assert "432211" in html and "16,085円" in html
    assert "請求不可" in html and "給付管理票が提出されていない" in html
    assert 'action="/billing/office-claim/evidence/"' in html
    assert 'action="/billing/office-claim/fte/"' in html
    assert "体制の設定" not in html  # 管理者 only
    row = AccessLog.objects.get()
    assert (row.action, row.client_id) == (AccessAction.SEARCH, None)


def test_care_manager_sees_own_clients_read_only(world, login) -> None:  # noqa: ANN001
    own = make_case(world.office, world.care_manager)
    other = make_case(world.office, world.colleague)
    html = login(world.care_manager).get(PAGE, {"month": "2026-12"}).content.decode()
    assert own.name in html and other.name not in html
    assert "office-claim/evidence/" not in html and "office-claim/fte/" not in html


def test_auditor_reads_but_cannot_write(world, login) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    http = login(world.auditor)
    html = http.get(PAGE, {"month": "2026-12"}).content.decode()
    assert client.name in html and "office-claim/evidence/" not in html
    assert http.post(EVIDENCE, _evidence_post(client)).status_code == 404
    assert (
        http.post(FTE, {"month": "2026-12", f"fte_{world.care_manager.pk}": "0.5"}).status_code
        == 404
    )
    assert http.get(SETTINGS).status_code == 404
    assert not ClaimEvidence.objects.exists() and not StaffMonthFte.objects.exists()


def test_other_office_sees_nothing_of_this_office(world, login) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    http = login(world.outsider)
    html = http.get(PAGE, {"month": "2026-12"}).content.decode()
    assert client.name not in html
    assert http.post(EVIDENCE, _evidence_post(client)).status_code == 404
    assert not ClaimEvidence.objects.exists()


def test_care_manager_cannot_write_evidence_or_fte(world, login) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    http = login(world.care_manager)
    assert http.post(EVIDENCE, _evidence_post(client)).status_code == 404
    assert (
        http.post(FTE, {"month": "2026-12", f"fte_{world.care_manager.pk}": "0.5"}).status_code
        == 404
    )
    assert http.get(SETTINGS).status_code == 404
    assert not ClaimEvidence.objects.exists() and not StaffMonthFte.objects.exists()


def test_evidence_entry_bad_input_duplicates_and_delete(world, login) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    http = login(world.clerk)
    response = http.post(EVIDENCE, _evidence_post(client))
    assert response.status_code == 302
    row = ClaimEvidence.objects.get()
    assert (row.kind, row.proof_on, row.created_by) == (
        "hospital_1",
        dt.date(2026, 12, 10),
        world.clerk,
    )
    page = http.get(PAGE, {"month": "2026-12"}).content.decode()
    assert "436125" in page
    # the same kind again: refused at the field, nothing written
    again = http.post(EVIDENCE, _evidence_post(client))
    assert again.status_code == 422
    assert "入院時情報連携加算（Ⅰ）はこの月に登録済みです" in again.content.decode()
    # a date outside the month; a missing date
    outside = http.post(EVIDENCE, _evidence_post(client, "terminal", "2026-11-30"))
    assert outside.status_code == 422
    assert "根拠の日付は2026年12月中の日付にしてください。" in outside.content.decode()
    missing = http.post(EVIDENCE, _evidence_post(client, "terminal", ""))
    assert "根拠の日付を入力してください。" in missing.content.decode()
    assert ClaimEvidence.objects.count() == 1
    # delete
    assert http.post(EVIDENCE, {"month": "2026-12", "delete": row.pk}).status_code == 302
    assert not ClaimEvidence.objects.exists()


def test_initial_addition_is_confirmed_by_evidence(world, login) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager, earlier_ticket=False, contracted_on=None)
    http = login(world.manager)
    page = http.get(PAGE, {"month": "2026-12"}).content.decode()
    assert "初回加算の提案：新規の利用者" in page and "434001" not in page
    http.post(EVIDENCE, _evidence_post(client, "initial", "2026-12-03"))
    page = http.get(PAGE, {"month": "2026-12"}).content.decode()
    assert "434001" in page and "初回加算の提案" not in page


def test_fte_save_bad_input_and_stale_form(world, login) -> None:  # noqa: ANN001
    http = login(world.clerk)
    cm, colleague = world.care_manager.pk, world.colleague.pk
    saved = http.post(FTE, {"month": "2026-12", f"fte_{cm}": "0.5", f"loaded_{cm}": ""})
    assert saved.status_code == 302
    assert StaffMonthFte.objects.get(staff=world.care_manager).fte == Decimal("0.50")
    bad = http.post(
        FTE,
        {"month": "2026-12", f"fte_{cm}": "1.5", f"loaded_{cm}": "0.50", f"fte_{colleague}": "0.8"},
    )
    assert bad.status_code == 422
    assert "0より大きく1.00以下で入力してください。" in bad.content.decode()
    assert not StaffMonthFte.objects.filter(staff=world.colleague).exists()
    # a form loaded before the 0.50 was saved
    stale = http.post(FTE, {"month": "2026-12", f"fte_{cm}": "0.7", f"loaded_{cm}": ""})
    assert stale.status_code == 409
    assert "他の職員" in stale.content.decode()
    assert StaffMonthFte.objects.get(staff=world.care_manager).fte == Decimal("0.50")
    # blank = back to 1.00 (row removed)
    http.post(FTE, {"month": "2026-12", f"fte_{cm}": "", f"loaded_{cm}": "0.50"})
    assert not StaffMonthFte.objects.exists()


def test_settings_saved_by_the_manager_under_the_version(world, login) -> None:  # noqa: ANN001
    first, second = login(world.manager), login(world.manager)
    assert first.get(SETTINGS).status_code == 200
    form = {"fee_category": "2", "specific_office_addition": "", "version": "1", "month": "2026-12"}
    assert first.post(SETTINGS, {**form, "special_area": "on"}).status_code == 302
    settings = OfficeClaimSettings.objects.get(office=world.office)
    assert (settings.fee_category, settings.special_area, settings.version) == ("2", True, 2)
    stale = second.post(SETTINGS, {**form, "fee_category": "1"})
    assert stale.status_code == 409
    assert "他の職員" in stale.content.decode()
    settings.refresh_from_db()
    assert (settings.fee_category, settings.version) == ("2", 2)
    assert login(world.clerk).get(SETTINGS).status_code == 404
    assert login(world.clerk).post(SETTINGS, {**form, "version": "2"}).status_code == 404


def test_page_query_count_is_independent_of_the_number_of_clients(world, login) -> None:  # noqa: ANN001
    http = login(world.clerk)
    make_case(world.office, world.care_manager)
    http.get(PAGE, {"month": "2026-12"})  # warm caches
    with CaptureQueriesContext(connection) as few:
        assert http.get(PAGE, {"month": "2026-12"}).status_code == 200
    for _ in range(4):
        client = make_case(world.office, world.colleague)
        ClaimEvidence.objects.create(
            client=client, month=MONTH, kind="terminal", proof_on=MONTH, created_by=world.clerk
        )
    with CaptureQueriesContext(connection) as many:
        assert http.get(PAGE, {"month": "2026-12"}).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_anonymous_is_sent_to_login(client) -> None:  # noqa: ANN001
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]
