"""Ticket PDFs (billing.printing): 利用票・別表 本人用 / 控え, 提供票・別表, frozen versions.

Real WeasyPrint renders are few (each costs a second or two here): the 本人用, the 控え and one
提供票. The rest is checked on the print HTML (`PrintJob.html`, plain text set in lines) or on
the layout data, which is what the renderer draws.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from billing import printing
from billing.models import TicketVersion
from billing.pdf_layout import Sheet
from billing.pdf_table7 import table7_rows
from billing.pdf_text import Line, width
from billing.tickets.generate import generate_ticket
from billing.tickets.services import ticket_set_day
from billing.tickets.snapshot import snapshot_hash, ticket_snapshot
from caremgmt.access import actor_for
from caremgmt.models import PrintJob
from caremgmt.models.printing import PrintJobStatus
from caremgmt.printing import rendering as print_rendering
from caremgmt.printing.pdftext import extract_pdf_text
from tests.billing.ticket_world import make_ticket_world

DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # noqa: ANN001, ANN201
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def render_count(monkeypatch):  # noqa: ANN001, ANN201
    calls: list[int] = []
    real = print_rendering.render_pdf

    def counting(html: str):  # noqa: ANN202
        calls.append(1)
        return real(html)

    monkeypatch.setattr(print_rendering, "render_pdf", counting)
    return calls


@pytest.fixture
def tw(world):  # noqa: ANN001, ANN201
    return make_ticket_world(world.office, world.care_manager)


@pytest.fixture
def ticket(tw):  # noqa: ANN001, ANN201
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    return ticket


def _flat(text: str) -> str:
    return re.sub(r"\s", "", text)


def _render(world, ticket, capture, document, provider_id=None) -> tuple[PrintJob, list[str]]:  # noqa: ANN001
    with capture(execute=True):
        job = printing.request_ticket_print(
            actor=actor_for(world.care_manager),
            ticket=ticket,
            document=document,
            provider_id=provider_id,
        )
    job.refresh_from_db()
    assert job.status == PrintJobStatus.DONE, job.error
    with job.file.open("rb") as handle:
        pages = [_flat(page) for page in extract_pdf_text(handle.read())]
    assert job.page_count == len(pages)
    return job, pages


def _every_page_names_the_client(tw, pages: list[str]) -> None:  # noqa: ANN001
    for number, page in enumerate(pages, 1):
        assert _flat(tw.client.name) in page, number
        assert f"被保険者番号{tw.client.insured_number}" in page, number
        assert "令和8年12月分" in page, number
        assert f"{number}/{len(pages)}" in page, number


def test_client_and_office_copies(
    world, tw, ticket, render_count, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    snapshot = ticket_snapshot(ticket)
    totals = snapshot["totals"]
    job, pages = _render(world, ticket, django_capture_on_commit_callbacks, printing.CLIENT)
    assert len(pages) == 2 and job.kind == "ticket:client" and job.client_id == tw.client.pk
    _every_page_names_the_client(tw, pages)
    footer = f"合計単位数{totals['total_units']:,}単位利用者負担額{snapshot['user_charge_yen']:,}円"
    assert all(footer in page for page in pages)
    grid, table7 = pages
    assert "サービス利用票（兼居宅サービス計画）" in grid and "本人用" in grid
    assert "確認欄" not in grid and "上記の内容に同意します。" not in grid
    for text in ("身体介護2", "ヘルパーステーションあおば", "デイサービスなごみ", "要介護3",
                 "27,048単位／月", "特殊寝台貸与楽匠Ｚ", "TAIS00170-000123", "【認定済】"):  # fmt: skip
        assert _flat(text) in grid, text
    assert "区分支給限度管理・利用者負担計算" in table7
    for subtotal in snapshot["subtotals"]:  # every 事業所 × 種類 合計 with the engine's yen
        assert f"{subtotal['service_type_name']}合計" in table7
        assert f"{subtotal['total_cost']:,}" in table7
        assert f"{subtotal['insurance_claim']:,}" in table7
    assert f"{totals['total_cost']:,}" in table7 and f"{totals['user_copay']:,}" in table7
    assert "種類別支給限度管理" in table7 and "要介護認定期間中の短期入所利用日数" in table7

    # Unchanged content → the same job, nothing queued, no second render.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = printing.request_ticket_print(
            actor=actor_for(world.care_manager), ticket=ticket, document=printing.CLIENT
        )
    assert again.pk == job.pk and not callbacks and len(render_count) == 1

    copy, copy_pages = _render(world, ticket, django_capture_on_commit_callbacks, "copy")
    assert copy.pk != job.pk and len(copy_pages) == 2
    _every_page_names_the_client(tw, copy_pages)
    assert "控え" in copy_pages[0] and "確認欄" in copy_pages[0]  # 利用者確認欄
    assert "上記の内容に同意します。" in copy_pages[0]


def test_provider_ticket_has_only_that_providers_rows(
    world, tw, ticket, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    job, pages = _render(
        world, ticket, django_capture_on_commit_callbacks, printing.PROVIDER, tw.home_help.pk
    )
    assert len(pages) == 2 and job.kind == "ticket:provider"
    _every_page_names_the_client(tw, pages)
    text = "".join(pages)
    assert "サービス提供票" in text and "ヘルパーステーションあおば" in text
    assert "身体介護2" in text
    assert "デイサービスなごみ" not in text and "通所介護" not in text
    assert "福祉用具ひまわり" not in text and "特殊寝台" not in text


def test_office_setting_puts_every_row_on_the_provider_ticket(world, tw, ticket) -> None:  # noqa: ANN001
    actor = actor_for(world.care_manager)
    own = printing.request_ticket_print(
        actor=actor, ticket=ticket, document=printing.PROVIDER, provider_id=tw.home_help.pk
    )
    assert "デイサービスなごみ" not in own.html
    world.office.provider_ticket_all_rows = True
    world.office.save()
    ticket.client.office.refresh_from_db()
    every = printing.request_ticket_print(
        actor=actor, ticket=ticket, document=printing.PROVIDER, provider_id=tw.home_help.pk
    )
    assert every.pk != own.pk
    assert "デイサービスなごみ" in every.html and "福祉用具ひまわり" in every.html
    # ... but its 別表 stays the provider's own: no 通所介護 合計 row.
    assert "通所介護合計" not in every.html and "訪問介護合計" in every.html
    with pytest.raises(ValueError):  # a provider with no row on the ticket
        printing.ticket_document_html(ticket_snapshot(ticket), printing.PROVIDER, 999999)


def test_frozen_version_prints_its_own_snapshot(world, tw, ticket) -> None:  # noqa: ANN001
    actor = actor_for(world.care_manager)
    snapshot = ticket_snapshot(ticket, created_on=dt.date(2026, 11, 25), version_number=1)
    version = TicketVersion.objects.create(
        ticket=ticket,
        number=1,
        created_on=dt.date(2026, 11, 25),
        received_by="本人",
        consent_method="signature",
        snapshot=snapshot,
        content_hash=snapshot_hash(snapshot),
        created_by=world.care_manager,
    )
    row = ticket.rows.get(service_code="111211")
    ticket_set_day(
        actor=actor, ticket=ticket, row_id=row.pk, day=1, on=True, expected_version=ticket.version
    )
    ticket.refresh_from_db()
    old_units = f"{snapshot['totals']['total_units']:,}"
    new_units = f"{ticket_snapshot(ticket)['totals']['total_units']:,}"
    assert old_units != new_units

    http = __import__("django.test", fromlist=["Client"]).Client()
    http.force_login(world.care_manager, backend="caremgmt.auth_backends.LoginIdOrEmailBackend")
    response = http.post(reverse("billing:version_print", args=[version.pk, "client"]))
    frozen = PrintJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    live = printing.request_ticket_print(actor=actor, ticket=ticket, document=printing.CLIENT)
    assert frozen.pk != live.pk
    assert f"合計単位数 {old_units} 単位" in frozen.html and "第1版" in frozen.html
    assert "令和8年11月25日" in frozen.html  # 作成年月日 = the day it was handed over
    assert f"合計単位数 {new_units} 単位" in live.html and "第1版" not in live.html


def test_print_routes(world, login, tw, ticket, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    url = reverse("billing:ticket_print", args=[ticket.pk, "copy"])
    for stranger in (world.colleague, world.outsider):
        assert login(stranger).post(url).status_code == 404
        assert login(stranger).post(url, headers={"HX-Request": "true"}).status_code == 404
    assert not PrintJob.objects.exists()
    http = login(world.care_manager)
    assert http.get(url).status_code == 405
    response = http.post(url, headers={"HX-Request": "true"})
    job = PrintJob.objects.get(kind="ticket:copy", subject_id=ticket.pk)
    assert response.status_code == 200 and f'id="print-job-{job.pk}"' in response.content.decode()
    for reader in (world.clerk, world.auditor):  # printing is reading
        response = login(reader).post(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("printing:status", args=[job.pk])
    bad = [
        reverse("billing:ticket_print", args=[ticket.pk, "nonsense"]),
        reverse("billing:ticket_print", args=[ticket.pk, "provider"]),  # no provider
        reverse("billing:ticket_print_provider", args=[ticket.pk, "client", tw.home_help.pk]),
        reverse("billing:ticket_print_provider", args=[ticket.pk, "provider", 999999]),
    ]
    for other in bad:
        assert http.post(other).status_code == 404, other
    assert PrintJob.objects.count() == 1


def test_print_actions_list_each_provider(world, tw, ticket) -> None:  # noqa: ANN001
    from django.template.loader import render_to_string

    from billing.tickets.compute import ticket_figures

    html = render_to_string(
        "billing/_editor_print_actions.html",
        {"ticket": ticket, "figures": ticket_figures(ticket)},
    )
    for provider in (tw.home_help, tw.day_service, tw.rental):
        url = reverse("billing:ticket_print_provider", args=[ticket.pk, "provider", provider.pk])
        assert url in html and provider.name in html
    assert reverse("billing:ticket_print", args=[ticket.pk, "client"]) in html
    assert 'id="ticket-print-status"' in html


# --- layout data (no render) ------------------------------------------------------------


def test_table7_rows_follow_the_engine(ticket) -> None:  # noqa: ANN001
    snapshot = ticket_snapshot(ticket)
    rows = table7_rows(snapshot, None)
    totals = [row for row in rows if row["row"] == "total"]
    assert len(totals) == len(snapshot["subtotals"])
    grand = rows[-1]
    assert grand["row"] == "grand"
    assert grand["service_units"] == f"{snapshot['totals']['total_units']:,}"
    assert grand["copay"] == f"{snapshot['totals']['user_copay']:,}"
    numbers = {snapshot["rows"][0]["provider_number"]}
    own = table7_rows(snapshot, numbers)
    assert {row["row"] for row in own} <= {"detail", "total", "addition", "beyond"}


def test_out_of_limit_units_are_in_parentheses() -> None:
    detail = {
        "provider_number": "1310000001", "provider_name": "あおば", "service_type": "11",
        "service_code": "116275", "service_name": "訪問介護処遇改善加算Ⅰ", "kind": "percentage",
        "unit_value": 759, "count": 1, "service_units": 759, "counts_toward_limit": False,
        "beyond_thirty_days": False, "percentage_rate": "24.5",
    }  # fmt: skip
    charge = {
        "kind": "total", "service_code": None, "name": "合計", "insured_units": 3096,
        "self_pay_units": 0, "unit_price": "11.40", "total_cost": 35294, "benefit_rate": 90,
        "insurance_claim": 31764, "user_copay": 3530, "user_full_pay": 0,
    }  # fmt: skip
    subtotal = {
        "provider_number": "1310000001", "provider_name": "あおば", "service_type": "11",
        "service_type_name": "訪問介護", "total_units": 3855, "limit_target_units": 3096,
        "outside_limit_units": 759, "beyond_thirty_days_units": 0, "over_type_limit_units": 0,
        "within_type_limit_units": 3096, "over_limit_units": 0, "within_limit_units": 3096,
        "charges": [charge, {**charge, "kind": "out_of_limit_addition", "service_code": "116275",
                             "name": "訪問介護処遇改善加算Ⅰ", "insured_units": 759}],
    }  # fmt: skip
    snapshot = {"detail_rows": [detail], "subtotals": [subtotal]}
    rows = table7_rows(snapshot, {"1310000001"})
    assert rows[0]["unit"] == "(759)" and rows[0]["service_units"] == "(759)"
    assert rows[1]["service"] == "訪問介護合計" and rows[1]["total_cost"] == "35,294"
    assert rows[2]["row"] == "addition" and rows[2]["within_limit"] == "(759)"


def test_text_pieces_share_one_line_at_their_positions() -> None:
    line = Line(10.0, 6.0)
    line.put(100.0, "予定", 10.0)
    line.put(50.0, "1,234", 20.0, "r")
    line.put(200.0, "とても長い事業所の名前がここに入ります", 10.0)
    text = line.text()
    assert text.index("1,234") < text.index("予定") < text.index("とても")
    cut = text.rsplit("\t", 1)[-1]
    assert cut.endswith("…") and width(cut, 6.0) <= 10.0  # cut to fit its room
    sheet = Sheet()
    for row in range(4):  # lines at an even pitch go into one box
        sheet.put(10.0, 20.0 + row * 4.4, 30.0, f"行{row}", 6.0)
    sheet.put(10.0, 80.0, 30.0, "別の大きさ", 7.5)
    sheet.close()
    assert len(sheet.boxes) == 2 and sheet.boxes[0].text.count("\n") == 3


def test_many_rows_continue_on_more_sheets(ticket) -> None:  # noqa: ANN001
    snapshot = ticket_snapshot(ticket)
    snapshot["rows"] = [
        {**snapshot["rows"][index % 3], "content": f"行{index}"} for index in range(40)
    ]
    sheets = printing.ticket_sheets_for(snapshot, printing.CLIENT)
    assert len(sheets) == 4  # 15 + 19 + 6 rows of 第6表, then the 別表
    html = printing.ticket_document_html(snapshot, printing.CLIENT)
    assert "行0" in html and "行39" in html and "4 / 4" in html
    assert html.count('class="sheet"') == 4


QUERY_LIMIT = 24  # measured 23: session, ticket, recompute, snapshot, job, access log


def test_print_view_query_count(world, login, tw, ticket, django_assert_max_num_queries) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("billing:ticket_print_provider", args=[ticket.pk, "provider", tw.rental.pk])
    with django_assert_max_num_queries(QUERY_LIMIT):  # the recompute + the job; no N+1
        assert http.post(url, headers={"HX-Request": "true"}).status_code == 200


def test_beyond_thirty_days_rows_are_charged_on_their_own() -> None:
    detail = {
        "provider_number": "1370000005", "provider_name": "ショート", "service_type": "21",
        "service_code": "212131", "service_name": "単独短期生活Ⅰ3", "kind": "base",
        "unit_value": 745, "count": 3, "service_units": 2235, "counts_toward_limit": True,
        "beyond_thirty_days": False, "percentage_rate": None,
    }  # fmt: skip
    beyond = {**detail, "count": 1, "service_units": 745, "beyond_thirty_days": True}
    total = {
        "kind": "total", "service_code": None, "name": "合計", "insured_units": 2235,
        "self_pay_units": 0, "unit_price": "10.90", "total_cost": 24361, "benefit_rate": 90,
        "insurance_claim": 21924, "user_copay": 2437, "user_full_pay": 0,
    }  # fmt: skip
    over = {**total, "kind": "beyond_thirty_days", "service_code": "212131", "name": "30日超",
            "insured_units": 0, "self_pay_units": 745, "total_cost": 0, "insurance_claim": 0,
            "user_copay": 0, "user_full_pay": 8120}  # fmt: skip
    subtotal = {
        "provider_number": "1370000005", "provider_name": "ショート", "service_type": "21",
        "service_type_name": "短期入所生活介護", "total_units": 2980, "limit_target_units": 2235,
        "outside_limit_units": 0, "beyond_thirty_days_units": 745, "over_type_limit_units": 0,
        "within_type_limit_units": 2235, "over_limit_units": 0, "within_limit_units": 2235,
        "charges": [total, over],
    }  # fmt: skip
    rows = table7_rows({"detail_rows": [detail, beyond], "subtotals": [subtotal]}, {"1370000005"})
    assert [row["row"] for row in rows] == ["detail", "total", "beyond"]
    assert rows[2]["service"] == "30日超 単独短期生活Ⅰ3" and rows[2]["full"] == "8,120"
    assert rows[2]["count"] == "1" and rows[1]["service_units"] == "2,235"


def test_mid_month_level_change_in_the_header(ticket) -> None:  # noqa: ANN001
    snapshot = ticket_snapshot(ticket)
    snapshot["certification"].update(
        care_level="24", care_level_label="要介護4", changed_care_level="24",
        changed_care_level_label="要介護4", changed_on="2026-12-15", limit_units=30938,
    )  # fmt: skip
    html = printing.ticket_document_html(snapshot, printing.CLIENT)
    assert "要介護3" in html  # 要介護状態区分: the level before the change
    assert "要介護4" in html and "令和8年12月15日" in html  # 変更後の区分・変更日
    assert "30,938 単位／月" in html  # the limit of the heavier level
