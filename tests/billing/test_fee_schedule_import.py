"""`import_service_codes`: all or nothing, line-numbered errors, idempotent, versions close."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from caremgmt.models import ServiceCode

pytestmark = pytest.mark.django_db
SEED = "caremgmt/fee_schedule_data/service_codes_r6.csv"
HEADER = "code,service_type,name,units,basis,kind,percentage_rate,counts_toward_limit,level_group,care_level,valid_from,valid_to\n"


def run(path) -> str:  # noqa: ANN001
    out = StringIO()
    call_command("import_service_codes", str(path), stdout=out)
    return out.getvalue()


def test_importing_the_seed_twice_changes_nothing() -> None:
    before = list(ServiceCode.objects.order_by("pk").values())
    assert "追加 0件、更新 0件、変更なし 197件" in run(SEED)
    assert "変更なし 197件" in run(SEED)
    assert list(ServiceCode.objects.order_by("pk").values()) == before


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_saved(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "codes.csv"
    path.write_text(
        HEADER
        + "111211,11,身体介護2,400,visit,base,,1,,,2027-04-01,\n"  # line 2: good
        + "11121,11,短い,1,visit,base,,1,,,2027-04-01,\n"  # line 3: bad code
        + "111311,11,身体介護3,abc,visit,base,,1,,,2027-04-01,\n"  # line 4: bad units
        + "116275,11,処遇改善,0,month,percentage,,0,,,2027-04-01,\n"  # line 5: no rate
        + "991111,99,未知,1,visit,base,,1,,,2027-04-01,\n",  # line 6: unknown type
        encoding="utf-8",
    )
    count = ServiceCode.objects.count()
    with pytest.raises(CommandError) as error:
        run(path)
    message = str(error.value)
    assert "何も保存していません" in message
    for expected in ("3行目 code", "4行目 units", "5行目 percentage_rate", "6行目 service_type"):
        assert expected in message
    assert "2行目" not in message
    assert ServiceCode.objects.count() == count


def test_missing_columns_are_named(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "codes.csv"
    path.write_text("code,name\n111211,身体介護2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="service_type"):
        run(path)


def test_shift_jis_file_with_new_version_closes_the_old_one(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "r9.csv"
    path.write_bytes(
        (HEADER + "111211,11,身体介護２,395,visit,base,,1,,,2027-04-01,\n").encode("cp932")
    )
    first = run(path)
    assert "追加 1件" in first and "旧版の適用終了日を設定 1件" in first
    second = run(path)
    assert "変更なし 1件" in second and "旧版の適用終了日を設定 0件" in second
    versions = list(ServiceCode.objects.filter(code="111211").order_by("valid_from"))
    assert [(v.units, v.valid_to) for v in versions] == [(387, dt.date(2027, 3, 31)), (395, None)]
    assert versions[1].name == "身体介護２"
