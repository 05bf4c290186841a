"""Print jobs end to end with the real database and a real WeasyPrint render."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from caremgmt.access import actor_for
from caremgmt.models import AccessLog, PrintJob
from caremgmt.models.audit import AccessAction
from caremgmt.models.printing import PrintJobStatus
from caremgmt.printing import registry, services
from caremgmt.printing import rendering as print_rendering
from caremgmt.printing.pdftext import extract_pdf_text
from caremgmt.printing.services import (
    IllegalPrintJobTransition,
    print_job_render,
    print_job_request,
)
from caremgmt.printing.transitions import move_job

SAMPLE = """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<link rel="stylesheet" href="css/print.css"></head>
<body><h1>居宅サービス計画書(1)</h1><p>利用者 {name} 様</p></body></html>"""


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # noqa: ANN001, ANN201
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def own_client(world):  # noqa: ANN001, ANN201
    from tests.factories import ClientFactory

    return ClientFactory(office=world.office, care_manager=world.care_manager, name="髙橋 﨑子")


@pytest.fixture
def render_count(monkeypatch):  # noqa: ANN001, ANN201
    """Count real renders (the real WeasyPrint still runs)."""
    calls: list[int] = []
    real = print_rendering.render_pdf

    def counting(html: str):  # noqa: ANN202
        calls.append(1)
        return real(html)

    monkeypatch.setattr(print_rendering, "render_pdf", counting)
    return calls


def request_job(world, client, django_capture_on_commit_callbacks, name="髙橋 﨑子", **kw):  # noqa: ANN001, ANN003, ANN201
    with django_capture_on_commit_callbacks(execute=True):
        job = print_job_request(
            actor=actor_for(world.care_manager),
            kind="careplan_table1",
            subject_id=kw.pop("subject_id", 501),
            client_id=client.pk,
            html=SAMPLE.format(name=name),
            filename="第1表_髙橋.pdf",
        )
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_request_renders_a_real_pdf(world, own_client, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    job = request_job(world, own_client, django_capture_on_commit_callbacks)
    assert job.status == PrintJobStatus.DONE
    assert (job.page_count, job.attempts, job.error) == (1, 1, "")
    assert job.office == world.office and job.requested_by == world.care_manager
    assert job.started_at <= job.finished_at
    data = job.file.read()
    assert data.startswith(b"%PDF-") and job.byte_size == len(data)
    assert job.file.name.startswith(f"print/{world.office.pk}/")
    assert "利用者 髙橋 﨑子 様" in extract_pdf_text(data)[0]
    assert len(job.content_hash) == 64


@pytest.mark.django_db
def test_same_html_is_a_cache_hit_and_changed_html_a_new_job(
    world, own_client, render_count, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    first = request_job(world, own_client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks() as callbacks:
        again = print_job_request(
            actor=actor_for(world.manager),
            kind="careplan_table1",
            subject_id=501,
            client_id=own_client.pk,
            html=SAMPLE.format(name="髙橋 﨑子"),
            filename="x.pdf",
        )
    assert again.pk == first.pk and again.status == PrintJobStatus.DONE
    assert callbacks == [] and len(render_count) == 1
    changed = request_job(world, own_client, django_capture_on_commit_callbacks, name="髙橋 花子")
    assert changed.pk != first.pk and changed.status == PrintJobStatus.DONE
    assert len(render_count) == 2 and PrintJob.objects.count() == 2


@pytest.mark.django_db
def test_task_is_enqueued_only_after_commit(
    world, own_client, render_count, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    actor = actor_for(world.care_manager)
    arguments = dict(
        kind="careplan_table1", subject_id=7, client_id=own_client.pk, filename="a.pdf"
    )
    with django_capture_on_commit_callbacks() as callbacks:
        job = print_job_request(actor=actor, html=SAMPLE.format(name="A"), **arguments)
        assert PrintJob.objects.get(pk=job.pk).status == PrintJobStatus.QUEUED
    assert len(callbacks) == 1 and render_count == []
    callbacks[0]()
    assert PrintJob.objects.get(pk=job.pk).status == PrintJobStatus.DONE

    # A rolled-back request sends nothing and leaves no row.
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        print_job_request(actor=actor, html=SAMPLE.format(name="B"), **arguments)
        raise RuntimeError("the view failed after requesting the print")
    assert callbacks == [] and PrintJob.objects.count() == 1


@pytest.mark.django_db
def test_render_is_idempotent_and_transitions_are_explicit(
    world, own_client, render_count, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001, E501
    job = request_job(world, own_client, django_capture_on_commit_callbacks)
    assert print_job_render(job_id=job.pk) == PrintJobStatus.DONE  # redelivered message
    assert print_job_render(job_id=10**9) == "missing"
    assert len(render_count) == 1 and PrintJob.objects.get(pk=job.pk).attempts == 1
    with pytest.raises(IllegalPrintJobTransition):
        services.print_job_retry(actor=actor_for(world.care_manager), job=job)
    with pytest.raises(IllegalPrintJobTransition):
        move_job(job.pk, PrintJobStatus.DONE, PrintJobStatus.QUEUED)


@pytest.mark.django_db
def test_failed_render_shows_japanese_error_and_retry_works(
    world, own_client, login, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    real = print_rendering.render_pdf

    def broken(html: str):  # noqa: ANN202
        raise ValueError("layout exploded")

    monkeypatch.setattr(print_rendering, "render_pdf", broken)
    job = request_job(world, own_client, django_capture_on_commit_callbacks)
    assert job.status == PrintJobStatus.FAILED
    assert job.error == "ValueError: layout exploded" and not job.file

    http = login(world.care_manager)
    status_url = reverse("printing:status", kwargs={"pk": job.pk})
    fragment = http.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "PDFを作成できませんでした。" in fragment
    assert "もう一度作成する" in fragment and "every 1s" not in fragment
    assert http.get(reverse("printing:download", kwargs={"pk": job.pk})).status_code == 404

    monkeypatch.setattr(print_rendering, "render_pdf", real)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            reverse("printing:retry", kwargs={"pk": job.pk}), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (PrintJobStatus.DONE, 2, "")
    # The retry answered with the fragment as it stood at commit time (queued → polling).
    assert "PDFを作成しています…" in response.content.decode()
    done = http.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "PDFをダウンロード" in done and "hx-trigger" not in done


@pytest.mark.django_db
def test_status_fragment_polls_every_second_while_queued(world, own_client, login) -> None:  # noqa: ANN001
    job = PrintJob.objects.create(
        office=world.office,
        client_id=own_client.pk,
        kind="ticket",
        subject_id=1,
        content_hash="0" * 64,
        filename="t.pdf",
        html="<p>x</p>",
        requested_by=world.care_manager,
    )
    http = login(world.care_manager)
    url = reverse("printing:status", kwargs={"pk": job.pk})
    fragment = http.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "PDFを作成しています…" in fragment
    assert f'hx-get="{url}"' in fragment and 'hx-trigger="every 1s"' in fragment
    assert "<html" not in fragment
    page = http.get(url).content.decode()
    assert "<html" in page and "PDFを作成しています…" in page


@pytest.mark.django_db
def test_download_serves_the_pdf_and_writes_an_access_log_row(
    world, own_client, login, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    job = request_job(world, own_client, django_capture_on_commit_callbacks)
    response = login(world.care_manager).get(reverse("printing:download", kwargs={"pk": job.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    (log,) = AccessLog.objects.all()
    assert (log.action, log.staff, log.office_id) == (
        AccessAction.PRINT,
        world.care_manager,
        world.office.pk,
    )
    assert (log.client_id, log.subject_type, log.subject_id) == (
        own_client.pk,
        "careplan_table1",
        501,
    )


@pytest.mark.django_db
def test_scoping_other_office_colleague_and_anonymous(
    world, own_client, login, client, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    job = request_job(world, own_client, django_capture_on_commit_callbacks)
    urls = [
        reverse("printing:status", kwargs={"pk": job.pk}),
        reverse("printing:download", kwargs={"pk": job.pk}),
    ]
    with registry.override_client_checks(registry.model_client_check("clients.Client")):
        for url in urls:
            assert login(world.outsider).get(url).status_code == 404
            assert login(world.colleague).get(url).status_code == 404
            assert login(world.manager).get(url).status_code == 200
            anonymous = client.get(url)
            assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
        with pytest.raises(PermissionDenied):
            print_job_request(
                actor=actor_for(world.colleague),
                kind="careplan_table1",
                subject_id=9,
                client_id=own_client.pk,
                html="<p>x</p>",
                filename="x.pdf",
            )
    # Refused requests write no access row.
    assert not AccessLog.objects.filter(staff=world.colleague).exists()
    # Default with nothing registered: office-wide only (documented; clients must register).
    with registry.override_client_checks():
        assert login(world.colleague).get(urls[0]).status_code == 200
        assert login(world.outsider).get(urls[0]).status_code == 404
    assert not AccessLog.objects.filter(staff=world.outsider).exists()
    # The status page the colleague was shown is logged (it names the client's document).
    assert list(
        AccessLog.objects.filter(staff=world.colleague).values_list(
            "subject_type", "subject_id", "client_id"
        )
    ) == [("print_job", job.pk, own_client.pk)]


def test_registering_the_same_check_twice_is_harmless() -> None:
    with registry.override_client_checks():
        registry.register_client_check(registry.model_client_check("clients.Client"))
        registry.register_client_check(registry.model_client_check("clients.Client"))
        assert len(registry.registered_client_checks()) == 1
