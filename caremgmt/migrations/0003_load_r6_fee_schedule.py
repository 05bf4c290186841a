"""Seed the R6 (令和6年度) fee schedule from caremgmt/fee_schedule_data/*.csv.

Self-contained on purpose (historical models, its own CSV reading) so that later changes to
the importer cannot change what this migration does. Re-running is harmless: rows are
keyed on their natural key + valid_from.
"""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "fee_schedule_data"


def _rows(name):
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _date(text):
    return date.fromisoformat(text) if text else None


def load(apps, schema_editor):
    service_type_model = apps.get_model("caremgmt", "ServiceType")
    service_code_model = apps.get_model("caremgmt", "ServiceCode")
    limit_model = apps.get_model("caremgmt", "CareLevelLimit")
    price_model = apps.get_model("caremgmt", "RegionalUnitPrice")
    for row in _rows("service_types.csv"):
        service_type_model.objects.update_or_create(
            code=row["service_type"],
            defaults={
                "name": row["name"],
                "labor_cost_group": row["labor_cost_group"],
                "counts_toward_limit": row["counts_toward_limit"] == "1",
                "short_stay": row["short_stay"] == "1",
                "eligibility": row["eligibility"],
                "fixed_benefit_rate": int(row["fixed_benefit_rate"])
                if row["fixed_benefit_rate"]
                else None,
                "confidence": row["confidence"],
            },
        )
    for row in _rows("service_codes_r6.csv"):
        service_code_model.objects.update_or_create(
            code=row["code"],
            valid_from=_date(row["valid_from"]),
            defaults={
                "service_type_id": row["service_type"],
                "name": row["name"],
                "units": int(row["units"]),
                "basis": row["basis"],
                "kind": row["kind"],
                "percentage_rate": Decimal(row["percentage_rate"])
                if row["percentage_rate"]
                else None,
                "counts_toward_limit": row["counts_toward_limit"] == "1",
                "level_group": row["level_group"],
                "care_levels": row["care_level"].split(),
                "valid_to": _date(row["valid_to"]),
                "confidence": row["confidence"],
            },
        )
    for row in _rows("care_level_limits.csv"):
        limit_model.objects.update_or_create(
            care_level=row["care_level"],
            valid_from=_date(row["valid_from"]),
            defaults={
                "limit_units": int(row["limit_units"]),
                "valid_to": _date(row["valid_to"]),
                "confidence": row["confidence"],
            },
        )
    for row in _rows("regional_unit_prices.csv"):
        price_model.objects.update_or_create(
            regional_grade=row["regional_grade"],
            labor_cost_group=row["labor_cost_group"],
            valid_from=_date(row["valid_from"]),
            defaults={
                "uplift_percent": Decimal(row["uplift_percent"]),
                "labor_cost_percent": Decimal(row["labor_cost_percent"]),
                "unit_price": Decimal(row["unit_price"]),
                "valid_to": _date(row["valid_to"]),
                "confidence": row["confidence"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("caremgmt", "0002_fee_schedule")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
