"""The office's own claim file of a month: 介護給付費請求書 + 様式第七 明細書 records per
billable client, framed like the 給付管理票 file (control record, data records, end record;
MS932, CRLF, consecutive record numbers — `billing.benefit.file8222.frame_records`).
Layouts and every unconfirmed fact: meisai_layout.py.

The money is never recomputed here: units, 費用 and 請求額 are the claim page's figures
(`claim.office_month_claim`, the calc engine: floor(units × 単価)). Only billable lines go in
(`line.billable`); 要支援 and 請求不可 lines are left out and named (`left_out`).

A 送信済み month is written from the close record (close.py keeps the lines as sent and, since
this file exists, the 明細書 facts of each line under "meisai"), so a re-download is
byte-identical to what was sent. A close made before then has no "meisai" facts; those are
read from the register as of the month end (documented in docs/office_claim.md).

Queries: a fixed number per office-month (the claim's, plus 3 for the facts), independent of
the client count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from billing.benefit.file8222 import frame_records
from billing.office_claim import meisai_layout as layout
from billing.office_claim.bands import CARE_LEVELS
from billing.office_claim.claim import (
    certifications_by_client,
    claim_schedule,
    level_at_month_end,
    office_month_claim,
)
from billing.tickets.month import days_in_month

NO_BILLABLE = "請求できる利用者がいないため、明細書ファイルは作れません。"
OFFICE_SERVICE_TYPE = "43"  # 居宅介護支援


@dataclass(frozen=True)
class MeisaiClient:
    """One billable client-month as written: facts (str values) and the claim's figures."""

    client_id: int
    name: str
    facts: dict[str, str]
    codes: tuple[tuple[str, int], ...]  # (service code, units) in the claim line's order
    total_units: int
    total_cost_yen: int
    insurance_claim_yen: int


@dataclass(frozen=True)
class LeftOut:
    client_id: int
    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MeisaiFile:
    content: bytes
    sha256: str
    record_count: int  # every record, control and end included
    client_count: int
    filename: str
    client_ids: tuple[int, ...]
    total_units: int
    insurance_claim_yen: int


@dataclass
class MeisaiSource:
    """What a month's file is written from (live claim or the close record)."""

    month: dt.date
    office_number: str
    clients: list[MeisaiClient]
    left_out: list[LeftOut] = field(default_factory=list)
    closed: bool = False


# --- facts ----------------------------------------------------------------------------------
def _ymd(day: dt.date | None) -> str:
    return f"{day:%Y%m%d}" if day else ""


def unit_price_text(regional_grade: str, month: dt.date) -> str:
    """単位数単価 of 居宅介護支援 for the office's 地域区分 × 100 ("1090" for 10.90 円) [U];
    "" when the schedule has no price (the writer reports it)."""
    schedule = claim_schedule()
    end = month.replace(day=days_in_month(month))
    service_type = schedule.service_type(OFFICE_SERVICE_TYPE)
    if service_type is None:
        return ""
    price = schedule.unit_price(regional_grade, service_type.labor_cost_group, end)
    if price is None:
        return ""
    return str(int((Decimal(price) * 100).to_integral_value()))


def register_facts(clients: Sequence, month: dt.date, office) -> dict[int, dict[str, str]]:  # noqa: ANN001
    """{client id: 明細書 facts} from the register as of the month end (3 queries)."""
    from caremgmt.models import Membership
    from clients.models import PlanRequestFiling

    start = month
    end = month.replace(day=days_in_month(month))
    ids = [client.pk for client in clients]
    certs = certifications_by_client(ids)
    numbers = dict(
        Membership.objects.filter(
            office=office, staff_id__in={client.care_manager_id for client in clients}
        )
        .exclude(care_manager_number="")
        .order_by("is_active", "pk")  # an active membership's number wins (comes last)
        .values_list("staff_id", "care_manager_number")
    )
    filings: dict[int, dt.date] = {}
    for client_id, filed_on in (
        PlanRequestFiling.objects.in_force_on(end)
        .filter(client_id__in=ids)
        .order_by("filed_on", "pk")
        .values_list("client_id", "filed_on")
    ):
        filings[client_id] = filed_on  # the latest filing in force wins
    facts = {}
    for client in clients:
        current, _previous = level_at_month_end(certs.get(client.pk, []), start, end)
        facts[client.pk] = {
            "insurer_number": client.insurer_number,
            "insured_number": client.insured_number,
            "birth_date": _ymd(client.birth_date),
            "sex": client.sex or "",
            "care_level": current.care_level if current else "",
            "certified_from": _ymd(current.valid_from) if current else "",
            "certified_to": _ymd(current.effective_to) if current else "",
            "care_manager_number": numbers.get(client.care_manager_id, ""),
            "filed_on": _ymd(filings.get(client.pk)),
        }
    return facts


def close_facts(office, claim) -> dict[int, dict]:  # noqa: ANN001 - OfficeMonthClaim
    """The facts close.py stores with each line ("meisai"): the register's facts, the 単位数単価
    and the line's 費用, so the file of a 送信済み month never changes."""
    price = unit_price_text(claim.regional_grade, claim.month)
    facts = register_facts([line.client for line in claim.lines], claim.month, office)
    return {
        line.client.pk: {
            **facts[line.client.pk],
            "unit_price": price,
            "total_cost_yen": line.total_cost_yen,
        }
        for line in claim.lines
    }


# --- sources --------------------------------------------------------------------------------
def live_source(office, month: dt.date, client_ids: Iterable[int] | None = None) -> MeisaiSource:  # noqa: ANN001
    """From the claim the page shows now; `client_ids` restricts it to those clients (the
    再請求分 of 過誤申立て, kago.py)."""
    claim = office_month_claim(office, month)
    if client_ids is not None:
        wanted = set(client_ids)
        claim.lines = [line for line in claim.lines if line.client.pk in wanted]
    billable = [line for line in claim.lines if line.billable]
    facts = register_facts([line.client for line in billable], month, office)
    price = unit_price_text(claim.regional_grade, month)
    return MeisaiSource(
        month=month,
        office_number=office.office_number,
        clients=[
            MeisaiClient(
                client_id=line.client.pk,
                name=line.client.name,
                facts={**facts[line.client.pk], "unit_price": price},
                codes=tuple((code.code, code.units) for code in line.codes),
                total_units=line.total_units,
                total_cost_yen=line.total_cost_yen,
                insurance_claim_yen=line.insurance_claim_yen,
            )
            for line in billable
        ],
        left_out=_left_out(
            (line.client.pk, line.client.name, line.reasons)
            for line in claim.lines
            if not line.billable
        ),
    )


def closed_source(office, month: dt.date, month_close) -> MeisaiSource:  # noqa: ANN001
    """From the close record: the lines and figures as sent."""
    from clients.models import Client

    rows = list(month_close.lines)
    billable = [row for row in rows if row.get("billable")]
    missing = [row["client_id"] for row in billable if "meisai" not in row]
    fallback: dict[int, dict[str, str]] = {}
    if missing:  # a close made before the 明細書 facts were kept: the register at month end
        from caremgmt.regional_grades import regional_grade_on

        clients = list(Client.objects.filter(pk__in=missing).order_by("pk"))
        fallback = register_facts(clients, month, office)
        price = unit_price_text(
            regional_grade_on(office, month.replace(day=days_in_month(month))), month
        )
        for facts in fallback.values():
            facts["unit_price"] = price
    written = []
    for row in billable:
        stored = row.get("meisai")
        facts = dict(stored) if stored else dict(fallback.get(row["client_id"], {}))
        total_cost = facts.pop("total_cost_yen", row["insurance_claim_yen"])
        written.append(
            MeisaiClient(
                client_id=row["client_id"],
                name=row["client_name"],
                facts={key: str(value) for key, value in facts.items()},
                codes=tuple((code[0], int(code[2])) for code in row["codes"]),
                total_units=row["total_units"],
                total_cost_yen=int(total_cost),
                insurance_claim_yen=row["insurance_claim_yen"],
            )
        )
    return MeisaiSource(
        month=month,
        office_number=office.office_number,
        clients=written,
        left_out=_left_out(
            (row["client_id"], row["client_name"], row.get("reasons", []))
            for row in rows
            if not row.get("billable")
        ),
        closed=True,
    )


def month_source(office, month: dt.date) -> MeisaiSource:  # noqa: ANN001
    """The close record's lines when the month is 送信済み, else the live claim."""
    from billing.models.office_claim import OfficeClaimMonthClose  # close.py imports this file

    found = OfficeClaimMonthClose.objects.filter(office_id=office.pk, month=month).first()
    if found is not None:
        return closed_source(office, month, found)
    return live_source(office, month)


def _left_out(rows: Iterable[tuple[int, str, Sequence[str]]]) -> list[LeftOut]:
    return [LeftOut(client_id, name, tuple(reasons)) for client_id, name, reasons in rows]


# --- checks and writing ---------------------------------------------------------------------
def client_problems(client: MeisaiClient) -> list[str]:
    """Why a client's records cannot be written (Japanese, one line each, naming the client)."""
    facts = client.facts
    who = client.name
    problems = []
    if not re.fullmatch(r"\d{6}|\d{8}", facts.get("insurer_number", "")):
        problems.append(f"{who}: 保険者番号が6桁の数字ではありません。")
    if not re.fullmatch(r"\d{10}|H\d{9}", facts.get("insured_number", "")):
        problems.append(f"{who}: 被保険者番号が10桁ではありません。")
    if facts.get("care_level") not in CARE_LEVELS:
        problems.append(f"{who}: 要介護状態区分（要介護1〜5）が見つかりません。")
    if not re.fullmatch(r"\d{8}", facts.get("care_manager_number", "")):
        problems.append(f"{who}: 担当介護支援専門員番号（8桁）がありません。")
    if not re.fullmatch(r"\d{4}", facts.get("unit_price", "")):
        problems.append(f"{who}: 地域区分の単位数単価が単位数表にありません。")
    if not client.codes:
        problems.append(f"{who}: サービスコードがありません。")
    if any(units < 0 for _code, units in client.codes):  # 運営基準減算 etc. (43M050 [U])
        problems.append(
            f"{who}: 減算の行（負の単位数）は、明細書ファイルでの書き方が未確認のため書けません。"
        )
    if sum(units for _code, units in client.codes) != client.total_units:
        problems.append(f"{who}: サービス単位数合計が明細の合計と違います。")
    return problems


def client_records(
    client: MeisaiClient, *, office_number: str, month: dt.date, exchange_id: str
) -> list[list[str]]:
    """基本, 明細 (one per code), 集計 records of one client-month."""
    facts = client.facts
    common = {
        "exchange_id": exchange_id,
        "service_month": f"{month:%Y%m}",
        "office_number": office_number,
        "insurer_number": facts["insurer_number"].zfill(8),
        "insured_number": facts["insured_number"],
    }
    records = [
        layout.render(
            layout.BASIC,
            {
                **common,
                **{
                    name: facts.get(name, "")
                    for name in (
                        "birth_date",
                        "sex",
                        "care_level",
                        "certified_from",
                        "certified_to",
                        "care_manager_number",
                        "filed_on",
                    )
                },
            },
        )
    ]
    for number, (code, units) in enumerate(client.codes, start=1):
        records.append(
            layout.render(
                layout.DETAIL,
                {
                    **common,
                    "line_no": f"{number:02d}",
                    "service_code": code,
                    "units": str(units),
                    "service_units": str(units * int(layout.SERVICE_COUNT)),
                },
            )
        )
    records.append(
        layout.render(
            layout.TOTAL,
            {
                **common,
                "total_units": str(client.total_units),
                "unit_price": facts["unit_price"],
                "total_cost": str(client.total_cost_yen),
                "insurance_claim": str(client.insurance_claim_yen),
            },
        )
    )
    return records


def write_meisai(source: MeisaiSource) -> MeisaiFile:
    """The whole file. Raises ValidationError listing every problem (nothing written)."""
    if not source.clients:
        raise ValidationError(NO_BILLABLE)
    problems = [problem for client in source.clients for problem in client_problems(client)]
    if problems:
        raise ValidationError(problems)
    ids = layout.file_ids()
    ordered = sorted(
        source.clients,
        key=lambda c: (c.facts["insurer_number"], c.facts["insured_number"], c.client_id),
    )
    month = source.month
    total_units = sum(client.total_units for client in ordered)
    claim_yen = sum(client.insurance_claim_yen for client in ordered)
    data = [
        layout.render(
            layout.INVOICE,
            {
                "exchange_id": ids["invoice_exchange_id"],
                "service_month": f"{month:%Y%m}",
                "office_number": source.office_number,
                "count": str(len(ordered)),
                "units": str(total_units),
                "total_cost": str(sum(client.total_cost_yen for client in ordered)),
                "insurance_claim": str(claim_yen),
            },
        )
    ]
    for client in ordered:
        data.extend(
            client_records(
                client,
                office_number=source.office_number,
                month=month,
                exchange_id=ids["meisai_exchange_id"],
            )
        )
    content, record_count = frame_records(
        data, data_type=ids["data_type"], office_number=source.office_number, month=month
    )
    return MeisaiFile(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        record_count=record_count,
        client_count=len(ordered),
        filename=f"meisai_{source.office_number}_{month:%Y%m}.csv",
        client_ids=tuple(client.client_id for client in ordered),
        total_units=total_units,
        insurance_claim_yen=claim_yen,
    )
