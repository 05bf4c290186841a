"""Deleting a provider's report: confirmation first (logged), then the row goes and the file
is removed from storage only after the transaction commits; other caseloads / offices get
404, 事務 and 監査 403."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from caremgmt.models import AccessLog
from monitoring.models import ProviderReport
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world, settings, tmp_path) -> ProviderReport:  # noqa: ANN001
    settings.MEDIA_ROOT = str(tmp_path)
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    report = ProviderReport(
        client=client,
        month=dt.date(2026, 10, 1),
        original_name="10月報告書.pdf",
        received_on=dt.date(2026, 10, 31),
        uploaded_by=world.care_manager,
    )
    report.file.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    report.save()
    return report


def test_delete_confirms_then_removes_row_and_file_after_commit(
    world, login, report, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("monitoring:report_delete", args=[report.pk])
    page = http.get(url)
    assert page.status_code == 200 and "10月報告書.pdf" in page.content.decode()
    assert AccessLog.objects.filter(
        client_id=report.client_id, subject_type="monitoring:provider_report_delete"
    ).exists()
    name = report.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = http.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:client_records", args=[report.client_id])
    assert not ProviderReport.objects.filter(pk=report.pk).exists()
    assert default_storage.exists(name)  # not before the commit
    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_other_caseload_and_office_get_404(world, login, report, who) -> None:  # noqa: ANN001
    url = reverse("monitoring:report_delete", args=[report.pk])
    assert login(getattr(world, who)).post(url).status_code == 404
    assert login(getattr(world, who)).get(url).status_code == 404
    assert ProviderReport.objects.filter(pk=report.pk).exists()
    assert default_storage.exists(report.file.name)


@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_clerk_and_auditor_get_403(world, login, report, role) -> None:  # noqa: ANN001
    url = reverse("monitoring:report_delete", args=[report.pk])
    assert login(getattr(world, role)).post(url).status_code == 403
    assert ProviderReport.objects.filter(pk=report.pk).exists()
