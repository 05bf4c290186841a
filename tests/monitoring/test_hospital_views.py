"""Hospital screens over HTTP: bad input at the field with nothing saved, the status screen
hand-off, roles, the page's access log and query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models.office_claim import ClaimEvidence
from caremgmt.models import AccessLog
from clients.models import Client, HospitalStay
from monitoring.models import DischargeConference, OutpatientLiaison
from tests.factories import ClientFactory, DoctorFactory

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def record(world) -> Client:  # noqa: ANN001
    return ClientFactory(office=world.office, care_manager=world.care_manager)


def _stay(
    record: Client, admitted_on: dt.date, discharged_on: dt.date | None = None
) -> HospitalStay:
    return HospitalStay.objects.create(
        client=record,
        hospital_name="さくら病院",
        admitted_on=admitted_on,
        discharged_on=discharged_on,
    )


def test_admission_without_a_hospital_is_refused_at_the_field(world, login, record) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("monitoring:admission_new", args=[record.pk])
    response = http.post(url, {"hospital_name": "", "admitted_on": "2026-11-20"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="field-hospital_name"' in html and "入院先の医療機関を入力してください。" in html
    record.refresh_from_db()
    assert (record.status, HospitalStay.objects.count()) == ("contracted", 0)


def test_admission_is_recorded(world, login, record) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("monitoring:admission_new", args=[record.pk])
    today = timezone.localdate()
    response = http.post(url, {"hospital_name": "さくら病院", "admitted_on": today.isoformat()})
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:hospital", args=[record.pk])
    record.refresh_from_db()
    assert record.status == "hospitalized"
    assert HospitalStay.objects.get().admitted_on == today


def test_discharge_before_admission_is_refused_at_the_field(world, login, record) -> None:  # noqa: ANN001
    record.status = "hospitalized"
    record.save()
    stay = _stay(record, D(2026, 11, 10))
    http = login(world.care_manager)
    response = http.post(
        reverse("monitoring:discharge", args=[stay.pk]), {"discharged_on": "2026-11-09"}
    )
    assert response.status_code == 200
    assert (
        "退院日は入院日（令和8年11月10日）以降の日付にしてください。" in response.content.decode()
    )
    stay.refresh_from_db()
    record.refresh_from_db()
    assert (stay.discharged_on, record.status) == (None, "hospitalized")


def test_status_screen_leads_to_the_admission_and_discharge_forms(world, login, record) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("clients:status", args=[record.pk])
    response = http.post(url, {"status": "hospitalized", "changed_on": "2026-11-20"})
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("monitoring:admission_new", args=[record.pk]) + "?admitted_on=2026-11-20"
    )
    form = http.get(response["Location"]).content.decode()
    assert 'value="2026-11-20"' in form
    record.refresh_from_db()
    assert record.status == "contracted"  # nothing changed until the admission is saved

    record.status = "hospitalized"
    record.save()
    stay = _stay(record, D(2026, 11, 20))
    response = http.post(url, {"status": "contracted", "changed_on": "2026-11-25"})
    assert response["Location"] == (
        reverse("monitoring:discharge", args=[stay.pk]) + "?discharged_on=2026-11-25"
    )
    # 終了 still goes through the status service.
    response = http.post(
        url, {"status": "ended", "changed_on": "2026-11-25", "end_reason": "death"}
    )
    record.refresh_from_db()
    assert record.status == "ended"


def test_clerk_records_admission_but_not_liaison(world, login, record) -> None:  # noqa: ANN001
    http = login(world.clerk)
    assert http.get(reverse("monitoring:admission_new", args=[record.pk])).status_code == 200
    stay = _stay(record, D(2026, 11, 10))
    assert http.get(reverse("monitoring:conference_new", args=[stay.pk])).status_code == 403
    assert http.get(reverse("monitoring:outpatient_new", args=[record.pk])).status_code == 403
    auditor = login(world.auditor)
    assert auditor.get(reverse("monitoring:hospital", args=[record.pk])).status_code == 200
    assert auditor.get(reverse("monitoring:admission_new", args=[record.pk])).status_code == 404


def test_conference_outpatient_and_provision_over_http(world, login, record) -> None:  # noqa: ANN001
    today = timezone.localdate()
    stay = _stay(record, today - dt.timedelta(days=3))
    http = login(world.care_manager)
    response = http.post(
        reverse("monitoring:conference_new", args=[stay.pk]),
        {
            "held_on": today.isoformat(),
            "kind": "conference",
            "attendees": "主治医、MSW",
            "content": "退院後の生活について",
            "plan_review_needed": "on",
        },
    )
    assert response.status_code == 302
    assert DischargeConference.objects.get().plan_review_needed is True
    doctor = DoctorFactory(office=world.office, institution_name="みどり内科")
    response = http.post(
        reverse("monitoring:outpatient_new", args=[record.pk]),
        {
            "accompanied_on": today.isoformat(),
            "doctor": doctor.pk,
            "information_given": "生活状況",
            "information_received": "服薬の変更",
        },
    )
    assert response.status_code == 302
    assert OutpatientLiaison.objects.get().clinic == "みどり内科"
    response = http.post(
        reverse("monitoring:admission_sheet_provided", args=[stay.pk]),
        {"provided_on": today.isoformat(), "provided_method": "face", "version": ""},
    )
    assert response.status_code == 302
    kinds = set(ClaimEvidence.objects.values_list("kind", flat=True))
    assert kinds == {"outpatient"}  # provided 3 days after admission: no 入院時 加算
    page = http.get(reverse("monitoring:hospital", args=[record.pk])).content.decode()
    assert "期限後の提供（加算なし）" in page
    assert "退院前カンファレンス" in page and "退院・退所加算（Ⅰロ）600単位相当" in page
    assert "みどり内科" in page and "服薬の変更" in page
    sheet_page = http.get(reverse("monitoring:admission_sheet", args=[stay.pk])).content.decode()
    assert "面談（持参）で提供" in sheet_page


def test_other_offices_doctor_is_not_a_choice(world, login, record) -> None:  # noqa: ANN001
    outsider_doctor = DoctorFactory(office=world.other_office)
    http = login(world.care_manager)
    response = http.post(
        reverse("monitoring:outpatient_new", args=[record.pk]),
        {
            "accompanied_on": "2026-11-20",
            "doctor": outsider_doctor.pk,
            "information_given": "x",
            "information_received": "y",
        },
    )
    assert response.status_code == 200
    assert "一覧から医師を選んでください。" in response.content.decode()
    assert not OutpatientLiaison.objects.exists()


def test_hospital_page_lists_open_stay_first_logs_and_has_fixed_queries(
    world, login, record, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    for month in range(1, 9):
        _stay(record, D(2026, month, 1), D(2026, month, 10))
    open_stay = _stay(record, D(2026, 11, 1))
    http = login(world.care_manager)
    url = reverse("monitoring:hospital", args=[record.pk])
    http.get(url)  # warm the session / actor queries
    before = set(AccessLog.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(12):
        response = http.get(url)
    html = response.content.decode()
    assert html.index(f'id="stay-{open_stay.pk}"') < html.index("令和8年8月1日")
    assert list(
        AccessLog.objects.exclude(pk__in=before).values_list("client_id", "subject_type")
    ) == [(record.pk, "monitoring:hospital")]
