"""Fuzz the 国保連 results CSV (返戻・保留・受付): malformed files never raise, never 500,
write nothing when any row is refused, and every refusal names its row in Japanese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.benefit import batch
from billing.models.benefit import BenefitManagementSheet
from billing.returns import services
from billing.returns.csv_import import HEADER, import_results
from billing.tickets.generate import generate_ticket
from caremgmt.access import actor_for
from tests.billing.ticket_world import make_ticket_world
from tests.fuzz.mutations import TRIED, assert_messages, malformed, rolled_back

pytestmark = pytest.mark.django_db
DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def valid(world, settings) -> list[list[str]]:  # noqa: ANN001
    """Two submitted client-months and a valid results file for them."""
    settings.BENEFIT_BATCH_REQUIRES_CHECK = False
    numbers = []
    for level in ("23", "21"):
        tw = make_ticket_world(world.office, world.care_manager, care_level=level)
        generate_ticket(client=tw.client, month=DECEMBER)
        numbers.append(tw.client.insured_number)
    outcome = batch.run_now(world.office, DECEMBER)
    assert outcome.submission is not None, outcome.errors
    services.mark_submitted(actor_for(world.clerk), outcome.submission.pk, dt.date(2027, 1, 8))
    return [
        HEADER,
        [numbers[0], "202612", "受付", "", ""],
        [numbers[1], "2026-12", "返戻", "A1", "限度額超過"],
    ]


def snapshot() -> list[tuple]:
    return list(
        BenefitManagementSheet.objects.order_by("pk").values_list("pk", "status", "return_reason")
    )


@given(data=st.data())
def test_results_csv_survives_malformed_files(world, valid, data) -> None:  # noqa: ANN001
    encoding = data.draw(st.sampled_from(["cp932", "utf-8"]))
    payload = data.draw(malformed(valid, encoding=encoding, newline="\n"))
    TRIED["国保連 results CSV"] += 1
    with rolled_back():
        before = snapshot()
        outcome = import_results(actor_for(world.clerk), DECEMBER, payload)
        if outcome.errors:
            assert snapshot() == before, "a refused file changed a sheet"
            assert outcome.applied == outcome.unchanged == 0
            assert_messages("results", outcome.errors)


@given(data=st.data())
@settings(max_examples=10)
def test_results_upload_route_never_500(world, valid, login, data) -> None:  # noqa: ANN001
    http = login(world.clerk)
    payload = data.draw(malformed(valid))
    TRIED["国保連 results upload route"] += 1
    with rolled_back():
        before = snapshot()
        upload = SimpleUploadedFile("results.csv", payload)
        response = http.post(
            reverse("billing:returns_import"), {"month": "2026-12", "file": upload}, follow=True
        )
        assert response.status_code < 500
        if "取り込めませんでした" in response.content.decode():
            assert snapshot() == before


def test_stray_carriage_return_is_a_row_numbered_problem(world, valid) -> None:  # noqa: ANN001
    """Found by the fuzzer: a lone CR inside a field made csv raise past the import."""
    data = ("被保険者番号,サービス提供年月,結果,事由コード,事由\n1\r2,202612,受付,,\n").encode()
    before = snapshot()
    outcome = import_results(actor_for(world.clerk), DECEMBER, data)
    assert outcome.errors and outcome.errors[0].startswith("2行目: ")
    assert snapshot() == before
    # a field beyond the csv module's size limit is the other way csv gives up
    huge = "被保険者番号,サービス提供年月,結果,事由コード,事由\n" + '"' + "x" * 200_000 + '"\n'
    outcome = import_results(actor_for(world.clerk), DECEMBER, huge.encode())
    assert outcome.errors == [
        '2行目: CSVとして読めません（引用符「"」や改行の位置を確認してください）。'
    ]
