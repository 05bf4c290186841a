"""退院・退所加算 on the office claim: the evidence's 区分 decides the code and units (Ⅰイ 450 /
Ⅰロ 600 / Ⅱイ 600 / Ⅱロ 750 / Ⅲ 900), a row without a 区分 is claimed as Ⅰイ with a notice at
the line, and the hand-entry form requires the 区分 for 退院・退所加算 only."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from billing.models.office_claim import ClaimEvidence
from billing.office_claim.additions import DISCHARGE_VARIANT_MISSING
from billing.office_claim.claim import office_month_claim
from tests.billing.office_claim_world import MONTH, make_case

pytestmark = pytest.mark.django_db

PAGE = reverse("billing:office_claim")
EVIDENCE = reverse("billing:office_claim_evidence")


def _line(claim, client):  # noqa: ANN001, ANN202
    return next(line for line in claim.lines if line.client.pk == client.pk)


def _codes(line) -> dict[str, int]:  # noqa: ANN001
    return {code.code: code.units for code in line.codes}


def _discharge(client, variant: str, *, by) -> ClaimEvidence:  # noqa: ANN001
    return ClaimEvidence.objects.create(
        client=client,
        month=MONTH,
        kind="discharge",
        variant=variant,
        proof_on=MONTH.replace(day=10),
        created_by=by,
    )


# base 432211 (要介護3, band i) 1,411 units; 1級地 11.40 yen; 10割給付.
@pytest.mark.parametrize(
    ("variant", "code", "units", "total_units", "yen"),
    [
        ("1i", "436132", 450, 1861, 21215),  # floor(1,861 × 11.40) = 21,215.4
        ("1ro", "436143", 600, 2011, 22925),  # floor(2,011 × 11.40) = 22,925.4
        ("2i", "436144", 600, 2011, 22925),
        ("2ro", "436145", 750, 2161, 24635),  # floor(2,161 × 11.40) = 24,635.4
        ("3", "436146", 900, 2311, 26345),  # floor(2,311 × 11.40) = 26,345.4
    ],
)
def test_each_variant_claims_its_own_code(world, variant, code, units, total_units, yen) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager, level="23")
    _discharge(client, variant, by=world.clerk)
    line = _line(office_month_claim(world.office, MONTH), client)
    assert _codes(line) == {"432211": 1411, code: units}
    assert (line.total_units, line.total_cost_yen, line.insurance_claim_yen) == (
        total_units,
        yen,
        yen,
    )
    assert line.billable and line.issues == []


def test_a_row_without_variant_is_claimed_as_1i_and_says_so(world, login) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    _discharge(client, "", by=world.clerk)
    line = _line(office_month_claim(world.office, MONTH), client)
    assert _codes(line) == {"432211": 1411, "436132": 450}
    assert line.issues == [DISCHARGE_VARIANT_MISSING]
    assert line.billable  # still claimed as before
    page = login(world.clerk).get(PAGE, {"month": "2026-12"}).content.decode()
    assert DISCHARGE_VARIANT_MISSING in page


def test_the_database_refuses_a_variant_on_another_kind(world) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimEvidence.objects.create(
            client=client,
            month=MONTH,
            kind="outpatient",
            variant="1ro",
            proof_on=MONTH,
            created_by=world.clerk,
        )


def _post(client, kind: str, variant: str = "") -> dict:  # noqa: ANN001
    return {
        "month": "2026-12",
        "client": client.pk,
        "kind": kind,
        "variant": variant,
        "proof_on": "2026-12-10",
        "note": "退院前カンファレンスに参加",
    }


def test_hand_entry_requires_the_variant_for_discharge_only(world, login) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    http = login(world.clerk)
    missing = http.post(EVIDENCE, _post(client, "discharge"))
    assert missing.status_code == 422
    page = missing.content.decode()
    assert (
        f'<p class="form-error" id="variant-{client.pk}-error">退院・退所加算の区分を選んでください。</p>'
        in page
    )
    other = http.post(EVIDENCE, _post(client, "terminal", "2ro"))
    assert other.status_code == 422
    assert "区分は退院・退所加算のときだけ選びます。" in other.content.decode()
    unknown = http.post(EVIDENCE, _post(client, "discharge", "9"))
    assert unknown.status_code == 422
    assert "退院・退所加算の区分を選んでください。" in unknown.content.decode()
    assert not ClaimEvidence.objects.exists()

    saved = http.post(EVIDENCE, _post(client, "discharge", "1ro"), follow=True)
    row = ClaimEvidence.objects.get()
    assert (row.kind, row.variant) == ("discharge", "1ro")
    page = saved.content.decode()
    assert "退院・退所加算（Ⅰロ）を登録しました。" in page
    assert "436143 退院・退所加算Ⅰロ 600" in page
    assert "436132" not in page


def test_migration_backfills_rows_the_sync_wrote_and_leaves_hand_typed_ones(world) -> None:  # noqa: ANN001
    from importlib import import_module

    from django.apps import apps

    migration = import_module("billing.migrations.0004_claim_evidence_discharge_variant")
    synced = make_case(world.office, world.care_manager)
    typed = make_case(world.office, world.care_manager)
    for client, note in (
        (
            synced,
            "【記録から】退院・退所加算（Ⅱロ）750単位相当：さくら病院（退院 2026-12-15、連携2回）",
        ),
        (typed, "退院・退所加算（Ⅲ）のつもり"),
    ):
        ClaimEvidence.objects.create(
            client=client,
            month=MONTH,
            kind="discharge",
            proof_on=MONTH.replace(day=15),
            note=note,
            created_by=world.clerk,
        )
    migration.variants_from_sync_notes(apps, None)
    assert ClaimEvidence.objects.get(client=synced).variant == "2ro"
    assert ClaimEvidence.objects.get(client=typed).variant == ""
