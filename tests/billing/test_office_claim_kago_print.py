"""介護給付費過誤申立書 PDF (billing/office_claim/kago_pdf.py) and the 再請求分 明細書 file
(meisai_file.live_source restricted to the re-billed clients)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from billing.models import KagoStatus
from billing.office_claim import kago, kago_pdf
from caremgmt.access import actor_for
from caremgmt.models import AccessLog, PrintJob
from caremgmt.models.audit import AccessAction
from caremgmt.models.printing import PrintJobStatus
from caremgmt.printing.pdftext import extract_pdf_text, pdf_font_names
from tests.billing.kago_helpers import MEISAI, PAGE, PRINT, new_kago, sent_cases, today
from tests.billing.office_claim_world import MONTH

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return re.sub(r"\s", "", text)


def _world_office(world) -> None:  # noqa: ANN001
    office = world.office
    office.address = "東京都千代田区一番町1-1"
    office.phone = "03-1234-5678"
    office.manager = world.manager
    office.save()


def test_pdf_has_one_document_per_insurer_with_the_rows_as_sent(
    world, login, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    _world_office(world)
    first, second = sent_cases(world, 2)
    second.insurer_number, second.insurer_name = "131016", "千代田区"
    second.save()
    first.insurer_name = "新宿区"
    first.save()
    row = new_kago(world, first)
    kago.move_kago(
        actor=actor_for(world.clerk), kago_id=row.pk, action="file", expected_version=1, on=today()
    )
    new_kago(world, second, same_month=True, reason_code="4012", reason_text="同月で訂正")
    http = login(world.clerk)
    before = set(AccessLog.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(PRINT, {"month": "2026-12", "all": "1"})
    assert response.status_code == 200  # two 保険者: a page with one link each
    jobs = list(PrintJob.objects.order_by("pk"))
    assert len(jobs) == 2 and all(job.client_id is None for job in jobs)
    text = response.content.decode()
    assert "新宿区" in text and "千代田区" in text
    texts = {}
    for job in jobs:
        job.refresh_from_db()
        assert job.status == PrintJobStatus.DONE, job.error
        with job.file.open("rb") as handle:
            data = handle.read()
        assert "IPAexGothic" in pdf_font_names(data) or any(
            "IPAex" in name for name in pdf_font_names(data)
        )
        texts[job.filename] = _flat("".join(extract_pdf_text(data)))
    shinjuku = next(t for name, t in texts.items() if first.insurer_number in name)
    chiyoda = next(t for name, t in texts.items() if "131016" in name)
    for expected in (
        "介護給付費過誤申立書",
        "新宿区長殿",
        f"事業所番号{world.office.office_number}",
        "東京都千代田区一番町1-1",
        "03-1234-5678",
        "管理者管理一郎",
        first.insured_number,
        _flat(first.name),
        "令和8年12月",
        "4002",
        "運営基準減算の算定漏れ",
        "1,411",
        "16,085円",
    ):
        assert expected in shinjuku, expected
    assert "提出日令和" in shinjuku and _flat(second.name) not in shinjuku
    assert "千代田区長殿" in chiyoda and "4012" in chiyoda and "同月で訂正" in chiyoda
    assert "令和年月日" in chiyoda  # 作成済み only: the date is written by hand
    rows = AccessLog.objects.exclude(pk__in=before).filter(action=AccessAction.PRINT)
    assert sorted(rows.values_list("client_id", flat=True)) == sorted([first.pk, second.pk])


def test_chosen_rows_only_and_nothing_chosen_is_told(world, login) -> None:  # noqa: ANN001
    first, second = sent_cases(world, 2)
    row = new_kago(world, first)
    new_kago(world, second)
    http = login(world.auditor)  # 監査 may print (reading)
    nothing = http.post(PRINT, {"month": "2026-12"})
    assert nothing.status_code == 422
    assert "過誤申立書に載せる過誤申立てを選んでください。" in nothing.content.decode()
    response = http.post(PRINT, {"month": "2026-12", "kago": [row.pk]})
    assert response.status_code == 302 and "/print/jobs/" in response["Location"]
    job = PrintJob.objects.get()
    assert _flat(first.name) in _flat(job.html) and _flat(second.name) not in _flat(job.html)
    # the job has no client id: the kind check keeps it from the care managers (their own
    # clients are on it, but so may be others')
    status_url = reverse("printing:status", args=[job.pk])
    assert http.get(status_url).status_code == 200
    assert login(world.clerk).get(status_url).status_code == 200
    for staff in (world.care_manager, world.chief, world.outsider):
        other = login(staff)
        assert other.get(status_url).status_code == 404
        assert other.get(reverse("printing:download", args=[job.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        kago_pdf.request_kago_prints(actor=actor_for(world.care_manager), kagos=[row])


def test_rebill_file_has_only_the_rebilled_clients_from_the_live_claim(world, login) -> None:  # noqa: ANN001
    withdrawn, same_month, draft = sent_cases(world, 3)
    from caremgmt.models import Membership

    Membership.objects.filter(office=world.office, staff=world.care_manager).update(
        care_manager_number="13000001"
    )
    clerk = actor_for(world.clerk)
    first = new_kago(world, withdrawn)
    kago.move_kago(actor=clerk, kago_id=first.pk, action="file", expected_version=1, on=today())
    kago.move_kago(actor=clerk, kago_id=first.pk, action="withdraw", expected_version=2, on=today())
    second = new_kago(world, same_month, same_month=True, reason_code="4012")
    kago.move_kago(actor=clerk, kago_id=second.pk, action="file", expected_version=1, on=today())
    new_kago(world, draft)
    # the withdrawn client's corrected line: 入院時情報連携加算（Ⅰ） was missed (writable while
    # the 過誤 is open)
    from billing.office_claim import services
    from billing.office_claim.claim import office_month_claim

    services.add_evidence(
        actor=clerk,
        client_id=withdrawn.pk,
        month=MONTH,
        kind="hospital_1",
        proof_on=MONTH,
        note="入院当日に情報提供",
    )
    live = {line.client.pk: line for line in office_month_claim(world.office, MONTH).lines}
    units = live[withdrawn.pk].total_units + live[same_month.pk].total_units
    yen = live[withdrawn.pk].insurance_claim_yen + live[same_month.pk].insurance_claim_yen
    assert live[withdrawn.pk].total_units > 1411  # the addition is in the re-billed line
    http = login(world.auditor)
    response = http.get(MEISAI, {"month": "2026-12"})
    assert response.status_code == 200, response.content.decode()[:500]
    assert "meisai_saiseikyu_" in response["Content-Disposition"]
    content = response.content.decode("cp932")
    assert withdrawn.insured_number in content and same_month.insured_number in content
    assert draft.insured_number not in content
    invoice = next(line for line in content.split("\r\n") if '"7111"' in line)
    assert f'"2","{units}"' in invoice and f'"{yen}"' in invoice
    rows = AccessLog.objects.filter(action=AccessAction.EXPORT)
    assert sorted(rows.values_list("client_id", flat=True)) == sorted([withdrawn.pk, same_month.pk])
    first.refresh_from_db()
    assert first.status == KagoStatus.WITHDRAWN


def test_rebill_file_without_rebilled_clients_is_refused_on_the_page(world, login) -> None:  # noqa: ANN001
    (client,) = sent_cases(world, 1)
    new_kago(world, client)
    response = login(world.clerk).get(MEISAI, {"month": "2026-12"})
    assert response.status_code == 422
    text = response.content.decode()
    assert "再請求分の明細書ファイルを作れませんでした。" in text
    assert "請求できる利用者がいないため" in text
    assert PAGE in text  # the month page re-rendered


def test_a_reduction_row_is_a_problem_not_a_server_error(world, login) -> None:  # noqa: ANN001
    """運営基準減算 (43M050, negative units [U]) cannot be written in the file's digits fields:
    the page names the client (422), nothing is exported."""
    (client,) = sent_cases(world, 1)
    from billing.office_claim import services
    from caremgmt.models import Membership

    Membership.objects.filter(office=world.office, staff=world.care_manager).update(
        care_manager_number="13000001"
    )
    clerk = actor_for(world.clerk)
    row = new_kago(world, client)
    kago.move_kago(actor=clerk, kago_id=row.pk, action="file", expected_version=1, on=today())
    kago.move_kago(actor=clerk, kago_id=row.pk, action="withdraw", expected_version=2, on=today())
    services.add_evidence(
        actor=clerk,
        client_id=client.pk,
        month=MONTH,
        kind="standard_violation",
        proof_on=MONTH,
        note="",
    )
    response = login(world.clerk).get(MEISAI, {"month": "2026-12"})
    assert response.status_code == 422
    assert "減算の行（負の単位数）は、明細書ファイルでの書き方が未確認のため書けません。" in (
        response.content.decode()
    )
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()
