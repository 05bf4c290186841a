"""Logs carry ids, never client data (issue 13 item 3; docs/logging.md).

(a) the main flows at DEBUG for the app loggers: no record's message or args holds the
fixture client's name, kana, insured number, address, phone or free text;
(b) a 500 inside a client page: the app's own 500 page without client data, and the logged
line (as the configured handler writes it) names the path (ids) only;
(c) Celery: every registered task takes ids only, and a failing task's "Task … raised" line
(as written) carries no client data.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from caremgmt.log_filters import RedactExceptionText
from tests.factories import ClientFactory

APP_LOGGERS = ("caremgmt", "clients", "careplans", "billing", "monitoring", "django", "celery")
NAME, KANA = "秘密 花子", "ヒミツ ハナコ"
INSURED, ADDRESS, PHONE = "8765432109", "秘匿市隠町1-2-3", "03-9999-8888"
FREE_TEXT = "夜間に徘徊あり鍵の置き場所は植木鉢の下"
SECRETS = (NAME, KANA, "秘密", "ヒミツ", INSURED, ADDRESS, PHONE, FREE_TEXT)


@pytest.fixture
def secret_client(world):  # noqa: ANN001, ANN201
    return ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        name=NAME,
        name_kana=KANA,
        insured_number=INSURED,
        address=ADDRESS,
        phone=PHONE,
    )


@pytest.fixture
def debug_logs(caplog):  # noqa: ANN001, ANN201
    for name in APP_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _project_handler() -> logging.Handler:
    """The handler settings.LOGGING puts on the root logger (the one production writes to)."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactExceptionText) for f in h.filters)
    ]
    assert handlers, "settings.LOGGING: the console handler lost its no_client_data filter"
    return handlers[0]


def _written(records: list[logging.LogRecord]) -> list[str]:
    """Each record as the project's handler writes it (filters applied, traceback included)."""
    handler = _project_handler()
    return [handler.format(r) for r in records if handler.filter(r)]


def _leaks(texts: list[str]) -> list[tuple[str, str]]:
    return [(secret, text[:300]) for text in texts for secret in SECRETS if secret in text]


def _raw(records: list[logging.LogRecord]) -> list[str]:
    """What the app's own code put in each record: message and args."""
    return [f"{r.getMessage()} {r.args!r}" for r in records if not r.exc_info]


@pytest.mark.django_db
def test_main_flows_log_no_client_data(world, login, secret_client, debug_logs) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    pk = secret_client.pk
    assert http.get(reverse("clients:index"), {"q": NAME}).status_code == 200
    assert http.get(reverse("clients:index"), {"q": INSURED}).status_code == 200
    assert http.get(reverse("clients:detail", args=[pk])).status_code == 200
    for tab in ("history", "contacts", "certifications"):
        http.get(reverse("clients:tab", args=[pk, tab]), headers={"HX-Request": "true"})
    # A rejected save and a saved one, both carrying the free text.
    edit = reverse("clients:edit", args=[pk])
    http.post(edit, {"name": NAME, "insured_number": "x" + INSURED, "notes": FREE_TEXT})
    http.post(
        reverse("clients:contact_add", args=[pk]),
        {"name": NAME + "の長女", "relation": "長女", "phone": PHONE, "notes": FREE_TEXT},
    )
    intake = {"name": NAME, "name_kana": KANA, "address": ADDRESS, "notes": FREE_TEXT}
    http.post(reverse("clients:intake"), intake)
    http.post(reverse("careplans:assessment_new", args=[pk]), {"assessed_on": "bad"})
    http.get(f"/clients/{pk}/nothing-here/?q={NAME}")  # a 404 with client data in the query
    from billing.tickets.month_generation import generate_missing_tickets

    generate_missing_tickets(dt.date(2026, 12, 1))
    login(world.manager).get(reverse("audit:client_log"), {"client": str(pk)})

    records = debug_logs.records
    assert records, "the flows logged nothing at all: is DEBUG reaching the app loggers?"
    assert not _leaks(_raw(records)), _leaks(_raw(records))
    assert not _leaks(_written(records)), _leaks(_written(records))


@pytest.mark.django_db
def test_a_500_on_a_client_page_shows_and_logs_no_client_data(
    world, secret_client, debug_logs, monkeypatch
) -> None:  # noqa: ANN001
    from clients import selectors

    def broken(*, client, day):  # noqa: ANN001, ANN202
        # An exception that repeats client data, as PostgreSQL's DETAIL or int("山田") would.
        raise ValueError(f"broken facts for {client.name} {client.insured_number} {FREE_TEXT}")

    monkeypatch.setattr(selectors, "client_facts_on", broken)
    http = HttpClient(raise_request_exception=False)
    http.force_login(world.care_manager, backend="caremgmt.auth_backends.LoginIdOrEmailBackend")
    url = reverse("clients:detail", args=[secret_client.pk])

    response = http.get(url)

    assert response.status_code == 500
    page = response.content.decode()
    assert "エラーが発生しました" in page
    assert not [s for s in SECRETS if s in page]
    errors = [r for r in debug_logs.records if r.name == "django.request" and r.exc_info]
    assert errors, "the 500 was not logged"
    written = _written(errors)
    assert not _leaks(written), _leaks(written)
    assert url in written[0] and "ValueError" in written[0] and "client_detail" in written[0]


def _project_tasks() -> dict[str, object]:
    from caremgmt.celery import app

    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_takes_ids_only() -> None:
    tasks = _project_tasks()
    assert len(tasks) >= 5, sorted(tasks)
    for name, task in tasks.items():
        parameters = inspect.signature(task.run).parameters.values()
        for parameter in parameters:
            assert parameter.name.endswith("_id"), (name, parameter.name)
            assert parameter.annotation in (int, "int"), (name, parameter.name)


@pytest.mark.django_db
def test_a_failing_task_logs_no_client_data(secret_client, debug_logs, monkeypatch) -> None:  # noqa: ANN001
    from billing.benefit import batch
    from billing.tasks_benefit import benefit_batch

    def broken(run_id: int) -> None:
        raise RuntimeError(f"{secret_client.name} {secret_client.insured_number} {FREE_TEXT}")

    monkeypatch.setattr(batch, "run_batch", broken)
    result = benefit_batch.apply(args=[secret_client.pk], throw=False)

    assert result.failed()
    raised = [r for r in debug_logs.records if r.name.startswith("celery") and r.exc_info]
    assert raised, "Celery did not log the failure"
    assert isinstance(raised[0].args, dict)
    assert raised[0].args["args"] == repr([secret_client.pk])  # the task's arguments: an id
    written = _written(raised)
    assert not _leaks(written), _leaks(written)
    assert "billing.benefit_batch" in written[0] and "RuntimeError" in written[0]


def test_the_worker_logs_through_settings_logging() -> None:
    """Celery configures no logging of its own when `setup_logging` has a receiver: the
    worker then writes through settings.LOGGING and its no_client_data filter."""
    from celery.signals import setup_logging

    import caremgmt.celery  # noqa: F401 - connects the receiver

    assert setup_logging.receivers
