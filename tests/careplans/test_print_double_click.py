"""A double click on a print button: the button disables itself and drops the second click
(htmx), and the server answers a second identical POST with the same job (one PrintJob, one
render), also when both requests arrive at the same time."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from caremgmt.access import actor_for
from caremgmt.models import PrintJob
from caremgmt.printing import rendering as print_rendering
from caremgmt.printing.services import print_job_request
from tests.careplans.test_lifecycle import _confirm, _fill, _meet


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


@pytest.mark.django_db
def test_print_buttons_disable_themselves_and_drop_a_second_click(
    plan_setup, confirmed_plan, login, world
) -> None:  # noqa: ANN001
    page = login(world.care_manager).get(reverse("careplans:plan", args=[confirmed_plan.pk]))
    text = page.content.decode()
    buttons = [
        line for line in text.splitlines() if "careplans/plans" in line and "/print/" in line
    ]
    hx_posts = sum(line.count("hx-post=") for line in buttons)
    assert hx_posts == 5
    assert sum(line.count('hx-disabled-elt="this" hx-sync="this:drop"') for line in buttons) == 5


@pytest.mark.django_db
def test_double_post_creates_one_job_and_one_render(
    plan_setup, confirmed_plan, login, world, render_count, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("careplans:print", args=[confirmed_plan.pk, "1"])
    with django_capture_on_commit_callbacks(execute=True):
        first = http.post(url, headers={"HX-Request": "true"})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = http.post(url, headers={"HX-Request": "true"})
    job = PrintJob.objects.get()
    assert (first.status_code, second.status_code) == (200, 200)
    assert f'id="print-job-{job.pk}"' in first.content.decode()
    assert f'id="print-job-{job.pk}"' in second.content.decode()
    assert callbacks == [] and len(render_count) == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_share_one_job(world) -> None:  # noqa: ANN001
    from tests.factories import ClientFactory

    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    barrier = threading.Barrier(2)
    job_ids: list[int] = []
    errors: list[BaseException] = []

    def request() -> None:
        try:
            barrier.wait(timeout=10)
            job = print_job_request(
                actor=actor_for(world.care_manager),
                kind="careplan_table1",
                subject_id=777,
                client_id=client.pk,
                html="<p>同じ内容</p>",
                filename="第1表.pdf",
            )
            job_ids.append(job.pk)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert PrintJob.objects.count() == 1
    assert job_ids == [PrintJob.objects.get().pk] * 2
