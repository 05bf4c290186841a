"""`{% plan_monthly_services plan as items %}`: the plan's 週単位以外 items with their
providers (one query) for `templates/careplans/_monthly_services.html`."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def plan_monthly_services(plan):  # noqa: ANN001, ANN201
    return list(
        plan.monthly_services.select_related("provider").order_by("kind", "period_from", "pk")
    )
