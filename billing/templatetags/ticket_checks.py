"""`{% ticket_checks ticket figures as checks %}`: the plan-check findings of a ticket for
`templates/billing/_editor_checks.html` (warnings, and whether this user may acknowledge)."""

from __future__ import annotations

from django import template

from billing.tickets.checks import ticket_warnings, unacknowledged_count

register = template.Library()


@register.simple_tag(takes_context=True)
def ticket_checks(context, ticket, figures):  # noqa: ANN001, ANN201
    if figures is None:
        from billing.tickets.compute import ticket_figures

        figures = ticket_figures(ticket)
    warnings = context.get("check_warnings")
    if warnings is None:
        warnings = ticket_warnings(ticket, figures)
    request = context.get("request")
    actor = getattr(request, "actor", None) if request is not None else None
    result = figures.result
    return {
        "warnings": warnings,
        # The limit is drawn in the limit panel; the checks still name an excess (and whether
        # its 振り分け was saved) so that 「指摘事項はありません」 never stands alone beside it.
        "over_limit_units": result.totals.over_limit_units,
        "allocation_explicit": result.allocation_source == "explicit",
        "open_count": unacknowledged_count(warnings),
        "can_acknowledge": bool(actor and actor.can_write_plans) and not ticket.is_claimed,
    }
