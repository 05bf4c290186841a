"""Fuzz the ケアプランデータ連携 plan unit import (UP1KYO/UP2KYO/UP3KYO/UPHOSOKU): a damaged
unit never raises past the import, never 500s, saves no part of a plan, and every problem
in a file names its record (N件目) or line (N行目) in Japanese."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from caremgmt.access import actor_for
from careplans.exchange import CsvReadError
from careplans.exchange_import import ImportProblemsError, careplan_import
from careplans.exchange_mapping import problem_message
from careplans.models import CarePlan, DailyActivity, Goal, Need, SupportItem, WeeklyService
from tests.fuzz.mutations import JAPANESE, TRIED, assert_messages, malformed, rolled_back

pytestmark = pytest.mark.django_db
UNIT = Path(__file__).resolve().parents[1] / "careplans" / "fixtures" / "vendor_unit"


@pytest.fixture
def plan_client(world):  # noqa: ANN001, ANN201
    """The client and 訪問介護 provider the vendor unit names."""
    from tests.factories import (
        CertificationFactory,
        ClientFactory,
        ServiceProviderFactory,
        ensure_fee_schedule,
    )

    ensure_fee_schedule()
    client = ClientFactory(
        office=world.office, care_manager=world.care_manager, insured_number="2000000001"
    )
    CertificationFactory(
        client=client,
        care_level="21",
        certified_on=dt.date(2026, 3, 20),
        valid_from=dt.date(2026, 4, 1),
        valid_to=dt.date(2027, 3, 31),
    )
    ServiceProviderFactory(office=world.office, provider_number="1379900001", service_types=["11"])
    return client


def counts() -> tuple[int, ...]:
    models = (CarePlan, Need, Goal, SupportItem, WeeklyService, DailyActivity)
    return tuple(model.objects.count() for model in models)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("cp932"), newline="")))


def _quoted(rows: list[list[str]]) -> list[list[str]]:
    return [['"' + cell.replace('"', '""') + '"' for cell in row] for row in rows]


@st.composite
def units(draw) -> dict[str, bytes]:  # noqa: ANN001
    files = {path.name: path.read_bytes() for path in sorted(UNIT.glob("*.CSV"))}
    for name in draw(st.lists(st.sampled_from(sorted(files)), min_size=1, max_size=2, unique=True)):
        files[name] = draw(malformed(_quoted(_rows(files[name]))))
    if draw(st.integers(0, 9)) == 0:  # a file of the unit missing
        del files[draw(st.sampled_from(sorted(files)))]
    return files


def attempt(world, client, files: dict[str, bytes]) -> None:  # noqa: ANN001
    before = counts()
    try:
        careplan_import(actor=actor_for(world.care_manager), client=client, files=files)
    except CsvReadError as error:
        numbered = [problem_message(p) for p in error.problems if p.row or p.line]
        whole = [problem_message(p) for p in error.problems if not (p.row or p.line)]
        assert_messages("plan unit", numbered) if numbered else None
        assert all(JAPANESE.search(message) for message in whole), whole
    except ImportProblemsError as error:
        assert_messages("plan unit", [str(problem) for problem in error.problems])
    except ValidationError as error:  # about the unit as a whole (client, draft)
        assert all(JAPANESE.search(message) for message in error.messages), error.messages
    else:
        return
    assert counts() == before, "a refused unit saved part of a plan"


@given(files=units())
def test_plan_unit_import_survives_malformed_files(world, plan_client, files) -> None:  # noqa: ANN001
    TRIED["plan unit (UP1KYO…)"] += 1
    with rolled_back():
        attempt(world, plan_client, files)


@given(files=units())
@settings(max_examples=10)
def test_plan_import_route_never_500(world, plan_client, login, files) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    TRIED["plan unit upload route"] += 1
    with rolled_back():
        before = counts()
        uploads = [SimpleUploadedFile(name, data) for name, data in files.items()]
        response = http.post(reverse("careplans:import", args=[plan_client.pk]), {"files": uploads})
        assert response.status_code < 500
        if response.status_code == 200:  # the form again: refused
            assert counts() == before
