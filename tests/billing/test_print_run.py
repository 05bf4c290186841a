"""Print the whole month (一括印刷): every document once, reuse, merge, concurrency, scoping.

Real database, Celery eager (on-commit callbacks executed by the capture fixture). The PDF
renderer is replaced by a fast one that still writes real PDFs (pypdf blank pages, 2 for a
利用票 and 1 for a 提供票) so page counts can be checked; one test renders with WeasyPrint.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from billing import print_run as service
from billing import print_run_worker
from billing.models import PrintRun, PrintRunItem, PrintRunMerge, PrintRunStatus
from billing.printing import PROVIDER, month_documents
from billing.tasks import build_print_run
from billing.tickets.generate import generate_ticket
from billing.tickets.services import ticket_set_day
from billing.tickets.snapshot import ticket_snapshot
from caremgmt.access import actor_for
from caremgmt.models import AccessLog, PrintJob
from caremgmt.models.audit import AccessAction
from caremgmt.models.printing import PrintJobStatus
from caremgmt.printing import rendering
from tests.billing.ticket_world import make_ticket_world

DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # noqa: ANN001, ANN201
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def renders(monkeypatch):  # noqa: ANN001, ANN201
    """A fast renderer writing real PDFs; returns the list of rendered HTML (one per render)."""
    calls: list[str] = []

    def fake(html: str) -> rendering.RenderedPdf:
        calls.append(html)
        pages = 1 if "提供票" in html else 2
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(width=842, height=595)
        buffer = io.BytesIO()
        writer.write(buffer)
        return rendering.RenderedPdf(data=buffer.getvalue(), page_count=pages)

    monkeypatch.setattr(rendering, "render_pdf", fake)
    return calls


def _tickets(world, count: int, care_manager=None, kana_prefix: str = "ア"):  # noqa: ANN001, ANN202
    tickets = []
    for index in range(count):
        tw = make_ticket_world(world.office, care_manager or world.care_manager)
        # Reverse フリガナ order to creation order, so the merge order is checked.
        tw.client.name_kana = f"{kana_prefix}{chr(ord('ン') - index)}"
        tw.client.save(update_fields=["name_kana"])
        ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
        tickets.append(ticket)
    return tickets


def _start(actor, capture, care_manager_id=None):  # noqa: ANN001, ANN202
    with capture(execute=True):
        run = service.start_print_run(actor=actor, month=DECEMBER, care_manager_id=care_manager_id)
    run.refresh_from_db()
    return run


def _finish(run, capture):  # noqa: ANN001, ANN202
    """What the progress poll does once every document is done: merge (eagerly here)."""
    run.refresh_from_db()  # the poll loads the run fresh
    with capture(execute=True):
        progress = service.run_progress(run)
    run.refresh_from_db()
    return progress


def test_run_builds_every_document_once_and_merges_per_care_manager(
    world, renders, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    tickets = _tickets(world, 3)
    actor = actor_for(world.care_manager)
    run = _start(actor, django_capture_on_commit_callbacks)
    assert run.status == PrintRunStatus.RENDERING
    expected = {
        (ticket.pk, document, provider_id)
        for ticket in tickets
        for document, provider_id in month_documents(ticket_snapshot(ticket))
    }
    items = list(PrintRunItem.objects.filter(run=run).select_related("job"))
    assert {(i.ticket_id, i.document, i.provider_id) for i in items} == expected
    assert len(items) == len(expected) == 3 * 5  # 本人用 + 控え + 3 提供票
    assert all(item.job.status == PrintJobStatus.DONE for item in items)
    assert run.ticket_total == 3

    _finish(run, django_capture_on_commit_callbacks)
    assert run.status == PrintRunStatus.DONE
    merge = PrintRunMerge.objects.get(run=run)
    assert merge.care_manager_id == world.care_manager.pk
    assert merge.document_count == len(items)
    pages = sum(item.job.page_count for item in items)
    assert merge.page_count == pages == 3 * (2 + 2 + 3)
    with merge.file.open("rb") as handle:
        assert len(PdfReader(handle).pages) == pages
    # フリガナ order: the last created client (smallest kana) comes first.
    order = list(
        PrintRunItem.objects.filter(run=run)
        .order_by("client_kana", "ticket__client_id", "position")
        .values_list("ticket_id", flat=True)
    )
    assert order[0] == tickets[-1].pk and order[-1] == tickets[0].pk


def test_unchanged_documents_are_reused_and_a_changed_ticket_re_renders(
    world, renders, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    tickets = _tickets(world, 2)
    actor = actor_for(world.care_manager)
    first = _start(actor, django_capture_on_commit_callbacks)
    _finish(first, django_capture_on_commit_callbacks)
    rendered = len(renders)
    assert service.run_progress(first).counts.reused == 0

    second = _start(actor, django_capture_on_commit_callbacks)
    counts = print_run_worker.run_counts(second.pk)
    assert len(renders) == rendered  # nothing rendered again
    assert counts.reused == counts.total == counts.done == 10
    _finish(second, django_capture_on_commit_callbacks)
    assert second.status == PrintRunStatus.DONE
    assert PrintRunMerge.objects.get(run=second).page_count == 2 * (2 + 2 + 3)

    ticket = tickets[0]
    row = ticket.rows.get(service_code="111211")
    ticket_set_day(
        actor=actor, ticket=ticket, row_id=row.pk, day=5, on=True, expected_version=ticket.version
    )
    third = _start(actor, django_capture_on_commit_callbacks)
    counts = print_run_worker.run_counts(third.pk)
    assert 0 < len(renders) - rendered <= 5  # only the changed client's documents
    assert counts.reused == 5 + 5 - (len(renders) - rendered)
    assert counts.done == counts.total == 10


def test_second_start_for_the_same_scope_is_refused_by_the_database(
    world, renders, django_capture_on_commit_callbacks, login
) -> None:  # noqa: ANN001
    _tickets(world, 1)
    actor = actor_for(world.care_manager)
    with django_capture_on_commit_callbacks(execute=False):
        run = service.start_print_run(actor=actor, month=DECEMBER)
    with pytest.raises(service.PrintRunBusy) as busy:
        service.start_print_run(actor=actor, month=DECEMBER)
    assert busy.value.run == run
    # The partial unique index, not a Python check: a raw insert fails too.
    with pytest.raises(IntegrityError), transaction.atomic():
        PrintRun.objects.create(
            office=world.office,
            month=DECEMBER,
            care_manager=world.care_manager,
            started_by=world.manager,
            status=PrintRunStatus.BUILDING,
        )
    # ... the office scope is a different scope (null is one value: nulls not distinct).
    office_run = service.start_print_run(actor=actor_for(world.manager), month=DECEMBER)
    with pytest.raises(service.PrintRunBusy):
        service.start_print_run(actor=actor_for(world.clerk), month=DECEMBER)
    # Through the page: told that one is running, sent to it, nothing created.
    response = login(world.care_manager).post(reverse("billing:print_runs"), {"month": "2026-12"})
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:print_run", kwargs={"pk": run.pk})
    assert PrintRun.objects.count() == 2
    # Once the first is finished a new run may start.
    PrintRun.objects.filter(pk=run.pk).update(status=PrintRunStatus.DONE)
    assert service.start_print_run(actor=actor, month=DECEMBER).pk not in (run.pk, office_run.pk)


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing in the build catches it."""


def test_a_run_cut_off_mid_way_completes_with_every_document_exactly_once(
    world, renders, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    tickets = _tickets(world, 3)
    actor = actor_for(world.care_manager)
    with django_capture_on_commit_callbacks(execute=False):
        run = service.start_print_run(actor=actor, month=DECEMBER)

    real_build = print_run_worker._build_ticket
    built: list[int] = []

    def dying_build(run, actor, ticket):  # noqa: ANN001, ANN202
        if len(built) == 2:
            raise WorkerKilled  # killed while requesting the third ticket's documents
        real_build(run, actor, ticket)
        built.append(ticket.pk)

    monkeypatch.setattr(print_run_worker, "_build_ticket", dying_build)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkerKilled):
        build_print_run.delay(run.pk)
    run.refresh_from_db()
    assert run.status == PrintRunStatus.BUILDING
    assert PrintRunItem.objects.filter(run=run).values("ticket").distinct().count() == 2
    # One document was being rendered when its worker died too.
    stuck = PrintRunItem.objects.filter(run=run).first().job
    PrintJob.objects.filter(pk=stuck.pk).update(
        status=PrintJobStatus.RENDERING, started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    monkeypatch.setattr(print_run_worker, "_build_ticket", real_build)

    # The redelivered message (acks_late) and a 再実行 both resume; running both is harmless.
    with django_capture_on_commit_callbacks(execute=True):
        build_print_run.delay(run.pk)
    with django_capture_on_commit_callbacks(execute=True):
        service.retry_print_run(actor=actor, run=run)
    _finish(run, django_capture_on_commit_callbacks)
    assert run.status == PrintRunStatus.DONE
    keys = list(
        PrintRunItem.objects.filter(run=run).values_list("ticket", "document", "provider_id")
    )
    assert len(keys) == len(set(keys)) == 15
    assert {key[0] for key in keys} == {ticket.pk for ticket in tickets}
    jobs = PrintJob.objects.filter(pk__in=PrintRunItem.objects.filter(run=run).values("job"))
    assert all(job.status == PrintJobStatus.DONE for job in jobs)
    # Every job rendered once, plus the stuck one again after its reset (its first render
    # is the one the killed worker never finished).
    assert len(renders) == jobs.count() + 1
    assert PrintRunMerge.objects.get(run=run).document_count == 15


def test_failed_documents_are_shown_and_retried(
    world, monkeypatch, django_capture_on_commit_callbacks, login
) -> None:  # noqa: ANN001
    _tickets(world, 1)
    tw_client = PrintRunItem  # noqa: F841 - keeps imports honest for readers

    def broken(html: str) -> rendering.RenderedPdf:
        raise OSError("disk full")

    monkeypatch.setattr(rendering, "render_pdf", broken)
    run = _start(actor_for(world.care_manager), django_capture_on_commit_callbacks)
    http = login(world.care_manager)
    page = http.get(
        reverse("billing:print_run", kwargs={"pk": run.pk}), headers={"HX-Request": "true"}
    )
    text = page.content.decode()
    assert "PDFを作成できなかった帳票があります" in text and "再実行する" in text
    assert "サービス利用票・別表（本人用）" in text
    run.refresh_from_db()
    assert run.status == PrintRunStatus.RENDERING  # not merged with documents missing

    calls: list[str] = []

    def working(html: str) -> rendering.RenderedPdf:
        calls.append(html)
        writer = PdfWriter()
        writer.add_blank_page(width=842, height=595)
        buffer = io.BytesIO()
        writer.write(buffer)
        return rendering.RenderedPdf(data=buffer.getvalue(), page_count=1)

    monkeypatch.setattr(rendering, "render_pdf", working)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("billing:print_run_retry", kwargs={"pk": run.pk}))
    assert response.status_code == 302
    assert len(calls) == 5  # 本人用, 控え and one 提供票 per provider (3)
    _finish(run, django_capture_on_commit_callbacks)
    assert run.status == PrintRunStatus.DONE


def test_office_run_makes_one_pdf_per_care_manager_and_download_is_stored_once(
    world, renders, django_capture_on_commit_callbacks, login
) -> None:  # noqa: ANN001
    _tickets(world, 2)
    _tickets(world, 1, care_manager=world.colleague)
    run = _start(actor_for(world.clerk), django_capture_on_commit_callbacks)
    assert run.care_manager_id is None
    _finish(run, django_capture_on_commit_callbacks)
    merges = {m.care_manager_id: m for m in PrintRunMerge.objects.filter(run=run)}
    assert set(merges) == {world.care_manager.pk, world.colleague.pk}
    assert merges[world.care_manager.pk].document_count == 10
    assert merges[world.colleague.pk].document_count == 5

    merge = merges[world.care_manager.pk]
    url = reverse("billing:print_run_download", kwargs={"pk": run.pk, "merge_pk": merge.pk})
    for staff in (world.manager, world.auditor):
        before = AccessLog.objects.count()
        response = login(staff).get(url)
        assert response.status_code == 200
        data = b"".join(response.streaming_content)
        assert len(PdfReader(io.BytesIO(data)).pages) == merge.page_count
        rows = AccessLog.objects.order_by("pk")[before:]
        assert [row.action for row in rows] == [AccessAction.PRINT] * 2
    assert PrintRunMerge.objects.filter(run=run).count() == 2  # not merged again
    # The office run is not visible to a care manager (their own runs are).
    assert login(world.care_manager).get(url).status_code == 404
    page = login(world.manager).get(reverse("billing:print_run", kwargs={"pk": run.pk}))
    assert page.status_code == 200
    assert "ダウンロード" in page.content.decode() and "hx-trigger" not in page.content.decode()


def test_care_manager_run_covers_only_their_caseload(
    world, renders, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    own = _tickets(world, 1)
    _tickets(world, 1, care_manager=world.colleague)
    run = _start(actor_for(world.care_manager), django_capture_on_commit_callbacks)
    assert run.care_manager_id == world.care_manager.pk
    assert set(PrintRunItem.objects.filter(run=run).values_list("ticket", flat=True)) == {own[0].pk}
    # A care manager cannot ask for a colleague's caseload.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        service.start_print_run(
            actor=actor_for(world.colleague), month=DECEMBER, care_manager_id=world.care_manager.pk
        )


def test_access_matrix(world, login, client, django_capture_on_commit_callbacks, renders) -> None:  # noqa: ANN001
    _tickets(world, 1)
    run = _start(actor_for(world.care_manager), django_capture_on_commit_callbacks)
    _finish(run, django_capture_on_commit_callbacks)
    merge = PrintRunMerge.objects.get(run=run)
    page = reverse("billing:print_run", kwargs={"pk": run.pk})
    download = reverse("billing:print_run_download", kwargs={"pk": run.pk, "merge_pk": merge.pk})
    retry = reverse("billing:print_run_retry", kwargs={"pk": run.pk})
    start = reverse("billing:print_runs")
    runs_before = PrintRun.objects.count()

    assert client.get(page).status_code == 302  # anonymous → login
    for stranger in (world.colleague, world.outsider):
        http = login(stranger)
        assert http.get(page).status_code == 404
        assert http.get(page, headers={"HX-Request": "true"}).status_code == 404
        assert http.get(download).status_code == 404
        assert http.post(retry).status_code == 404
    for reader in (world.care_manager, world.manager, world.clerk, world.auditor):
        assert login(reader).get(page).status_code == 200, reader
        assert login(reader).get(download).status_code == 200, reader
    # 監査 may look and download, not start or re-run: 404 and nothing written.
    auditor = login(world.auditor)
    assert "一括印刷を開始する" not in auditor.get(start).content.decode()
    assert auditor.post(start, {"month": "2026-12"}).status_code == 404
    assert auditor.post(retry).status_code == 404
    assert PrintRun.objects.count() == runs_before
    # Another office's manager sees none of this office's runs in the list.
    assert "2026年12月" not in login(world.outsider).get(start).content.decode()


def test_bad_month_is_refused_at_the_field(world, login) -> None:  # noqa: ANN001
    response = login(world.care_manager).post(reverse("billing:print_runs"), {"month": "2026-13"})
    assert response.status_code == 200
    assert "年月を正しく入力してください" in response.content.decode()
    assert not PrintRun.objects.exists()
    response = login(world.manager).post(
        reverse("billing:print_runs"), {"month": "2026-12", "scope": str(world.outsider.pk)}
    )
    assert "範囲を一覧から選んでください" in response.content.decode()
    assert not PrintRun.objects.exists()


def test_start_page_starts_a_run_and_redirects_to_its_progress(
    world, login, renders, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    _tickets(world, 1)
    http = login(world.manager)
    assert 'type="month"' in http.get(reverse("billing:print_runs")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            reverse("billing:print_runs"), {"month": "2026-12", "scope": str(world.care_manager.pk)}
        )
    run = PrintRun.objects.get()
    assert response["Location"] == reverse("billing:print_run", kwargs={"pk": run.pk})
    assert run.care_manager_id == world.care_manager.pk and run.started_by_id == world.manager.pk
    assert PrintRunItem.objects.filter(run=run).count() == 5


@pytest.mark.parametrize("clients", [1, 4])
def test_progress_poll_has_a_fixed_query_count(
    world, login, clients, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    _tickets(world, clients)
    with django_capture_on_commit_callbacks(execute=False):  # queued, not rendered: polling
        run = service.start_print_run(actor=actor_for(world.care_manager), month=DECEMBER)
    with django_capture_on_commit_callbacks(execute=False):
        print_run_worker.build_run(run.pk)
    http = login(world.care_manager)
    url = reverse("billing:print_run", kwargs={"pk": run.pk})
    # session, user, memberships, session save (savepoint, update, release) + the run and
    # one aggregate of the counts; no failures, no merges, so no access rows. Same for 1 or 4.
    with django_assert_max_num_queries(8):
        response = http.get(url, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert 'hx-trigger="every 2s"' in text
    assert f"PDF 0 / {5 * clients} 件" in text


def test_progress_page_logs_each_client_of_the_run(
    world, login, renders, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    tickets = _tickets(world, 2)
    run = _start(actor_for(world.care_manager), django_capture_on_commit_callbacks)
    before = AccessLog.objects.count()
    login(world.care_manager).get(reverse("billing:print_run", kwargs={"pk": run.pk}))
    rows = AccessLog.objects.order_by("pk")[before:]
    assert sorted(row.client_id for row in rows) == sorted(t.client_id for t in tickets)
    assert {row.subject_type for row in rows} == {"print_run"}


def test_merged_pdf_of_real_renders_has_every_page(
    world, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    """WeasyPrint for real: the merged file's page count is the sum of the documents'."""
    _tickets(world, 1)
    run = _start(actor_for(world.care_manager), django_capture_on_commit_callbacks)
    _finish(run, django_capture_on_commit_callbacks)
    merge = PrintRunMerge.objects.get(run=run)
    items = PrintRunItem.objects.filter(run=run).select_related("job")
    assert merge.page_count == sum(item.job.page_count for item in items) >= 5
    assert {item.document for item in items} >= {PROVIDER}
    with merge.file.open("rb") as handle:
        from caremgmt.printing.pdftext import extract_pdf_text

        pages = extract_pdf_text(handle.read())
    assert len(pages) == merge.page_count


def test_a_run_that_stopped_moving_offers_retry_and_stops_polling(
    world, login, renders, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    """The build message was lost (Redis restarted, worker killed before the ack): after
    STALE_AFTER without progress the page says so, stops polling and offers 再実行."""
    _tickets(world, 1)
    with django_capture_on_commit_callbacks(execute=False):  # the build never runs
        run = service.start_print_run(actor=actor_for(world.care_manager), month=DECEMBER)
    PrintRun.objects.filter(pk=run.pk).update(updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    http = login(world.care_manager)
    url = reverse("billing:print_run", kwargs={"pk": run.pk})
    text = http.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "処理が止まった可能性があります" in text and "hx-trigger" not in text
    assert "再実行する" in text
    # 監査 sees the state but gets no button.
    assert "再実行する" not in login(world.auditor).get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        fragment = http.post(
            reverse("billing:print_run_retry", kwargs={"pk": run.pk}),
            headers={"HX-Request": "true"},
        )
    assert fragment.status_code == 200
    assert 'hx-trigger="every 2s"' in fragment.content.decode()  # queued again: polling
    run.refresh_from_db()
    assert run.status == PrintRunStatus.RENDERING  # built; the next poll merges
    _finish(run, django_capture_on_commit_callbacks)
    assert run.status == PrintRunStatus.DONE


@pytest.mark.parametrize("runs", [1, 3])
def test_run_list_has_a_fixed_query_count(
    world, login, runs, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    for index in range(runs):
        PrintRun.objects.create(
            office=world.office,
            month=dt.date(2026, 1 + index, 1),
            care_manager=world.care_manager,
            started_by=world.care_manager,
            status=PrintRunStatus.DONE,
        )
    http = login(world.care_manager)
    # session, user, memberships, session save (3) + the runs with their counts (one query)
    with django_assert_max_num_queries(7):
        response = http.get(reverse("billing:print_runs"))
    assert response.content.decode().count("billing/print-runs/") >= runs


def test_a_ticket_that_cannot_be_built_fails_the_run_by_name_and_retry_finishes_it(
    world, renders, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    tickets = _tickets(world, 2)
    broken_id = tickets[0].pk
    real_snapshot = print_run_worker.ticket_snapshot

    def snapshot(ticket):  # noqa: ANN001, ANN202
        if ticket.pk == broken_id:
            raise ValueError("engine refused")
        return real_snapshot(ticket)

    monkeypatch.setattr(print_run_worker, "ticket_snapshot", snapshot)
    actor = actor_for(world.care_manager)
    run = _start(actor, django_capture_on_commit_callbacks)
    assert run.status == PrintRunStatus.FAILED
    assert tickets[0].client.name in run.error and "1人分" in run.error
    assert PrintRunItem.objects.filter(run=run).count() == 5  # the other client is kept
    # Not active: a failed run does not hold the scope.
    assert not run.is_active

    monkeypatch.setattr(print_run_worker, "ticket_snapshot", real_snapshot)
    with django_capture_on_commit_callbacks(execute=True):
        service.retry_print_run(actor=actor, run=run)
    _finish(run, django_capture_on_commit_callbacks)
    assert run.status == PrintRunStatus.DONE and run.error == ""
    assert PrintRunMerge.objects.get(run=run).document_count == 10


def test_lost_render_messages_are_sent_again_by_retry(
    world, login, renders, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    """The renders were enqueued but their messages were lost (broker restart): the jobs stay
    queued, the run stops moving; 再実行 sends them again and the run finishes."""
    _tickets(world, 1)
    actor = actor_for(world.care_manager)
    with django_capture_on_commit_callbacks(execute=False):
        run = service.start_print_run(actor=actor, month=DECEMBER)
    with django_capture_on_commit_callbacks(execute=False):  # render messages dropped
        print_run_worker.build_run(run.pk)
    long_ago = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    PrintJob.objects.filter(pk__in=PrintRunItem.objects.values("job")).update(created_at=long_ago)
    PrintRun.objects.filter(pk=run.pk).update(updated_at=long_ago)
    run.refresh_from_db()
    progress = service.run_progress(run)
    assert run.status == PrintRunStatus.RENDERING and progress.stale and progress.can_retry
    with django_capture_on_commit_callbacks(execute=True):
        service.retry_print_run(actor=actor, run=run)
    assert len(renders) == 5
    _finish(run, django_capture_on_commit_callbacks)
    assert run.status == PrintRunStatus.DONE
