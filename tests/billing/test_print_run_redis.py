"""The month print run through a real Redis broker and a real (in-thread, solo) worker.

The tasks are the project's shared tasks; only the broker differs from the eager tests. The
renderer is the fast fake (real PDFs of blank pages), so the test stays cheap.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from celery.signals import task_prerun
from pypdf import PdfWriter

from billing import print_run as service
from billing.models import PrintRun, PrintRunItem, PrintRunMerge, PrintRunStatus
from billing.tickets.generate import generate_ticket
from caremgmt.access import actor_for
from caremgmt.celery import app as project_app
from caremgmt.printing import rendering
from tests.billing.ticket_world import make_ticket_world
from tests.caremgmt.test_celery import redis_is_up
from tests.conftest import require_or_skip

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"


def _fake_render(html: str) -> rendering.RenderedPdf:
    writer = PdfWriter()
    writer.add_blank_page(width=842, height=595)
    buffer = io.BytesIO()
    writer.write(buffer)
    return rendering.RenderedPdf(data=buffer.getvalue(), page_count=1)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_month_run_completes_through_a_real_worker(world, monkeypatch, settings, tmp_path) -> None:  # noqa: ANN001
    require_or_skip(redis_is_up(REDIS_URL), f"Redis is not reachable at {REDIS_URL}")
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(rendering, "render_pdf", _fake_render)
    for _ in range(2):
        tw = make_ticket_world(world.office, world.care_manager)
        generate_ticket(client=tw.client, month=dt.date(2026, 12, 1))

    redis_app = Celery("caremgmt-print-run-test", broker=REDIS_URL, set_as_current=False)
    redis_app.conf.update(
        task_always_eager=False,
        worker_hijack_root_logger=False,
        task_routes=project_app.conf.task_routes,
        task_default_queue="print-run-test",  # not a queue a developer's worker listens to
    )
    seen: list[tuple[str, bool]] = []

    def record(task=None, **_kwargs: object) -> None:  # noqa: ANN001
        seen.append((task.name, bool(task.request.is_eager)))

    task_prerun.connect(record, weak=False)
    try:
        with start_worker(
            redis_app,
            perform_ping_check=False,
            pool="solo",
            loglevel="WARNING",
            queues=["print-run-test", "pdf"],
        ):
            run = service.start_print_run(
                actor=actor_for(world.care_manager), month=dt.date(2026, 12, 1)
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                run.refresh_from_db()
                service.run_progress(run)  # what the page's poll does: merges when done
                if run.status in (PrintRunStatus.DONE, PrintRunStatus.FAILED):
                    break
                time.sleep(0.2)
    finally:
        task_prerun.disconnect(record)
        # start_worker made the Redis app the default: later tests must be eager again.
        project_app.set_current()
        project_app.set_default()
    assert run.status == PrintRunStatus.DONE, run.error
    assert PrintRunItem.objects.filter(run=run).count() == 10
    assert PrintRunMerge.objects.get(run=run).page_count == 10
    assert PrintRun.objects.count() == 1
    # Every task went through the broker to the worker: build, renders, merge, none eager.
    names = {name for name, _eager in seen}
    assert {
        "billing.build_print_run",
        "caremgmt.render_print_job",
        "billing.merge_print_run",
    } <= names
    assert not any(eager for _name, eager in seen)
