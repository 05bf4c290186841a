"""入院時情報提供書: prefill from the records, editing under the version lock, the PDF."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from caremgmt.access import actor_for
from caremgmt.models.printing import PrintJobStatus
from caremgmt.printing.pdftext import extract_pdf_text
from careplans.models import SupportItem
from clients.models import ClientContact, HospitalStay
from monitoring.hospital import services
from monitoring.hospital.prefill import prefill_admission_sheet
from monitoring.hospital.printing import admission_sheet_print
from monitoring.models import AdmissionInfoSheet
from tests.factories import (
    AssessmentFactory,
    BurdenRatioFactory,
    CarePlanFactory,
    CertificationFactory,
    ClientFactory,
    DoctorFactory,
    GoalFactory,
    NeedFactory,
    ServiceProviderFactory,
)

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # noqa: ANN001, ANN201
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def stay(world) -> HospitalStay:  # noqa: ANN001
    world.office.phone = "03-1234-5678"
    world.office.save()
    doctor = DoctorFactory(
        office=world.office,
        institution_name="みどり内科",
        doctor_name="緑 一郎",
        phone="03-2222-3333",
    )
    client = ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        name="青木 トメ",
        name_kana="アオキ トメ",
        living_situation="alone",
        primary_doctor=doctor,
        status="hospitalized",
    )
    certification = CertificationFactory(client=client, care_level="23")
    BurdenRatioFactory(client=client, ratio=2)
    ClientContact.objects.create(
        client=client,
        name="青木 花子",
        relationship="長女",
        is_primary_caregiver=True,
        phone="090-1111-2222",
    )
    plan = CarePlanFactory(client=client, certification=certification)
    plan.status = "confirmed"
    plan.consented_on = plan.delivered_on = D(2026, 4, 8)
    plan.wishes_and_analysis = "自宅で暮らし続けたい"
    plan.save()
    goal = GoalFactory(need=NeedFactory(plan=plan))
    SupportItem.objects.create(
        goal=goal,
        order=1,
        content="入浴介助",
        service_type="11",
        provider=ServiceProviderFactory(office=world.office, name="ひまわり訪問介護"),
        frequency="週2回",
        period_from=D(2026, 4, 10),
    )
    AssessmentFactory(
        client=client,
        assessed_on=D(2026, 10, 1),
        item_set="2023-10",
        answers={"10": {"diseases": "高血圧症", "note": "朝夕に服薬"}, "11": {"adl_5": "一部介助"}},
    )
    return HospitalStay.objects.create(
        client=client, hospital_name="さくら病院", admitted_on=D(2026, 11, 20), ward_contact="3階東"
    )


def test_prefill_comes_from_the_records(stay, world) -> None:  # noqa: ANN001
    content = prefill_admission_sheet(stay)
    assert "氏名：青木 トメ（アオキ トメ）" in content["basics"]
    assert "要介護度：要介護3" in content["certification"]
    assert "負担割合：2割" in content["certification"]
    assert "みどり内科" in content["doctor"] and "03-2222-3333" in content["doctor"]
    assert "青木 花子（長女）" in content["family"] and "主介護者" in content["family"]
    assert "090-1111-2222" in content["family"]
    assert "世帯状況：独居" in content["living"]
    assert "入浴介助" in content["services"] and "ひまわり訪問介護" in content["services"]
    assert "主な病名：高血圧症" in content["health"] and "朝夕に服薬" in content["health"]
    assert "移乗：一部介助" in content["health"]
    assert content["wishes"] == "自宅で暮らし続けたい"
    assert "担当：担当 花子" in content["care_manager"]
    assert "電話：03-1234-5678" in content["care_manager"]


def test_sheet_is_edited_and_saved_section_by_section(stay, world, login) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("monitoring:admission_sheet", args=[stay.pk])
    page = http.get(url)
    assert page.status_code == 200
    assert "青木 花子（長女）" in page.content.decode()
    assert not AdmissionInfoSheet.objects.exists()  # nothing stored until saved
    data = {f"section_{key}": text for key, text in prefill_admission_sheet(stay).items()}
    data["section_requests"] = "退院前カンファレンスへの参加を希望します"
    assert http.post(url, {**data, "version": ""}).status_code == 302
    sheet = AdmissionInfoSheet.objects.get()
    assert sheet.content["requests"] == "退院前カンファレンスへの参加を希望します"
    assert sheet.version == 1


def test_stale_sheet_edit_is_refused(stay, world, login) -> None:  # noqa: ANN001
    url = reverse("monitoring:admission_sheet", args=[stay.pk])
    first, second = login(world.care_manager), login(world.manager)
    data = {f"section_{key}": text for key, text in prefill_admission_sheet(stay).items()}
    assert first.post(url, {**data, "version": "", "section_requests": "先"}).status_code == 302
    refused = second.post(url, {**data, "version": "", "section_requests": "古い画面の内容"})
    assert refused.status_code == 409
    assert "他の職員" in refused.content.decode() and "古い画面の内容" in refused.content.decode()
    assert AdmissionInfoSheet.objects.get().content["requests"] == "先"


def test_auditor_reads_but_cannot_save(stay, world, login) -> None:  # noqa: ANN001
    http = login(world.auditor)
    url = reverse("monitoring:admission_sheet", args=[stay.pk])
    assert http.get(url).status_code == 200
    assert http.post(url, {"section_requests": "x"}).status_code == 403
    assert not AdmissionInfoSheet.objects.exists()


def _flat(text: str) -> str:
    return re.sub(r"\s", "", text)


def test_pdf_has_the_headings_and_the_prefilled_facts(
    stay, world, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001, E501
    actor = actor_for(world.care_manager)
    services.admission_sheet_provided(
        actor=actor,
        stay=stay,
        expected_version=None,
        provided_on=D(2026, 11, 20),
        provided_method="fax",
        provided_to="地域連携室 山田",
        after_hours=False,
        today=D(2026, 11, 27),
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = admission_sheet_print(actor=actor, stay=stay)
    job.refresh_from_db()
    assert job.status == PrintJobStatus.DONE, job.error
    with job.file.open("rb") as handle:
        text = _flat("".join(extract_pdf_text(handle.read())))
    for expected in (
        "入院時情報提供書",
        "利用者名青木トメ様",
        "さくら病院",
        "令和8年11月20日",
        "地域連携室山田",
        "利用者の基本情報",
        "介護保険の認定・負担割合",
        "家族構成・キーパーソン・連絡先",
        "入院前の介護サービス等の利用状況",
        "心身の状況",
        "担当介護支援専門員・事業所の連絡先",
        "要介護度：要介護3",
        "青木花子（長女）",
        "ひまわり訪問介護",
        "高血圧症",
        "担当花子",
    ):
        assert expected in text, expected
