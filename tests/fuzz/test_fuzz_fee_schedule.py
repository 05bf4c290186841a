"""Fuzz the fee schedule imports run from the command line (`import_service_codes`,
`import_rental_caps`; neither has an upload page): a malformed file ends in a CommandError
listing row-numbered Japanese problems, never a traceback, and saves nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from billing.management.commands.import_rental_caps import SAMPLE
from billing.models import RentalPriceCap
from caremgmt.models import ServiceCode
from tests.fuzz.mutations import TRIED, assert_messages, malformed, rolled_back

pytestmark = pytest.mark.django_db
SEED = (
    Path(__file__).resolve().parents[2] / "caremgmt" / "fee_schedule_data" / "service_codes_r6.csv"
)


def _rows(path: Path, limit: int) -> list[list[str]]:
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    ]
    return list(csv.reader(io.StringIO("\n".join(lines[: limit + 1]))))


def run(command: str, path: Path, snapshot) -> None:  # noqa: ANN001
    """Run the command on `path`: success, or a CommandError and nothing saved."""
    with rolled_back():
        before = snapshot()
        try:
            call_command(command, str(path), stdout=io.StringIO())
        except CommandError as error:
            assert snapshot() == before, "a refused file saved rows"
            lines = str(error).splitlines()
            assert lines[0].startswith("取り込みを中止しました"), lines
            assert_messages(command, [line.strip() for line in lines[1:]])


def codes() -> list[tuple]:
    return list(ServiceCode.objects.order_by("pk").values_list("pk", "code", "units", "valid_to"))


def caps() -> list[tuple]:
    return list(RentalPriceCap.objects.order_by("pk").values_list("pk", "tais_code", "cap_yen"))


@given(data=st.data())
def test_service_code_import_survives_malformed_files(tmp_path, data) -> None:  # noqa: ANN001
    encoding = data.draw(st.sampled_from(["utf-8", "cp932"]))
    payload = data.draw(malformed(_rows(SEED, 6), encoding=encoding, newline="\n"))
    TRIED["サービスコード表 (command)"] += 1
    path = tmp_path / "codes.csv"
    path.write_bytes(payload)
    run("import_service_codes", path, codes)


@given(data=st.data())
def test_rental_cap_import_survives_malformed_files(tmp_path, data) -> None:  # noqa: ANN001
    encoding = data.draw(st.sampled_from(["utf-8", "cp932"]))
    payload = data.draw(malformed(_rows(SAMPLE, 5), encoding=encoding, newline="\n"))
    TRIED["福祉用具上限額 (command)"] += 1
    path = tmp_path / "caps.csv"
    path.write_bytes(payload)
    run("import_rental_caps", path, caps)
