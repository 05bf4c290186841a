"""ケアプランデータ連携 file names (v4.1, REFERENCE §3.3).

``{PREFIX}_[{YYYYMM}_]{送信元事業所番号10}_{送信元サービス種類2}_{送信先事業所番号10}_{送信先サービス種類2}_{YYYYMMDDHHMMSS}.CSV``

The trailing 14 digits are the ファイル連番: every file of one sending unit shares it, and
receivers process units in its order. The month part exists only for the prefixes in
`MONTH_PREFIXES` (利用者補足情報 writes "000000" there when tied to 第1・2表).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

PREFIXES = (
    "UPHOSOKU",
    "UP1KYO",
    "UP2KYO",
    "UP3KYO",
    "DLT1KYO",
    "UPPLAN",
    "DLTPLAN",
    "UPSIKYU",
    "UPJSK",
    "DLTJSK",
)
MONTH_PREFIXES = frozenset({"UPHOSOKU", "UPPLAN", "DLTPLAN", "UPSIKYU", "UPJSK", "DLTJSK"})
PLAN_LINKED_MONTH = "000000"
CARE_MANAGEMENT_SERVICE_TYPE = "43"  # 居宅介護支援

_NAME = re.compile(
    r"(?P<prefix>[A-Z0-9]+?)_(?:(?P<month>\d{6})_)?"
    r"(?P<sender>\d{10})_(?P<sender_type>[0-9A-Z]{2})_"
    r"(?P<recipient>\d{10})_(?P<recipient_type>[0-9A-Z]{2})_"
    r"(?P<sequence>\d{14})\.CSV",
    re.IGNORECASE,
)


def sequence_for(sent_at: dt.datetime) -> str:
    """The 14-digit ファイル連番 for a sending time (local wall-clock time, JST)."""
    return sent_at.strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True)
class ExchangeFileName:
    prefix: str
    sender_office_number: str
    sender_service_type: str
    recipient_office_number: str
    recipient_service_type: str
    sequence: str  # YYYYMMDDHHMMSS
    month: str | None = None  # YYYYMM or "000000"; only for MONTH_PREFIXES

    def __post_init__(self) -> None:
        if self.prefix not in PREFIXES:
            raise ValueError(f"unknown file prefix {self.prefix!r}")
        if (self.month is not None) != (self.prefix in MONTH_PREFIXES):
            raise ValueError(
                f"{self.prefix}: month part is {'required' if self.month is None else 'not allowed'}"
            )
        if self.month is not None and not re.fullmatch(r"\d{6}", self.month):
            raise ValueError("month part must be YYYYMM or 000000")
        for number in (self.sender_office_number, self.recipient_office_number):
            if not re.fullmatch(r"\d{10}", number):
                raise ValueError(f"事業所番号 must be 10 digits, got {number!r}")
        for service_type in (self.sender_service_type, self.recipient_service_type):
            if not re.fullmatch(r"[0-9A-Z]{2}", service_type):
                raise ValueError(f"サービス種類コード must be 2 characters, got {service_type!r}")
        if not re.fullmatch(r"\d{14}", self.sequence):
            raise ValueError("ファイル連番 must be YYYYMMDDHHMMSS")

    def __str__(self) -> str:
        parts = [self.prefix]
        if self.month is not None:
            parts.append(self.month)
        parts += [
            self.sender_office_number,
            self.sender_service_type,
            self.recipient_office_number,
            self.recipient_service_type,
            self.sequence,
        ]
        return "_".join(parts) + ".CSV"

    @classmethod
    def parse(cls, name: str) -> ExchangeFileName:
        """Parse a received file name; raises ValueError when it does not follow §3.3."""
        match = _NAME.fullmatch(name.rsplit("/", 1)[-1])
        if not match:
            raise ValueError(f"not a ケアプランデータ連携 file name: {name!r}")
        return cls(
            prefix=match["prefix"].upper(),
            month=match["month"],
            sender_office_number=match["sender"],
            sender_service_type=match["sender_type"].upper(),
            recipient_office_number=match["recipient"],
            recipient_service_type=match["recipient_type"].upper(),
            sequence=match["sequence"],
        )
