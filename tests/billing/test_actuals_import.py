"""実績 files: the simple CSV, UPJSK and DLTJSK are validated whole (every problem with its
line number) and applied whole; a rejected file changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from billing.actuals.csv_import import HEADER, import_csv
from billing.actuals.upjsk import import_dltjsk, import_upjsk
from billing.models import TicketRow
from billing.models.actuals import ActualsImport, ActualsStatus, ProviderActuals
from billing.tickets.generate import generate_ticket
from caremgmt.access import actor_for
from tests.billing.editor_helpers import DECEMBER, december_ticket
from tests.billing.ticket_world import make_ticket_world

pytestmark = pytest.mark.django_db


def _csv(lines: list[str]) -> bytes:
    return ("\n".join([",".join(HEADER), *lines]) + "\n").encode("utf-8")


def _state(ticket) -> list[tuple]:  # noqa: ANN001
    return list(
        TicketRow.objects.filter(ticket=ticket)
        .order_by("pk")
        .values_list("pk", "planned_days", "actual_days", "service_code")
    )


def test_good_csv_is_applied_whole(world) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    insured = tw.client.insured_number
    hh = tw.home_help.provider_number
    data = _csv(
        [
            f"{insured},202612,{hh},111211,1000,1100,3 7 10",
            f"{insured},2026-12,{hh},111211,10:00,11:00,14",
            # a code not on the ticket → a new row with empty 予定
            f"{insured},202612,{hh},111111,1400,1430,5",
        ]
    )
    version = ticket.version
    record = import_csv(actor=actor_for(world.clerk), month=DECEMBER, filename="a.csv", data=data)
    assert record.applied, record.errors
    row = ticket.rows.get(service_code="111211")
    assert row.actual_days == [3, 7, 10, 14] and row.actual_recorded
    new = ticket.rows.get(service_code="111111")
    assert new.planned_days == [] and new.actual_days == [5]
    ticket.refresh_from_db()
    assert ticket.version == version + 1
    pa = ProviderActuals.objects.get(ticket=ticket, provider=tw.home_help)
    assert pa.status == ActualsStatus.DIFFERS and pa.source == "csv"
    assert pa.source_import == record
    # other providers untouched
    other = ProviderActuals.objects.get(ticket=ticket, provider=tw.day_service)
    assert other.status == ActualsStatus.PENDING


def test_csv_matching_predicted_days_is_received(world) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    row = ticket.rows.get(service_code="111211")
    days = " ".join(str(d) for d in row.planned_days)
    data = _csv(
        [
            f"{tw.client.insured_number},202612,{tw.home_help.provider_number},111211,1000,1100,{days}"
        ]
    )
    record = import_csv(
        actor=actor_for(world.care_manager), month=DECEMBER, filename="b.csv", data=data
    )
    assert record.applied, record.errors
    pa = ProviderActuals.objects.get(ticket=ticket, provider=tw.home_help)
    assert pa.status == ActualsStatus.RECEIVED


def test_file_rejected_at_row_37_changes_nothing(world) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    insured = tw.client.insured_number
    hh = tw.home_help.provider_number
    good = [f"{insured},202612,{hh},111211,1000,1100,{day % 31 + 1}" for day in range(35)]
    bad = f"{insured},202612,{hh},111211,1000,1100,32"  # line 37 (header is line 1)
    data = _csv([*good, bad])
    before = _state(ticket)
    version = ticket.version
    record = import_csv(actor=actor_for(world.clerk), month=DECEMBER, filename="c.csv", data=data)
    assert not record.applied
    assert len(record.errors) == 1 and record.errors[0].startswith("37行目")
    assert "32" in record.errors[0]
    assert _state(ticket) == before
    ticket.refresh_from_db()
    assert ticket.version == version
    assert not ProviderActuals.objects.filter(ticket=ticket).exclude(status="pending").exists()
    assert ActualsImport.objects.get(pk=record.pk).errors == record.errors


def test_every_problem_is_reported_with_its_line(world) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    insured = tw.client.insured_number
    hh = tw.home_help.provider_number
    data = _csv(
        [
            f"9999999999,202612,{hh},111211,1000,1100,3",  # 2: unknown client
            f"{insured},202612,1399999999,111211,1000,1100,3",  # 3: unknown provider
            f"{insured},202612,{hh},ZZZZZZ,1000,1100,3",  # 4: code not valid
            f"{insured},202611,{hh},111211,1000,1100,3",  # 5: other month
            f"{insured},202612,{hh},111211,25:99,1100,3",  # 6: malformed time
            f"{insured},202612,{hh},111211,1000,1100",  # 7: field count
            f"{insured},202612,{hh},111211,1000,1100,x",  # 8: malformed day
        ]
    )
    before = _state(ticket)
    record = import_csv(actor=actor_for(world.clerk), month=DECEMBER, filename="d.csv", data=data)
    assert not record.applied
    joined = "\n".join(record.errors)
    for line in range(2, 9):
        assert f"{line}行目" in joined, joined
    assert _state(ticket) == before
    # once the format is right, the office checks report rows 2–4
    data = _csv(
        [
            f"9999999999,202612,{hh},111211,1000,1100,3",
            f"{insured},202612,1399999999,111211,1000,1100,3",
            f"{insured},202612,{hh},ZZ9999,1000,1100,3",
        ]
    )
    record = import_csv(actor=actor_for(world.clerk), month=DECEMBER, filename="e.csv", data=data)
    assert [e[:3] for e in record.errors] == ["2行目", "3行目", "4行目"], record.errors
    assert "利用者が見つかりません" in record.errors[0]
    assert "事業所が登録されていません" in record.errors[1]
    assert "有効でもありません" in record.errors[2]
    assert _state(ticket) == before


def test_other_office_client_is_unknown(world) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    theirs = make_ticket_world(world.other_office, world.outsider)
    data = _csv(
        [f"{theirs.client.insured_number},202612,{tw.home_help.provider_number},111211,1000,1100,3"]
    )
    record = import_csv(actor=actor_for(world.clerk), month=DECEMBER, filename="f.csv", data=data)
    assert not record.applied and "利用者が見つかりません" in record.errors[0]


def test_encoding_and_header_problems(world) -> None:  # noqa: ANN001
    december_ticket(world)
    record = import_csv(
        actor=actor_for(world.clerk), month=DECEMBER, filename="g.csv", data=b"abc\x81"
    )
    assert not record.applied and "文字コード" in record.errors[0]
    record = import_csv(
        actor=actor_for(world.clerk), month=DECEMBER, filename="h.csv", data=b"a,b,c\n"
    )
    assert record.errors[0].startswith("1行目")


def test_ms932_csv_is_read(world) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    line = f"{tw.client.insured_number},202612,{tw.home_help.provider_number},111211,1000,1100,3"
    data = ("\r\n".join([",".join(HEADER), line]) + "\r\n").encode("cp932")
    record = import_csv(actor=actor_for(world.clerk), month=DECEMBER, filename="s.csv", data=data)
    assert record.applied, record.errors


def test_confirmed_provider_is_refused(world) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    from billing.actuals.services import ensure_provider_actuals

    ensure_provider_actuals([ticket.pk])
    ProviderActuals.objects.filter(ticket=ticket, provider=tw.home_help).update(
        status=ActualsStatus.CONFIRMED
    )
    line = f"{tw.client.insured_number},202612,{tw.home_help.provider_number},111211,1000,1100,3"
    record = import_csv(
        actor=actor_for(world.clerk), month=DECEMBER, filename="i.csv", data=_csv([line])
    )
    assert not record.applied and "確定済み" in record.errors[0]


def test_auditor_cannot_import(world) -> None:  # noqa: ANN001
    from django.http import Http404

    tw, _ticket = december_ticket(world)
    line = f"{tw.client.insured_number},202612,{tw.home_help.provider_number},111211,1000,1100,3"
    with pytest.raises(Http404):
        import_csv(
            actor=actor_for(world.auditor), month=DECEMBER, filename="j.csv", data=_csv([line])
        )
    assert not ActualsImport.objects.exists()


def _upjsk_line(tw, day: int, *, code="111211", start="1000", end="1100") -> str:  # noqa: ANN001
    fields = [
        "202404",
        tw.client.insurer_number,
        tw.client.insured_number,
        "20270105",
        "202612",
        tw.home_help.provider_number,
        "",
        "396",
        "",
        f"202612{day:02d}",
        "",
        start,
        end,
        "1",
        code,
        "",
        "",
        "",
        "",
        tw.home_help.provider_number,
        "",
        "",
        "0",
        "",
        "",
    ]
    assert len(fields) == 25
    return ",".join(fields)


def test_upjsk_one_row_per_date_is_applied(world) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    data = ("\r\n".join(_upjsk_line(tw, d) for d in (3, 7, 10)) + "\r\n").encode("cp932")
    record = import_upjsk(
        actor=actor_for(world.clerk), month=DECEMBER, filename="UPJSK.csv", data=data
    )
    assert record.applied, record.errors
    assert ticket.rows.get(service_code="111211").actual_days == [3, 7, 10]
    pa = ProviderActuals.objects.get(ticket=ticket, provider=tw.home_help)
    assert pa.source == "upjsk" and pa.status == ActualsStatus.DIFFERS


def test_upjsk_bad_row_rejects_the_whole_file(world) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    lines = [_upjsk_line(tw, d) for d in (3, 7)]
    lines.append(_upjsk_line(tw, 10).replace("20261210", "20261310"))
    before = _state(ticket)
    data = ("\r\n".join(lines) + "\r\n").encode("cp932")
    record = import_upjsk(
        actor=actor_for(world.clerk), month=DECEMBER, filename="UPJSK.csv", data=data
    )
    assert not record.applied
    assert record.errors[0].startswith("3行目"), record.errors
    assert _state(ticket) == before


def test_dltjsk_withdraws_the_providers_actuals(world) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    data = ("\r\n".join(_upjsk_line(tw, d) for d in (3, 7)) + "\r\n").encode("cp932")
    assert import_upjsk(
        actor=actor_for(world.clerk), month=DECEMBER, filename="u.csv", data=data
    ).applied
    line = f"202404,{tw.client.insurer_number},{tw.client.insured_number},202612,{tw.home_help.provider_number},11"
    record = import_dltjsk(
        actor=actor_for(world.clerk),
        month=DECEMBER,
        filename="DLTJSK.csv",
        data=(line + "\r\n").encode(),
    )
    assert record.applied, record.errors
    assert ticket.rows.get(service_code="111211").actual_days == []
    assert ProviderActuals.objects.get(ticket=ticket, provider=tw.home_help).status == "pending"
    bad = line.replace("202612", "202611", 1)
    record = import_dltjsk(
        actor=actor_for(world.clerk),
        month=DECEMBER,
        filename="DLTJSK.csv",
        data=(bad + "\r\n").encode(),
    )
    assert not record.applied and record.errors[0].startswith("1行目")


def test_start_time_distinguishes_rows(world) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    TicketRow.objects.create(
        ticket=ticket,
        order=30,
        provider=tw.home_help,
        service_code="111211",
        starts_at=dt.time(15),
        ends_at=dt.time(16),
        planned_days=[2],
    )
    hh, insured = tw.home_help.provider_number, tw.client.insured_number
    data = _csv(
        [f"{insured},202612,{hh},111211,1000,1100,3", f"{insured},202612,{hh},111211,1500,1600,4"]
    )
    record = import_csv(actor=actor_for(world.clerk), month=DECEMBER, filename="k.csv", data=data)
    assert record.applied, record.errors
    assert ticket.rows.get(service_code="111211", starts_at=dt.time(10)).actual_days == [3]
    assert ticket.rows.get(service_code="111211", starts_at=dt.time(15)).actual_days == [4]


def test_care_manager_imports_only_their_caseload(world) -> None:  # noqa: ANN001
    theirs = make_ticket_world(world.office, world.colleague)
    generate_ticket(client=theirs.client, month=DECEMBER)
    line = f"{theirs.client.insured_number},202612,{theirs.home_help.provider_number},111211,1000,1100,3"
    record = import_csv(
        actor=actor_for(world.care_manager), month=DECEMBER, filename="m.csv", data=_csv([line])
    )
    assert not record.applied and "利用者が見つかりません" in record.errors[0]
    record = import_csv(
        actor=actor_for(world.clerk), month=DECEMBER, filename="n.csv", data=_csv([line])
    )
    assert record.applied, record.errors
