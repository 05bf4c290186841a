"""The printable 評価表: a real WeasyPrint render checked by its extracted text."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from caremgmt.access import actor_for
from caremgmt.models.printing import PrintJobStatus
from caremgmt.printing.pdftext import extract_pdf_text
from careplans.models import Goal, SupportItem
from monitoring.evaluation import services
from monitoring.evaluation.printing import evaluation_print
from monitoring.evaluation.services import LineInput
from tests.monitoring.routes.evaluation import confirmed_plan


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # noqa: ANN001, ANN201
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _flat(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.mark.django_db
def test_printed_sheet_has_header_columns_marks_and_legend(
    world, login, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    from caremgmt.printing.registry import model_client_check, register_client_check

    register_client_check(model_client_check("clients.Client"))
    plan = confirmed_plan(world, goals=2)
    plan.client.name = "青木 トメ"
    plan.client.save()
    first, second = Goal.objects.filter(need__plan=plan).order_by("order")
    SupportItem.objects.filter(goal=first).update(content="入浴介助", service_kind_text="家族")
    sheet = services.evaluation_record(
        actor=actor_for(world.care_manager),
        plan=plan,
        evaluated_on=dt.date(2026, 9, 30),
        summary="入浴は自立に近づいた",
        lines=[
            LineInput(goal_id=first.pk, result="exceeded", comment="浴槽をまたげるようになった"),
            LineInput(goal_id=second.pk, result="hard", comment="見直しを要する"),
        ],
        today=dt.date(2026, 11, 27),
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = evaluation_print(actor=actor_for(world.care_manager), sheet=sheet)
    job.refresh_from_db()
    assert job.status == PrintJobStatus.DONE, job.error
    with job.file.open("rb") as handle:
        pages = extract_pdf_text(handle.read())
    assert len(pages) == 1
    assert "利用者名　青木 トメ　様" in pages[0]
    text = _flat(pages[0])
    for expected in [
        "評価表",
        "作成者担当花子",
        "評価日令和8年9月30日",
        "短期目標", "（期間）", "援助内容", "サービス内容", "サービス種別", "結果", "コメント",
        "短期目標1", "令和8年4月10日〜令和8年9月30日",
        "入浴介助", "家族",
        "浴槽をまたげるようになった", "見直しを要する",
        "◎", "×1",
        "短期目標は予想を上回って達せられた",
        "短期目標の達成は困難であり見直しを要する",
        "その他（状況変化などで評価困難）",
        "入浴は自立に近づいた",
    ]:  # fmt: skip
        assert _flat(expected) in text, expected
    assert text.index("短期目標1") < text.index("短期目標2")

    # The same content prints from the cache: the view returns the same job.
    response = login(world.auditor).post(reverse("monitoring:evaluation_print", args=[sheet.pk]))
    assert response["Location"] == reverse("printing:status", args=[job.pk])
