"""給付管理票 sheets, the 8222 file bytes, the month batch (idempotent, single-flight)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from billing.benefit import batch
from billing.benefit.file8222 import write_8222
from billing.benefit.sheets import BASIS_ACTUAL, BASIS_PLAN, build_sheet, sheet_basis
from billing.models import ServiceTicket
from billing.models.actuals import ActualsStatus, ProviderActuals
from billing.models.benefit import (
    BatchRun,
    BatchStatus,
    BenefitManagementSheet,
    ClaimSubmission,
    SheetStatus,
)
from billing.tickets.compute import ticket_figures
from billing.tickets.generate import generate_ticket
from tests.billing.ticket_world import make_ticket_world


@pytest.fixture(autouse=True)
def file_mechanics_only(settings):  # noqa: ANN001, ANN201
    """These tests exercise the sheets, the 8222 writer and the batch mechanics; the gate on
    the pre-submission check has its own tests (test_benefit_gate.py)."""
    settings.BENEFIT_BATCH_REQUIRES_CHECK = False


DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def two_tickets(world):  # noqa: ANN001, ANN201
    tickets = []
    for level in ("23", "21"):
        tw = make_ticket_world(world.office, world.care_manager, care_level=level)
        ticket, _report = generate_ticket(client=tw.client, month=DECEMBER)
        tickets.append(ticket)
    return tickets


def _records(content: bytes) -> list[str]:
    text = content.decode("cp932")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    return text.split("\r\n")[:-1]


def _data_fields(record: str) -> list[str]:
    head, number, rest = record.split(",", 2)
    assert head == "2"
    fields = rest.split(",")
    assert all(f.startswith('"') and f.endswith('"') for f in fields), record
    return [f[1:-1] for f in fields]


def test_sheet_from_the_client_month(world, two_tickets) -> None:  # noqa: ANN001
    ticket = two_tickets[0]
    outcome = build_sheet(ticket, today=dt.date(2027, 1, 1))
    sheet = outcome.sheet
    assert outcome.basis == BASIS_PLAN and outcome.warnings
    figures = ticket_figures(ticket)
    lines = figures.result.benefit_management_lines
    assert sheet.total_units == sum(line.planned_units for line in lines)
    assert [line["line_no"] for line in sheet.lines] == list(range(1, len(lines) + 1))
    assert sheet.care_level == "23" and sheet.limit_units == figures.result.limit_units
    assert sheet.kind == "1" and sheet.status == SheetStatus.DRAFT
    assert len(sheet.care_manager_number) == 8
    assert sheet.delegate_office_number == ""
    # a second build keeps the one draft and its date
    again = build_sheet(ticket, today=dt.date(2027, 1, 5))
    assert again.sheet.pk == sheet.pk and not again.changed
    assert again.sheet.created_on == dt.date(2027, 1, 1)
    assert BenefitManagementSheet.objects.filter(ticket=ticket).count() == 1


def test_basis_is_actual_when_every_provider_is_confirmed(two_tickets) -> None:  # noqa: ANN001
    ticket = two_tickets[0]
    providers = {row.provider for row in ticket.rows.all()}
    for provider in providers:
        ProviderActuals.objects.create(ticket=ticket, provider=provider, status="confirmed")
    assert sheet_basis(ticket) == BASIS_ACTUAL
    ProviderActuals.objects.filter(ticket=ticket).first().delete()
    ProviderActuals.objects.filter(ticket=ticket).update(status=ActualsStatus.RECEIVED)
    assert sheet_basis(ServiceTicket.objects.get(pk=ticket.pk)) == BASIS_PLAN


def test_8222_bytes(world, two_tickets) -> None:  # noqa: ANN001
    outcome = batch.run_now(world.office, DECEMBER, actor_staff=world.clerk)
    assert not outcome.errors, outcome.errors
    submission = outcome.submission
    content = bytes(submission.content)
    records = _records(content)
    assert submission.record_count == len(records)
    control = records[0].split(",")
    assert control[:5] == ["1", "1", "1", str(len(records) - 2), "821"]
    assert control[7] == world.office.office_number and control[10] == "202701"
    assert records[-1] == f"3,{len(records)}"
    numbers = [int(record.split(",")[1]) for record in records]
    assert numbers == list(range(1, len(records) + 1))
    data = [_data_fields(record) for record in records[1:-1]]
    assert all(len(fields) == 27 for fields in data)
    assert all(fields[0] == "8222" and fields[1] == "202612" for fields in data)
    assert all(len(fields[2]) == 8 and fields[2] == "00131011" for fields in data)
    insured = [fields[8] for fields in data]
    assert insured == sorted(insured)
    for number in set(insured):
        mine = [fields for fields in data if fields[8] == number]
        details, summary = mine[:-1], mine[-1]
        assert summary[7] == "99"
        assert [d[7] for d in details] == [f"{i:02d}" for i in range(1, len(details) + 1)]
        assert int(summary[23]) == sum(int(d[19]) for d in details)
        assert int(summary[23]) <= int(summary[14])
        assert all(d[14] == "" and d[24] == "" for d in details)
    assert submission.sha256 and len(submission.sha256) == 64


def test_summary_over_the_limit_is_refused(world, two_tickets) -> None:  # noqa: ANN001
    sheet = build_sheet(two_tickets[0]).sheet
    sheet.lines[0]["units"] = sheet.limit_units + 1
    sheet.total_units = sum(line["units"] for line in sheet.lines)
    with pytest.raises(ValidationError, match="支給限度額"):
        write_8222([sheet], office_number=world.office.office_number, month=DECEMBER)
    sheet.total_units = 1
    with pytest.raises(ValidationError, match="明細行の合計"):
        write_8222([sheet], office_number=world.office.office_number, month=DECEMBER)


def test_rerun_gives_identical_bytes_and_no_duplicates(world, two_tickets) -> None:  # noqa: ANN001
    first = batch.run_now(world.office, DECEMBER)
    second = batch.run_now(world.office, DECEMBER)
    assert bytes(first.submission.content) == bytes(second.submission.content)
    assert first.submission.pk == second.submission.pk
    assert ClaimSubmission.objects.count() == 1
    assert BenefitManagementSheet.objects.count() == 2
    assert BatchRun.objects.filter(status=BatchStatus.DONE).count() == 2


def test_crash_mid_batch_is_completed_by_a_rerun(world, two_tickets, monkeypatch) -> None:  # noqa: ANN001
    reference = batch.run_now(world.office, DECEMBER)
    expected = bytes(reference.submission.content)
    BenefitManagementSheet.objects.filter(ticket=two_tickets[1]).delete()
    ClaimSubmission.objects.all().delete()
    # a worker killed mid-batch: the running row stays; its redelivery finishes the run
    run = batch.start_batch(world.office, DECEMBER)
    original = batch.build_sheet
    calls = []

    def dying(ticket, **kwargs):  # noqa: ANN001, ANN202
        calls.append(ticket.pk)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(ticket, **kwargs)

    monkeypatch.setattr(batch, "build_sheet", dying)
    with pytest.raises(KeyboardInterrupt):
        batch.run_batch(run.pk)
    monkeypatch.setattr(batch, "build_sheet", original)
    with pytest.raises(batch.BatchAlreadyRunning):
        batch.start_batch(world.office, DECEMBER)
    outcome = batch.run_batch(run.pk)
    assert bytes(outcome.submission.content) == expected
    assert BenefitManagementSheet.objects.count() == 2


def test_command_writes_the_same_bytes(world, two_tickets, tmp_path) -> None:  # noqa: ANN001
    outcome = batch.run_now(world.office, DECEMBER)
    out = tmp_path / "kyufu.csv"
    call_command(
        "kyufu_kanri_file",
        office=world.office.office_number,
        month="2026-12",
        out=str(out),
    )
    assert out.read_bytes() == bytes(outcome.submission.content)


def test_submitted_sheet_is_not_rebuilt_and_returned_is_superseded(two_tickets) -> None:  # noqa: ANN001
    ticket = two_tickets[0]
    sheet = build_sheet(ticket).sheet
    sheet.status = SheetStatus.SUBMITTED
    sheet.save()
    assert build_sheet(ticket).sheet is None
    sheet.status = SheetStatus.RETURNED
    sheet.save()
    new = build_sheet(ticket).sheet
    assert new.supersedes_id == sheet.pk and new.kind == "1"


def test_batch_queries_do_not_grow_per_client(world, django_assert_max_num_queries) -> None:  # noqa: ANN001
    for level in ("23", "22", "21", "24"):
        tw = make_ticket_world(world.office, world.care_manager, care_level=level)
        generate_ticket(client=tw.client, month=DECEMBER)
    with django_assert_max_num_queries(4 + 30):  # one INSERT per new sheet + fixed
        outcome = batch.run_now(world.office, DECEMBER)
    assert outcome.submission.sheet_count == 4
    with django_assert_max_num_queries(30):  # the re-run writes nothing per client
        again = batch.run_now(world.office, DECEMBER)
    assert again.submission.pk == outcome.submission.pk


def test_chunk_preload_equals_the_one_ticket_loaders(two_tickets) -> None:  # noqa: ANN001
    from billing.benefit.preload import registers_by_ticket, rows_by_ticket
    from billing.tickets.inputs import load_register, ticket_rows

    registers = registers_by_ticket(two_tickets, DECEMBER)
    rows = rows_by_ticket(two_tickets)
    for ticket in two_tickets:
        assert registers[ticket.pk] == load_register(ticket)
        assert [row.pk for row in rows[ticket.pk]] == [row.pk for row in ticket_rows(ticket)]


@pytest.mark.django_db(transaction=True)
def test_single_flight_under_two_concurrent_starts(transactional_db) -> None:  # noqa: ANN001
    from tests.factories import OfficeFactory

    office = OfficeFactory()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def start() -> None:
        try:
            barrier.wait()
            batch.start_batch(office, DECEMBER)
            results.append("started")
        except batch.BatchAlreadyRunning as error:
            results.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted([batch.RUNNING_MESSAGE, "started"])
    assert BatchRun.objects.filter(office=office, status=BatchStatus.RUNNING).count() == 1


def test_entrusted_client_fills_the_delegate_fields(world, two_tickets) -> None:  # noqa: ANN001
    ticket = two_tickets[1]
    ticket.client.entrusting_center = "中央地域包括支援センター"
    ticket.client.save(update_fields=["entrusting_center"])
    sheet = build_sheet(ServiceTicket.objects.get(pk=ticket.pk)).sheet
    assert sheet.delegate_office_number == world.office.office_number
    assert sheet.delegate_care_manager_number == sheet.care_manager_number != ""


def test_correction_and_cancel_supersede_an_accepted_sheet(two_tickets) -> None:  # noqa: ANN001
    from billing.benefit.sheets import build_correction

    sheet = build_sheet(two_tickets[0]).sheet
    with pytest.raises(ValidationError, match="受付済"):
        build_correction(sheet, kind="2")
    sheet.status = SheetStatus.ACCEPTED
    sheet.save()
    cancel = build_correction(sheet, kind="3")
    assert cancel.kind == "3" and cancel.supersedes_id == sheet.pk
    assert cancel.lines == sheet.lines and cancel.status == SheetStatus.DRAFT
    with pytest.raises(ValidationError, match="まだ提出していない"):
        build_correction(sheet, kind="2")


def test_beat_task_starts_the_previous_month(
    world, two_tickets, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    from django.utils import timezone

    from billing import tasks_benefit

    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2027, 1, 1))
    # the beat task enqueues after commit (delay_on_commit); the test's transaction never
    # commits, so run the callbacks as a real commit would
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_benefit.benefit_month_start() == "2026-12: started 2"  # two offices
    run = BatchRun.objects.get(office=world.office)
    assert run.month == DECEMBER and run.status == BatchStatus.DONE
    assert ClaimSubmission.objects.get(office=world.office).sheet_count == 2
