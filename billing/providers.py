"""サービス事業所 as the calc engine sees them: the 地域区分 is the one valid on the service
date (`caremgmt.regional_grades.regional_grade_on`), not whatever the directory says today."""

from __future__ import annotations

import datetime as dt

from billing.calc.types import Provider
from caremgmt.regional_grades import regional_grade_on
from clients.models import ServiceProvider


def calc_provider(provider: ServiceProvider, *, service_month: dt.date) -> Provider:
    """The engine prices one client-month per provider with one grade: the grade valid on
    the first day of the service month (告示 changes take effect on 4月1日)."""
    first_day = service_month.replace(day=1)
    return Provider(
        number=provider.provider_number,
        name=provider.name,
        regional_grade=regional_grade_on(provider, first_day),
        service_types=frozenset(provider.service_types),
    )
