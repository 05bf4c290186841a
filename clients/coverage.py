"""Rules for 公費 numbers and their order, as data (REFERENCE §11; priority not researched,
REFERENCE open question 13 — hence settings).

`settings.PUBLIC_EXPENSE_LAW_PRIORITY`: 法別番号 in the order billing applies them; numbers
not listed follow in numeric order. Default: 生活保護（介護扶助, 12）first, as issue 8 asks.
`settings.PUBLIC_EXPENSE_PAYER_CHECK_DIGIT`: check the 8th digit of the 公費負担者番号 with
the 保険者番号設定要領 rule (the same rule as the 保険者番号; switch off if a real number fails).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError

from clients.validators import insurer_check_digit

WELFARE_LAW_NUMBER = "12"  # 生活保護法による介護扶助

# Labels for the 法別番号 met in 介護保険 billing; an unlisted number is still accepted.
PUBLIC_EXPENSE_LAWS = {
    "10": "感染症法（結核）",
    "12": "生活保護（介護扶助）",
    "15": "障害者総合支援法（更生医療）",
    "19": "原爆被爆者（一般疾病）",
    "21": "障害者総合支援法（精神通院）",
    "25": "中国残留邦人等支援給付",
    "51": "特定疾患治療研究事業",
    "54": "難病法（特定医療）",
    "58": "障害者施策（措置）",
    "66": "石綿健康被害救済",
    "81": "原爆被爆者（介護保険等利用）",
    "86": "被爆体験者",
    "87": "有機ヒ素（国内）",
    "88": "水俣病総合対策",
}

DEFAULT_LAW_PRIORITY = (WELFARE_LAW_NUMBER,)

LAW_NUMBER_MESSAGE = "法別番号は半角数字2桁で入力してください。"
PAYER_NUMBER_MESSAGE = "公費負担者番号は半角数字8桁で入力してください。"
PAYER_LAW_MESSAGE = "公費負担者番号の先頭2桁は法別番号（{law}）と同じにしてください。"
PAYER_CHECK_DIGIT_MESSAGE = (
    "公費負担者番号の検証番号（8桁目）が正しくありません。受給者証の番号を確認してください。"
)
RECIPIENT_NUMBER_MESSAGE = "公費受給者番号は半角数字7桁で入力してください。"


def public_expense_law_label(law_number: str) -> str:
    return PUBLIC_EXPENSE_LAWS.get(law_number, f"法別{law_number}")


def law_priority() -> tuple[str, ...]:
    return tuple(getattr(settings, "PUBLIC_EXPENSE_LAW_PRIORITY", DEFAULT_LAW_PRIORITY))


class HasLawNumber(Protocol):
    law_number: str


RowT = TypeVar("RowT", bound=HasLawNumber)


def _digits(value: str, length: int) -> bool:
    return re.fullmatch(f"[0-9]{{{length}}}", value) is not None


def by_priority(rows: Iterable[RowT]) -> list[RowT]:
    """Order 公費 rows: listed 法別番号 first in the configured order, then the others by
    number; a stable sort keeps the caller's order within one 法別番号."""
    priority = law_priority()

    def key(row: HasLawNumber) -> tuple[int, str]:
        if row.law_number in priority:
            return (priority.index(row.law_number), "")
        return (len(priority), row.law_number)

    return sorted(rows, key=key)


def validate_public_expense_numbers(
    *, law_number: str, payer_number: str, recipient_number: str
) -> dict[str, str]:
    """Field → Japanese message for each wrong number; empty when all are right."""
    errors: dict[str, str] = {}
    if not _digits(law_number, 2):
        errors["law_number"] = LAW_NUMBER_MESSAGE
    if not _digits(payer_number, 8):
        errors["payer_number"] = PAYER_NUMBER_MESSAGE
    elif "law_number" not in errors and not payer_number.startswith(law_number):
        errors["payer_number"] = PAYER_LAW_MESSAGE.format(law=law_number)
    elif getattr(settings, "PUBLIC_EXPENSE_PAYER_CHECK_DIGIT", True) and insurer_check_digit(
        payer_number[:7]
    ) != int(payer_number[7]):
        errors["payer_number"] = PAYER_CHECK_DIGIT_MESSAGE
    if not _digits(recipient_number, 7):
        errors["recipient_number"] = RECIPIENT_NUMBER_MESSAGE
    return errors


def raise_for_public_expense_numbers(**numbers: str) -> None:
    errors = validate_public_expense_numbers(**numbers)
    if errors:
        raise ValidationError(errors)
