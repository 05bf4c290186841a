"""Fuzz the 実績 importers (simple CSV, UPJSK, DLTJSK): malformed files never raise, never
500, never write part of a file, and every rejection names its rows in Japanese."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.actuals.csv_import import HEADER, import_csv
from billing.actuals.upjsk import import_dltjsk, import_upjsk
from billing.models import ServiceTicket, TicketRow
from billing.models.actuals import ActualsImport, ProviderActuals
from caremgmt.access import actor_for
from tests.billing.editor_helpers import DECEMBER, december_ticket
from tests.fuzz.mutations import TRIED, assert_messages, malformed, rolled_back

pytestmark = pytest.mark.django_db
IMPORTERS = {"csv": import_csv, "upjsk": import_upjsk, "dltjsk": import_dltjsk}


@pytest.fixture
def valid(world):  # noqa: ANN001, ANN201
    """A December ticket and one valid file of each kind for it."""
    tw, _ticket = december_ticket(world)
    insured, insurer = tw.client.insured_number, tw.client.insurer_number
    hh = tw.home_help.provider_number
    csv_rows = [
        HEADER,
        [insured, "202612", hh, "111211", "1000", "1100", "3 7 10"],
        [insured, "2026-12", hh, "111211", "10:00", "11:00", "14"],
    ]
    upjsk_rows = [
        [
            *("202404", insurer, insured, "20270105", "202612", hh, "", "396", ""),
            *(f"202612{day:02d}", "", "1000", "1100", "1", "111211", "", "", "", ""),
            *(hh, "", "", "0", "", ""),
        ]
        for day in (3, 7, 10)
    ]
    dltjsk_rows = [["202404", insurer, insured, "202612", hh, "11"]]
    return {"csv": csv_rows, "upjsk": upjsk_rows, "dltjsk": dltjsk_rows}


def snapshot() -> tuple:
    """What an 実績 import may change (the import log excepted)."""
    return (
        list(ServiceTicket.objects.order_by("pk").values_list("pk", "version")),
        list(
            TicketRow.objects.order_by("pk").values_list(
                "pk", "actual_days", "actual_recorded", "service_code"
            )
        ),
        list(ProviderActuals.objects.order_by("pk").values_list("pk", "status", "version")),
    )


def check(kind: str, world, data: bytes) -> None:  # noqa: ANN001
    TRIED[f"実績 {kind.upper()}"] += 1
    with rolled_back():
        before, logged = snapshot(), ActualsImport.objects.count()
        record = IMPORTERS[kind](
            actor=actor_for(world.clerk), month=DECEMBER, filename=f"{kind}.csv", data=data
        )
        assert ActualsImport.objects.count() == logged + 1
        if not record.applied:
            assert snapshot() == before, "a rejected file changed data"
            assert_messages(kind, record.errors)


@pytest.mark.parametrize("kind", ["csv", "upjsk", "dltjsk"])
@given(data=st.data())
def test_actuals_importers_survive_malformed_files(world, valid, kind, data) -> None:  # noqa: ANN001
    encoding = "utf-8" if kind == "csv" else "cp932"
    check(kind, world, data.draw(malformed(valid[kind], encoding=encoding)))


@given(data=st.data())
@settings(max_examples=12)
def test_actuals_upload_route_never_500(world, valid, login, data) -> None:  # noqa: ANN001
    http = login(world.clerk)
    kind = data.draw(st.sampled_from(sorted(IMPORTERS)))
    payload = data.draw(malformed(valid[kind]))
    TRIED["実績 upload route"] += 1
    with rolled_back():
        before = snapshot()
        upload = SimpleUploadedFile(f"{kind}.csv", payload)
        response = http.post(
            reverse("billing:actuals_import"), {"month": "2026-12", "kind": kind, "file": upload}
        )
        assert response.status_code < 500
        record = ActualsImport.objects.order_by("-pk").first()
        if record is not None and not record.applied:
            assert snapshot() == before


def test_nul_in_a_value_is_reported_not_a_database_error(world, valid) -> None:  # noqa: ANN001
    """Found by the fuzzer: a NUL quoted in a message crashed saving the import log (jsonb)."""
    rows = [list(row) for row in valid["csv"]]
    rows[1][0] += "\x00"
    data = "".join(",".join(row) + "\r\n" for row in rows).encode()
    before = snapshot()
    record = import_csv(
        actor=actor_for(world.clerk), month=DECEMBER, filename="a\x00.csv", data=data
    )
    assert not record.applied and record.filename == "a␀.csv"
    assert record.errors[0].startswith("2行目:") and "␀" in record.errors[0]
    assert snapshot() == before
