"""Correct the 人件費割合 group of 短期入所生活介護 (21) and 介護予防短期入所生活介護 (24).

REFERENCE §7 was corrected: both types belong to the 55 % group, not 45 % (the official
短期入所 記載例 is priced at 11.10 = 1級地 × 55 %; short-stay price lists show 3級地 10.83 and
7級地 10.17). 0003 seeds from the (now corrected) CSV, so new databases already have 55; this
migration fixes databases seeded before the correction. The 55 % unit prices observed on
those price lists are marked confirmed. Self-contained on purpose (historical models, literal
values).
"""

from django.db import migrations

CORRECTED_TYPES = ("21", "24")
CONFIRMED_55_GRADES = ("1", "3", "7")


def _set(apps, group, confidence):
    service_type_model = apps.get_model("caremgmt", "ServiceType")
    price_model = apps.get_model("caremgmt", "RegionalUnitPrice")
    service_type_model.objects.filter(code__in=CORRECTED_TYPES).update(labor_cost_group=group)
    if confidence is not None:
        price_model.objects.filter(
            labor_cost_group="55", regional_grade__in=CONFIRMED_55_GRADES
        ).update(confidence=confidence)


def forwards(apps, schema_editor):
    _set(apps, "55", "C")


def backwards(apps, schema_editor):
    _set(apps, "45", None)


class Migration(migrations.Migration):
    dependencies = [("caremgmt", "0006_office_regional_grade_history")]

    operations = [migrations.RunPython(forwards, backwards)]
