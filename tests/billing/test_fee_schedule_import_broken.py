"""`manage.py import_service_codes` on broken files (issue 9 item 12): every one ends with a
row-numbered Japanese message and exit status 1, no traceback, nothing imported."""

from __future__ import annotations

import random

import pytest
from django.core.management import execute_from_command_line
from django.core.management.base import connections

from caremgmt.models import ServiceCode

pytestmark = pytest.mark.django_db
HEADER = "code,service_type,name,units,basis,kind,percentage_rate,counts_toward_limit,level_group,care_level,valid_from,valid_to\n"
GOOD = "111211,11,身体介護2,400,visit,base,,1,,,2027-04-01,\n"


def _row(*, name: str = "身体介護3", units: str = "500", kind: str = "base", rate: str = "") -> str:
    return f"111311,11,{name},{units},visit,{kind},{rate},1,,,2027-04-01,\n"


def _random_bytes() -> bytes:
    data = bytes(random.Random(9).randrange(256) for _ in range(4096))
    return b"\x81\xff" + data  # 0x81 0xFF is neither UTF-8 nor MS932


BROKEN: dict[str, tuple[bytes, str]] = {
    "random_bytes": (_random_bytes(), "1行目"),
    "huge_field": ((HEADER + GOOD + _row(name="あ" * 131_072)).encode(), "3行目"),
    "long_name": ((HEADER + GOOD + _row(name="長" * 300)).encode(), "3行目 name"),
    "nul": ((HEADER + GOOD + _row(name="身体\x00介護")).encode(), "3行目 name"),
    "rate_1e10": (
        (HEADER + GOOD + _row(kind="percentage", units="0", rate="1e10")).encode(),
        "3行目 percentage_rate",
    ),
    "rate_nan": (
        (HEADER + GOOD + _row(kind="percentage", units="0", rate="NaN")).encode(),
        "3行目 percentage_rate",
    ),
    "units_overflow": ((HEADER + GOOD + _row(units="99999999999")).encode(), "3行目 units"),
    "negative_base_units": ((HEADER + GOOD + _row(units="-5")).encode(), "3行目 units"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_file_exits_1_with_row_numbered_message(kind, tmp_path, capsys, monkeypatch):  # noqa: ANN001
    data, where = BROKEN[kind]
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(data)
    # run_from_argv closes every connection at the end; keep the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    before = list(ServiceCode.objects.order_by("pk").values_list("pk", "code", "units"))

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "import_service_codes", str(path)])

    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "取り込みを中止しました" in err
    assert "何も保存していません" in err
    assert where in err
    assert list(ServiceCode.objects.order_by("pk").values_list("pk", "code", "units")) == before
    assert not ServiceCode.objects.filter(code__in=["111211", "111311"], valid_from="2027-04-01")
