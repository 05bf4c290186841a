"""支援経過 screens: the log (tab, filters, windows, corrections, links), the fast entry
(htmx and without JS), roles, the correction page, the print request and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caremgmt.models import PrintJob
from monitoring.models import LogKind, SupportLogEntry
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    DoctorFactory,
)

D = dt.date
HTMX = {"HX-Request": "true"}


@pytest.fixture
def client_record(world):  # noqa: ANN001, ANN201
    doctor = DoctorFactory(office=world.office, institution_name="みどり内科", doctor_name="緑川")
    record = ClientFactory(
        office=world.office, care_manager=world.care_manager, primary_doctor=doctor
    )
    ClientContactFactory(client=record, name="青木 花子", relationship="長女")
    return record


def _entry(client, author, day, content="電話で確認した。", **extra):  # noqa: ANN001, ANN003, ANN202
    return SupportLogEntry.objects.create(
        client=client,
        occurred_on=day,
        kind=extra.pop("kind", LogKind.PHONE),
        content=content,
        author=author,
        **extra,
    )


def _url(client) -> str:  # noqa: ANN001
    return reverse("monitoring:support_log", args=[client.pk])


def _today() -> dt.date:
    return timezone.localdate()


def test_page_shows_the_log_newest_first_with_the_fast_entry(world, login, client_record) -> None:  # noqa: ANN001
    today = _today()
    _entry(client_record, world.care_manager, today - dt.timedelta(days=2), "二日前の電話")
    _entry(client_record, world.care_manager, today, "今日の訪問", kind=LogKind.VISIT)
    response = login(world.care_manager).get(_url(client_record))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("今日の訪問") < html.index("二日前の電話")
    assert 'name="content"' in html and "data-log-content" in html
    assert f'value="{today:%Y-%m-%d}"' in html  # date defaults to today
    assert 'value="phone"' in html and "checked" in html
    assert '<option value="長女 青木 花子">' in html
    assert '<option value="みどり内科 緑川">' in html
    assert "Ctrl+Enter" in html


def test_oldest_first_toggle_has_a_jump_to_the_latest(world, login, client_record) -> None:  # noqa: ANN001
    today = _today()
    _entry(client_record, world.care_manager, today - dt.timedelta(days=2), "二日前の電話")
    _entry(client_record, world.care_manager, today, "今日の訪問")
    html = login(world.care_manager).get(_url(client_record), {"order": "oldest"}).content.decode()
    assert html.index("二日前の電話") < html.index("今日の訪問")
    assert 'href="#log-latest"' in html and 'id="log-latest"' in html


def test_order_toggle_replaces_the_order_instead_of_appending_it(
    world, login, client_record
) -> None:  # noqa: ANN001
    html = (
        login(world.care_manager)
        .get(_url(client_record), {"order": "oldest", "kind": "phone"})
        .content.decode()
    )
    assert f'href="{_url(client_record)}?kind=phone&amp;order=newest"' in html
    assert "order=oldest&amp;order=newest" not in html


def test_client_page_tab_loads_the_log(world, login, client_record) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    tab = http.get(reverse("clients:tab", args=[client_record.pk, "records"]), headers=HTMX)
    assert f'hx-get="{_url(client_record)}"' in tab.content.decode()
    panel = http.get(_url(client_record), headers=HTMX).content.decode()
    assert panel.lstrip().startswith('<div id="support-log"')
    assert "<html" not in panel


def test_htmx_save_returns_the_panel_with_an_empty_form_and_focus(
    world, login, client_record
) -> None:  # noqa: ANN001
    today = _today()
    response = login(world.care_manager).post(
        _url(client_record),
        {
            "occurred_on": today.isoformat(),
            "occurred_at": "09:40",
            "kind": "phone",
            "counterpart": "長女 青木 花子",
            "content": "ショートステイの希望日を聞いた。",
        },
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    entry = SupportLogEntry.objects.get()
    assert (entry.occurred_on, entry.occurred_at, entry.counterpart, entry.author) == (
        today,
        dt.time(9, 40),
        "長女 青木 花子",
        world.care_manager,
    )
    assert 'data-focus="content"' in html and "記録しました。" in html
    assert f'id="entry-{entry.pk}"' in html
    assert "ショートステイの希望日を聞いた。</textarea>" not in html  # the form is empty again


def test_save_without_javascript_redirects_to_the_entry(world, login, client_record) -> None:  # noqa: ANN001
    response = login(world.care_manager).post(
        _url(client_record),
        {"occurred_on": _today().isoformat(), "kind": "visit", "content": "自宅を訪問した。"},
    )
    entry = SupportLogEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{_url(client_record)}#entry-{entry.pk}"
    assert entry.occurred_at is None


def test_bad_input_keeps_the_typed_text_with_messages_at_the_fields(
    world, login, client_record
) -> None:  # noqa: ANN001
    tomorrow = _today() + dt.timedelta(days=1)
    response = login(world.care_manager).post(
        _url(client_record),
        {
            "occurred_on": tomorrow.isoformat(),
            "occurred_at": "25:99",
            "kind": "phone",
            "counterpart": "長女",
            "content": "明日の予定を先に書いた。",
        },
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "時刻は 14:30 のように入力してください。" in html
    assert "明日の予定を先に書いた。</textarea>" in html
    assert not SupportLogEntry.objects.exists()
    response = login(world.care_manager).post(
        _url(client_record),
        {"occurred_on": tomorrow.isoformat(), "kind": "phone", "content": "明日の予定"},
    )
    html = response.content.decode()
    assert "未来の日付は記録できません" in html and "明日の予定</textarea>" in html
    assert not SupportLogEntry.objects.exists()
    html = login(world.care_manager).post(_url(client_record), {}).content.decode()
    assert "年月日を入力してください。" in html and "内容を入力してください。" in html


@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_clerk_and_auditor_read_but_cannot_write(world, login, client_record, role) -> None:  # noqa: ANN001
    _entry(client_record, world.care_manager, _today(), "閲覧できる記録")
    http = login(getattr(world, role))
    html = http.get(_url(client_record)).content.decode()
    assert "閲覧できる記録" in html and 'name="content"' not in html and "訂正</a>" not in html
    posted = http.post(
        _url(client_record),
        {"occurred_on": _today().isoformat(), "kind": "phone", "content": "事務の電話"},
    )
    assert posted.status_code == 403
    entry = SupportLogEntry.objects.get()
    correct = reverse("monitoring:support_log_correct", args=[entry.pk])
    assert http.get(correct).status_code == 403
    assert SupportLogEntry.objects.count() == 1


def test_filter_by_kind_and_dates(world, login, client_record) -> None:  # noqa: ANN001
    _entry(client_record, world.care_manager, D(2026, 10, 1), "十月の電話")
    _entry(client_record, world.care_manager, D(2026, 10, 5), "十月の訪問", kind=LogKind.VISIT)
    _entry(client_record, world.care_manager, D(2026, 11, 5), "十一月の訪問", kind=LogKind.VISIT)
    http = login(world.care_manager)
    html = http.get(_url(client_record), {"kind": "visit"}).content.decode()
    assert "十月の訪問" in html and "十一月の訪問" in html and "十月の電話" not in html
    html = http.get(
        _url(client_record), {"date_from": "2026-10-01", "date_to": "2026-10-31"}
    ).content.decode()
    assert "十月の電話" in html and "十月の訪問" in html and "十一月の訪問" not in html


def test_long_log_is_windowed(world, login, client_record) -> None:  # noqa: ANN001
    start = _today() - dt.timedelta(days=100)
    for day in range(60):
        _entry(
            client_record, world.care_manager, start + dt.timedelta(days=day), f"記録{day:02d}番"
        )
    http = login(world.care_manager)
    html = http.get(_url(client_record)).content.decode()
    assert "記録59番" in html and "記録10番" in html and "記録09番" not in html
    assert "さらに前の記録" in html and "page=2" in html
    html = http.get(_url(client_record), {"page": "2"}).content.decode()
    assert "記録09番" in html and "記録00番" in html and "記録10番" not in html
    assert "最新の記録へ戻る" in html


def test_corrections_are_marked_and_linked_both_ways(world, login, client_record) -> None:  # noqa: ANN001
    original = _entry(client_record, world.care_manager, D(2026, 11, 2), "誤った内容")
    correction = _entry(
        client_record, world.care_manager, D(2026, 11, 2), "正しい内容", corrects=original
    )
    html = login(world.care_manager).get(_url(client_record)).content.decode()
    assert "<del" in html and "誤った内容" in html and "訂正済" in html
    assert f"#entry-{correction.pk}" in html and f"#entry-{original.pk}" in html
    assert "令和8年11月2日の記録</a>を訂正" in html


def test_automatic_entry_links_to_its_record_unknown_does_not(world, login, client_record) -> None:  # noqa: ANN001
    _entry(
        client_record,
        world.care_manager,
        D(2026, 11, 2),
        "申請を代行した。",
        kind=LogKind.APPLICATION,
        event="application_filed",
        source="clients.certificationapplication:77",
    )
    _entry(
        client_record,
        world.care_manager,
        D(2026, 11, 3),
        "不明な元記録",
        kind=LogKind.OTHER,
        event="admitted",
        source="unknown.model:5",
    )
    html = login(world.care_manager).get(_url(client_record)).content.decode()
    assert html.count("元の記録を開く") == 1
    assert f'href="{reverse("clients:detail", args=[client_record.pk])}?tab=applications"' in html


def _count_queries(http, url) -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_the_log(world, login, client_record) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = _url(client_record)

    def fill(count: int, offset: int) -> None:
        for index in range(count):
            day = _today() - dt.timedelta(days=index)
            entry = _entry(client_record, world.care_manager, day, f"記録{index}")
            if index % 5 == 0:
                _entry(client_record, world.care_manager, day, f"訂正{index}", corrects=entry)
            if index % 7 == 0:
                _entry(
                    client_record,
                    world.care_manager,
                    day,
                    "軽微な変更",
                    kind=LogKind.PLAN,
                    event="plan_minor_change",
                    source=f"careplans.minorchange:{offset + index + 1}",
                )

    fill(5, 0)
    few = _count_queries(http, url)
    fill(50, 1000)
    many = _count_queries(http, url)
    assert few == many
    assert 5 <= many <= 14, many  # 12 today: session, actor, client, one window, datalist, log…


def test_correction_page_prefills_and_saves_a_new_entry(world, login, client_record) -> None:  # noqa: ANN001
    original = _entry(
        client_record, world.care_manager, D(2026, 11, 2), "誤った内容", counterpart="長女"
    )
    http = login(world.care_manager)
    url = reverse("monitoring:support_log_correct", args=[original.pk])
    html = http.get(url).content.decode()
    assert "誤った内容</textarea>" in html and 'value="2026-11-02"' in html
    unchanged = http.post(
        url,
        {
            "occurred_on": "2026-11-02",
            "kind": "phone",
            "counterpart": "長女",
            "content": "誤った内容",
        },
    )
    assert "元の記録と同じ" in unchanged.content.decode()
    response = http.post(
        url,
        {
            "occurred_on": "2026-11-02",
            "kind": "phone",
            "counterpart": "長女",
            "content": "正しい内容",
        },
    )
    correction = SupportLogEntry.objects.get(corrects=original)
    assert response.status_code == 302
    assert response["Location"] == f"{_url(client_record)}#entry-{correction.pk}"
    assert SupportLogEntry.objects.get(pk=original.pk).content == "誤った内容"
    again = http.get(url).content.decode()
    assert "すでに1回訂正されています" in again


def test_print_queues_a_job_and_refuses_a_reversed_range(world, login, client_record) -> None:  # noqa: ANN001
    _entry(client_record, world.care_manager, D(2026, 11, 2), "印刷する記録")
    http = login(world.care_manager)
    url = reverse("monitoring:support_log_print", args=[client_record.pk])
    refused = http.post(url, {"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert refused.status_code == 302 and refused["Location"] == _url(client_record)
    assert not PrintJob.objects.exists()
    response = http.post(url, {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    job = PrintJob.objects.get()
    assert response["Location"] == reverse("printing:status", args=[job.pk])
    assert (job.kind, job.client_id, job.subject_id) == (
        "support_log",
        client_record.pk,
        client_record.pk,
    )


def test_bad_filter_says_so_and_shows_everything(world, login, client_record) -> None:  # noqa: ANN001
    _entry(client_record, world.care_manager, D(2026, 10, 1), "十月の電話")
    html = (
        login(world.care_manager)
        .get(_url(client_record), {"date_from": "2026-13-45"})
        .content.decode()
    )
    assert "絞り込みの条件が正しくありません" in html and "十月の電話" in html
