"""PDFs of 第1〜4表 (careplans.printing): real WeasyPrint renders checked by extracted text."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from caremgmt.models import PrintJob
from caremgmt.models.printing import PrintJobStatus
from caremgmt.printing import rendering as print_rendering
from caremgmt.printing.pdftext import extract_pdf_text
from careplans import services
from careplans.printing import careplan_print
from tests.careplans.test_lifecycle import _confirm, _fill, _meet

D = dt.date


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
def confirmed_plan(plan_setup, draft_plan):  # noqa: ANN001, ANN201
    _fill(plan_setup, draft_plan)
    _meet(plan_setup, draft_plan)
    draft_plan.refresh_from_db()
    return _confirm(plan_setup, draft_plan)


def _print(setup, plan, table, capture) -> tuple[PrintJob, str]:  # noqa: ANN001
    with capture(execute=True):
        job = careplan_print(actor=setup.actor, plan=plan, table=table)
    job.refresh_from_db()
    assert job.status == PrintJobStatus.DONE, job.error
    with job.file.open("rb") as handle:
        pages = extract_pdf_text(handle.read())
    assert job.page_count == len(pages)
    for number, page in enumerate(pages, 1):  # header and x / y on every page
        assert "利用者名　青木 トメ　様" in page
        assert f"{number} / {len(pages)}" in page
    return job, _flat("".join(pages))


def _flat(text: str) -> str:
    """Without whitespace: narrow cells wrap text onto several extracted lines."""
    return re.sub(r"\s", "", text)


EXPECTED = {
    "1": ["居宅サービス計画書（1）", "要介護1", "令和8年4月5日", "青木 トメ", "認定の有効期間"],
    "2": ["居宅サービス計画書（2）", "自宅で安全に入浴したい", "週2回、安心して入浴できる",
          "介助を受けて浴槽をまたげる", "入浴介助", "ひまわり訪問介護", "令和8年4月10日"],
    "3": ["週間サービス計画表", "令和8年4月分より", "訪問介護（入浴介助）", "10:00〜11:00"],
    "4": ["サービス担当者会議の要点", "令和8年4月7日", "利用者宅", "原案のとおり", "田中"],
}  # fmt: skip


@pytest.mark.parametrize("table", ["1", "2", "3", "4"])
def test_each_table_prints_its_content(
    plan_setup, confirmed_plan, table, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    job, text = _print(plan_setup, confirmed_plan, table, django_capture_on_commit_callbacks)
    assert job.kind == f"careplan_table{table}" and job.subject_id == confirmed_plan.pk
    assert job.client_id == plan_setup.client.pk
    for expected in EXPECTED[table]:
        assert _flat(expected) in text, expected


def test_all_four_in_one_document(
    plan_setup, confirmed_plan, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    job, text = _print(plan_setup, confirmed_plan, "all", django_capture_on_commit_callbacks)
    assert job.page_count >= 4
    for expected in [e for table in EXPECTED.values() for e in table]:
        assert _flat(expected) in text, expected


def test_old_version_prints_its_own_content(
    plan_setup, confirmed_plan, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    revision = services.careplan_revise(
        actor=plan_setup.actor, plan=confirmed_plan, drafted_on=D(2026, 7, 1)
    )
    services.need_save(
        actor=plan_setup.actor,
        plan=revision,
        expected_version=revision.version,
        need=revision.needs.get(),
        text="自宅で安全に入浴を続けたい",
    )
    revision.refresh_from_db()
    _meet(plan_setup, revision, held_on=D(2026, 7, 2))
    revision.refresh_from_db()
    _confirm(plan_setup, revision, consented=D(2026, 7, 3), delivered=D(2026, 7, 3))
    confirmed_plan.refresh_from_db()
    assert confirmed_plan.status == "superseded"

    _, old_text = _print(plan_setup, confirmed_plan, "2", django_capture_on_commit_callbacks)
    _, new_text = _print(plan_setup, revision, "2", django_capture_on_commit_callbacks)
    assert _flat("自宅で安全に入浴したい") in old_text and "続けたい" not in old_text
    assert "自宅で安全に入浴を続けたい" in new_text
    _, old_table1 = _print(plan_setup, confirmed_plan, "1", django_capture_on_commit_callbacks)
    assert "第1版" in old_table1 and "令和8年4月5日" in old_table1


def test_second_print_of_unchanged_plan_is_the_same_job(
    plan_setup, confirmed_plan, render_count, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    first, _ = _print(plan_setup, confirmed_plan, "1", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = careplan_print(actor=plan_setup.actor, plan=confirmed_plan, table="1")
    assert again.pk == first.pk and not callbacks and len(render_count) == 1
    services.minor_change_record(
        actor=plan_setup.actor,
        plan=confirmed_plan,
        changed_on=D(2026, 5, 1),
        content="訪問介護の曜日を火曜から水曜に変更",
        reason="本人の希望",
    )
    confirmed_plan.refresh_from_db()
    changed, text = _print(plan_setup, confirmed_plan, "1", django_capture_on_commit_callbacks)
    assert changed.pk != first.pk and "訪問介護の曜日を火曜から水曜に変更" in text


def test_print_view_answers_the_status_fragment_or_redirects(
    plan_setup, confirmed_plan, login, world, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("careplans:print", args=[confirmed_plan.pk, "3"])
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(url, headers={"HX-Request": "true"})
    job = PrintJob.objects.get(kind="careplan_table3", subject_id=confirmed_plan.pk)
    assert response.status_code == 200
    assert f'id="print-job-{job.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()
    response = http.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("printing:status", args=[job.pk])
    assert http.post(reverse("careplans:print", args=[confirmed_plan.pk, "5"])).status_code == 404
    assert http.get(url).status_code == 405
    page = http.get(reverse("careplans:plan", args=[confirmed_plan.pk])).content.decode()
    assert "第1表を印刷" in page and "第4表を印刷" in page and "印刷（PDF）は準備中" not in page
