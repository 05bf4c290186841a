"""運営基準減算 proposals for the office claim (REFERENCE §5.3, §9).

A month in which the care manager owed a monitoring visit (居宅訪問・面接・記録) and none is
recorded is claimed with 運営基準減算 unless there was a 特段の事情 — which the monthly rule
(`monitoring.due.month_status`) already encodes as 入院中 (in hospital the whole month) and
対象外 (no plan in force yet, contract ended). So the source proposes the 減算 for the
client-months whose state is 未実施 or 月末超過 and nothing for 実施済 / 入院中 / 対象外.

Registered with billing's proposal registry (`billing.office_claim.proposals`) from
`MonitoringConfig.ready`, because billing may not import monitoring. The clerk decides: the
proposal is never applied by itself; other 特段の事情 are recorded in 第5表 and the clerk
then leaves the proposal unregistered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from monitoring.due import MonthState, month_status

SOURCE_NAME = "monitoring.missed_monitoring"

MISSED = (
    "{year}年{month}月のモニタリング（居宅訪問・記録）がありません。"
    "特段の事情がなければ運営基準減算の対象です。"
)
NOT_YET = (
    "{year}年{month}月のモニタリング（居宅訪問・記録）がまだありません。"
    "月末までに記録がなければ、特段の事情がない限り運営基準減算の対象です。"
)


def missed_monitoring(month: dt.date, client_ids: Sequence[int]) -> dict[int, str]:
    """{client id: reason} for the clients whose monitoring of `month` is missing.

    Same fixed queries as `month_status` (4) for any number of clients. 未実施 (the month
    has not ended yet) and 月末超過 are both proposed, with wording that says which.
    """
    first = month.replace(day=1)
    states = month_status(client_ids, first, today=timezone.localdate())
    proposals: dict[int, str] = {}
    for client_id, state in states.items():
        if state == MonthState.LATE:
            proposals[client_id] = MISSED.format(year=first.year, month=first.month)
        elif state == MonthState.DUE:
            proposals[client_id] = NOT_YET.format(year=first.year, month=first.month)
    return proposals


def register() -> None:
    from billing.office_claim.proposals import register_proposal_source

    register_proposal_source("standard_violation", missed_monitoring, name=SOURCE_NAME)
