"""manage.py import_rental_caps: the 貸与上限額 the ticket's price check reads."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from billing.models import RentalPriceCap
from billing.tickets.checks import ticket_warnings
from billing.tickets.compute import ticket_figures
from billing.tickets.generate import generate_ticket
from careplans.models import MonthlyService
from tests.billing.ticket_world import make_ticket_world

HEADER = "tais_code,item_name,cap_yen,average_yen,valid_from,valid_to\n"


def _run(*args: str) -> str:
    out = StringIO()
    call_command("import_rental_caps", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_sample_is_marked_and_loads_once() -> None:
    sample = Path("billing/data/rental_caps_sample.csv").read_text(encoding="utf-8")
    assert "SAMPLE DATA" in sample and "厚生労働省" in sample
    assert "追加 8件" in _run("--sample") and "サンプルデータ" in _run("--sample", "--dry-run")
    assert "変更なし 8件" in _run("--sample")
    assert RentalPriceCap.objects.count() == 8
    bed = RentalPriceCap.objects.get(tais_code="00170-000123")
    assert (bed.cap_yen, bed.average_yen, bed.valid_to) == (15200, 12350, None)


@pytest.mark.django_db
def test_a_changed_cap_is_updated(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "caps.csv"
    path.write_text(HEADER + "00170-000123,特殊寝台,15200,,2024-10-01,\n", encoding="utf-8")
    _run(str(path))
    path.write_text(HEADER + "00170-000123,特殊寝台,14800,,2024-10-01,\n", encoding="cp932")
    assert "更新 1件" in _run(str(path))
    assert RentalPriceCap.objects.get().cap_yen == 14800


@pytest.mark.django_db
def test_a_bad_file_saves_nothing_and_names_every_line(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "caps.csv"
    path.write_text(
        HEADER
        + "00170-000123,特殊寝台,15200,,2024-10-01,\n"
        + "00170-000124,付属品,-5,,2024-10-01,\n"
        + "00170-000125,付属品,3000,,2024/10/01,\n"
        + "00170-000123,特殊寝台,15000,,2024-10-01,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as error:
        _run(str(path))
    text = str(error.value)
    assert "3行目" in text and "4行目" in text and "5行目" in text and "2行目と重複" in text
    assert not RentalPriceCap.objects.exists()


@pytest.mark.django_db
def test_a_wrong_header_is_refused(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "caps.csv"
    path.write_text("code,cap\n001,100\n", encoding="utf-8")
    with pytest.raises(CommandError, match="見出し"):
        _run(str(path))


def test_the_ticket_check_uses_the_imported_caps(world) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager)
    _run("--sample")
    ticket, _ = generate_ticket(client=tw.client, month=dt.date(2026, 12, 1))
    assert not [w for w in ticket_warnings(ticket, ticket_figures(ticket))
                if w.rule == "rental_price_cap"]  # fmt: skip
    MonthlyService.objects.filter(pk=tw.rental_item.pk).update(rental_price_yen=16000)
    ticket, _ = generate_ticket(client=tw.client, month=dt.date(2026, 12, 1))
    found = [w for w in ticket_warnings(ticket, ticket_figures(ticket))
             if w.rule == "rental_price_cap"]  # fmt: skip
    assert "16,000円が上限額15,200円" in found[0].message
