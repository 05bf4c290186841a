"""第5表 PDF (monitoring.support_log.printing): a real WeasyPrint render checked by its text."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from caremgmt.access import actor_for
from caremgmt.models.printing import PrintJobStatus
from caremgmt.printing.pdftext import extract_pdf_text
from monitoring.models import LogKind, SupportLogEntry
from monitoring.support_log.printing import support_log_print, support_log_print_html
from tests.factories import ClientFactory

D = dt.date


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # noqa: ANN001, ANN201
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def client_record(world):  # noqa: ANN001, ANN201
    return ClientFactory(office=world.office, care_manager=world.care_manager, name="青木 トメ")


def _entry(client, author, day, content, **extra):  # noqa: ANN001, ANN003, ANN202
    return SupportLogEntry.objects.create(
        client=client,
        occurred_on=day,
        kind=extra.pop("kind", LogKind.PHONE),
        content=content,
        author=author,
        **extra,
    )


def _flat(text: str) -> str:
    return re.sub(r"\s", "", text)


def test_pdf_has_the_header_columns_wareki_dates_and_correction_marks(
    world, client_record, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    cm = world.care_manager
    _entry(client_record, cm, D(2026, 9, 30), "範囲外の記録")
    wrong = _entry(
        client_record, cm, D(2026, 10, 1), "デイを週3回に増やしたいと相談", counterpart="長女"
    )
    _entry(client_record, cm, D(2026, 10, 1), "デイを週2回に増やしたいと相談", corrects=wrong)
    _entry(
        client_record,
        cm,
        D(2026, 10, 15),
        "居宅サービス計画（第2版）を説明し、同意を得て交付した。",
        kind=LogKind.PLAN,
        event="plan_confirmed",
        source="careplans.careplan:1",
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = support_log_print(
            actor=actor_for(cm),
            client=client_record,
            date_from=D(2026, 10, 1),
            date_to=D(2026, 10, 31),
        )
    job.refresh_from_db()
    assert job.status == PrintJobStatus.DONE, job.error
    with job.file.open("rb") as handle:
        pages = extract_pdf_text(handle.read())
    text = _flat("".join(pages))
    for expected in [
        "居宅介護支援経過",
        "利用者名青木トメ",
        "居宅サービス計画作成者氏名担当花子",
        "作成年月日",
        "年月日",
        "項目",
        "内容",
        "令和8年10月1日",
        "令和8年10月15日",
        "電話",
        "計画",
        "相手：長女",
        "【訂正済】No.2で訂正",
        "【訂正】No.1の訂正",
        "デイを週2回に増やしたいと相談",
        "（自動記録）",
    ]:
        assert _flat(expected) in text, expected
    assert "範囲外の記録" not in text
    assert job.filename.startswith("第5表_青木 トメ_令和8年10月1日")


def test_correction_outside_the_range_is_named(world, client_record) -> None:  # noqa: ANN001
    cm = world.care_manager
    wrong = _entry(client_record, cm, D(2026, 9, 30), "九月末の記録")
    _entry(client_record, cm, D(2026, 10, 2), "九月末の記録の訂正", corrects=wrong)
    html = support_log_print_html(
        client=client_record, date_from=D(2026, 10, 1), date_to=D(2026, 10, 31)
    )
    assert "【訂正】令和8年9月30日の記録の訂正" in html
    html = support_log_print_html(
        client=client_record, date_from=D(2026, 9, 1), date_to=D(2026, 9, 30)
    )
    assert "【訂正済】期間外の記録で訂正" in html


def test_long_log_breaks_between_entries(
    world, client_record, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    cm = world.care_manager
    for day in range(1, 31):
        _entry(
            client_record,
            cm,
            D(2026, 10, day),
            f"記録{day:02d}号。" + "体調と服薬の状況を確認した。" * 8 + f"終{day:02d}了",
        )
    with django_capture_on_commit_callbacks(execute=True):
        job = support_log_print(
            actor=actor_for(cm),
            client=client_record,
            date_from=D(2026, 10, 1),
            date_to=D(2026, 10, 31),
        )
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        pages = extract_pdf_text(handle.read())
    assert len(pages) > 1
    for page in pages:  # every page repeats the column headings and the client
        assert "利用者名　青木 トメ　様" in page
    # No entry is split across pages: each day's text is on exactly one page.
    for day in range(1, 31):
        starts = [n for n, p in enumerate(pages) if f"記録{day:02d}号" in _flat(p)]
        ends = [n for n, p in enumerate(pages) if f"終{day:02d}了" in _flat(p)]
        assert len(starts) == 1 and starts == ends, day


def test_same_range_prints_once(world, client_record, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    _entry(client_record, world.care_manager, D(2026, 10, 1), "記録")
    actor = actor_for(world.care_manager)
    kwargs = {
        "actor": actor,
        "client": client_record,
        "date_from": D(2026, 10, 1),
        "date_to": D(2026, 10, 31),
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = support_log_print(**kwargs)
    again = support_log_print(**kwargs)
    assert again.pk == first.pk
