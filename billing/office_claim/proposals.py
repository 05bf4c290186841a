"""Proposals of per-client 加算/減算 that billing cannot see by itself (REFERENCE §5.3).

Some evidence of the office claim is decided by later apps: whether the month's monitoring
was done is monitoring's rule, and billing may not import monitoring (dependencies point
one way, tests/test_architecture.py). So billing keeps a small registry of *proposal
sources*: a later app registers, from its `AppConfig.ready`, a callable for a
`ClaimEvidence` kind

    source(month, client_ids) -> {client_id: reason text}

that answers for every client of the claim in a fixed number of queries. The office-claim
screen shows each reason on the client's line as a proposal; nothing is claimed until the
clerk registers the evidence (as with 初回加算). A proposal disappears once the evidence of
that kind is registered for the month.

運営基準減算 (kind `standard_violation`) gets one more sentence from billing itself: when the
previous month already has 運営基準減算 registered, registering it again makes this month
算定不可 (`additions.STANDARD_VIOLATION_SECOND_MONTH`, applied in `claim._price_line`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from billing.office_claim import additions
from billing.office_claim.bands import CARE_LEVELS
from billing.tickets.month import add_months

ProposalSource = Callable[[dt.date, Sequence[int]], Mapping[int, str]]

STANDARD_VIOLATION = "standard_violation"
SECOND_MONTH_WARNING = (
    "前月（{year}年{month}月）も運営基準減算を登録しているため、登録するとこの月は"
    "2か月連続となり、居宅介護支援費を算定できなくなります（請求不可）。"
)

# kind → {source name: source}; keyed by name so a repeated `ready()` registers once.
_sources: dict[str, dict[str, ProposalSource]] = {}


def register_proposal_source(kind: str, source: ProposalSource, *, name: str = "") -> None:
    """Register `source` as a proposer of the evidence `kind` (e.g. "standard_violation").

    `name` identifies the source (default: its module and qualified name); registering the
    same name again replaces the earlier one.
    """
    if kind not in additions.PERCENTAGES and kind not in additions.EVIDENCE_ADDITIONS:
        raise ValueError(f"unknown claim evidence kind: {kind}")
    key = name or f"{source.__module__}.{source.__qualname__}"
    _sources.setdefault(kind, {})[key] = source


def unregister_proposal_source(kind: str, name: str) -> None:
    _sources.get(kind, {}).pop(name, None)


def registered_kinds() -> tuple[str, ...]:
    return tuple(kind for kind, sources in _sources.items() if sources)


def collect_proposals(month: dt.date, client_ids: Sequence[int]) -> dict[str, dict[int, str]]:
    """Every registered source's proposals for the month: kind → {client id: reason}.

    Sources are asked once each for all clients (never per client), so the cost is the
    sources' fixed queries whatever the number of clients. Several sources of one kind have
    their reasons joined.
    """
    ids = list(client_ids)
    found: dict[str, dict[int, str]] = {}
    if not ids:
        return found
    for kind, sources in _sources.items():
        for source in sources.values():
            for client_id, reason in source(month, ids).items():
                if client_id not in ids or not reason:
                    continue
                reasons = found.setdefault(kind, {})
                reasons[client_id] = (
                    f"{reasons[client_id]}{reason}" if client_id in reasons else reason
                )
    return found


def standard_violation_proposal(
    *,
    reason: str,
    month: dt.date,
    kinds_this_month: Iterable[str],
    kinds_last_month: Iterable[str],
) -> str:
    """The 運営基準減算 proposal shown on a line ("" = none).

    None when no source proposed it or when it is already registered for the month; with
    the 2-month warning when the previous month has 運営基準減算 registered.
    """
    if not reason or STANDARD_VIOLATION in set(kinds_this_month):
        return ""
    if STANDARD_VIOLATION in set(kinds_last_month):
        previous = add_months(month, -1)
        return reason + SECOND_MONTH_WARNING.format(year=previous.year, month=previous.month)
    return reason


def propose_on_lines(
    lines: Sequence,  # ClaimLine (claim.py imports this module, not the reverse)
    *,
    month: dt.date,
    evidence: Mapping[tuple[int, dt.date], Sequence],
) -> None:
    """Set `violation_proposal` on the 要介護 lines of the month (lines without a 43 claim —
    no certification, 要支援 — get none). `evidence`: ClaimEvidence rows by (client id,
    month) for this month and the previous one, as `claim.office_month_claim` loaded them."""
    claimed = [line for line in lines if line.care_level in CARE_LEVELS]
    proposed = collect_proposals(month, [line.client.pk for line in claimed]).get(
        STANDARD_VIOLATION, {}
    )
    previous = add_months(month, -1)
    for line in claimed:
        client_id = line.client.pk
        line.violation_proposal = standard_violation_proposal(
            reason=proposed.get(client_id, ""),
            month=month,
            kinds_this_month=(row.kind for row in evidence.get((client_id, month), [])),
            kinds_last_month=(row.kind for row in evidence.get((client_id, previous), [])),
        )
