"""Plan import never changes data silently (issue 9, item 13): impossible dates, text longer
than our columns, unusable weekly times and a damaged first column are row-numbered problems
shown before anything is saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from careplans.exchange import CsvReadError, read_sending_unit
from careplans.exchange.periods import ImpossiblePeriodError, PeriodError, parse_period
from careplans.exchange_import import ImportProblem, ImportProblemsError, careplan_import
from careplans.models import CarePlan, DailyActivity, Need, SupportItem, WeeklyService

pytestmark = pytest.mark.django_db
UNIT = Path(__file__).parent / "fixtures" / "vendor_unit"


def vendor_files() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(UNIT.glob("*.CSV"))}


def edited(files: dict[str, bytes], prefix: str, old: str, new: str) -> dict[str, bytes]:
    name = next(n for n in files if n.startswith(prefix))
    text = files[name].decode("cp932")
    assert text.count(old) == 1, old
    return {**files, name: text.replace(old, new).encode("cp932")}


@pytest.fixture
def vendor_client(plan_setup):  # noqa: ANN001, ANN201
    plan_setup.client.insured_number = "2000000001"
    plan_setup.client.save()
    plan_setup.home_help.provider_number = "1379900001"
    plan_setup.home_help.save()
    return plan_setup


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (CarePlan, Need, SupportItem, WeeklyService, DailyActivity)
    )


def bad_unit() -> dict[str, bytes]:
    files = vendor_files()
    files = edited(files, "UP2KYO", '"2026/4/1～2027/3/31"', '"2026/2/30～2027/3/31"')
    files = edited(files, "UP2KYO", '"長女","毎日"', '"長女","' + "毎" * 10000 + '"')
    return edited(files, "UP3KYO", '"2","1000","1100"', '"2","2400","2400"')


def test_impossible_date_is_its_own_period_error() -> None:
    with pytest.raises(ImpossiblePeriodError, match="2026年2月30日は存在しない日付です"):
        parse_period("2026/2/30～2027/3/31")
    with pytest.raises(ImpossiblePeriodError, match="終了日が開始日より前です"):
        parse_period("R8.4.1～R8.3.31")
    with pytest.raises(PeriodError) as caught:
        parse_period("次回更新まで")
    assert not isinstance(caught.value, ImpossiblePeriodError)


def test_changed_values_are_listed_and_nothing_is_saved(vendor_client) -> None:  # noqa: ANN001
    before = counts()
    with pytest.raises(ImportProblemsError) as caught:
        careplan_import(actor=vendor_client.actor, client=vendor_client.client, files=bad_unit())
    assert counts() == before
    problems = caught.value.problems
    assert [(p.file, p.row, p.field) for p in problems] == [
        ("UP2KYO", 2, "頻度"),
        ("UP2KYO", 3, "長期期間"),
        ("UP3KYO", 1, "開始時間・終了時間"),
    ]
    frequency, period, weekly = problems
    assert frequency.raw == "毎" * 10000
    assert frequency.message == "100文字を超えています（10000文字）。100文字以内にしてください。"
    assert period.raw == "2026/2/30～2027/3/31"
    assert "2026年2月30日は存在しない日付です" in period.message
    assert weekly.raw == "2400～2400"
    assert str(weekly).startswith("UP3KYO（第3表） 1件目 「開始時間・終了時間」: ")


def test_long_provider_and_activity_texts_are_problems(vendor_client) -> None:  # noqa: ANN001
    files = edited(vendor_files(), "UP2KYO", '"長女"', '"' + "長" * 101 + '"')
    files = edited(files, "UP3KYO", '"起床, 着替え"', '"' + "起" * 101 + '"')
    files = edited(files, "UP3KYO", '"0630","0700"', '"2400","0700"')
    with pytest.raises(ImportProblemsError) as caught:
        careplan_import(actor=vendor_client.actor, client=vendor_client.client, files=files)
    assert [(p.file, p.row, p.field) for p in caught.value.problems] == [
        ("UP2KYO", 2, "サービス事業所名"),
        ("UP3KYO", 3, "主な日常生活上の活動"),
        ("UP3KYO", 3, "開始時間"),
    ]
    assert CarePlan.objects.count() == 0


def test_problem_display_shortens_the_raw_value() -> None:
    problem = ImportProblem("UP2KYO", 2, "頻度", "毎" * 50, "長すぎます。")
    assert (
        str(problem)
        == f"UP2KYO（第2表） 2件目 「頻度」: 長すぎます。（受け取った値: 「{'毎' * 40}…」）"
    )


def test_damaged_first_column_is_a_problem_not_a_header() -> None:
    files = edited(
        vendor_files(),
        "UP3KYO",
        '"202407","131011","2000000001","20260401","20260401","訪問介護',
        '"2O24O7","131011","2000000001","20260401","20260401","訪問介護',
    )
    with pytest.raises(CsvReadError) as caught:
        read_sending_unit(files)
    assert [(p.record_type, p.row, p.field_number) for p in caught.value.problems] == [
        ("UP3KYO", 1, 1)
    ]
    # the vendor's real header row in 第2表 is still recognised as a header
    unit = read_sending_unit(vendor_files())
    assert unit.had_header_rows and len(unit.table2) == 3 and len(unit.table3) == 3


def test_import_page_lists_the_problems_and_saves_nothing(vendor_client, login, world) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    uploads = [SimpleUploadedFile(name, data) for name, data in bad_unit().items()]
    response = http.post(
        reverse("careplans:import", args=[vendor_client.client.pk]), {"files": uploads}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "このままでは内容が変わってしまう箇所が3件あります。何も取り込んでいません。" in page
    assert 'id="exchange-problems"' in page
    assert "UP2KYO（第2表） 3件目 「長期期間」" in page and "2026/2/30～2027/3/31" in page
    assert "UP3KYO（第3表） 1件目 「開始時間・終了時間」" in page
    assert CarePlan.objects.count() == 0
