"""Validators for the numbers on a 介護保険被保険者証, with Japanese messages (REFERENCE §11)."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

INSURED_NUMBER_MESSAGE = "被保険者番号は半角数字10桁で入力してください。"
WELFARE_ONLY_INSURED_NUMBER_MESSAGE = (
    "生活保護単独の被保険者番号は「H」と半角数字9桁で入力してください（例：H123456789）。"
)
# 生保単独 (生活保護 only, not insured under 介護保険): "H" + 9 digits (REFERENCE §11).
WELFARE_ONLY_INSURED_NUMBER = re.compile(r"^H[0-9]{9}$")


def is_welfare_only_insured_number(value: str) -> bool:
    return bool(WELFARE_ONLY_INSURED_NUMBER.match(value or ""))


def insured_number_validator(value: str) -> None:
    """10 digits, or for a 生活保護単独 client "H" + 9 digits."""
    if value[:1] in ("H", "h"):
        if not WELFARE_ONLY_INSURED_NUMBER.match(value):
            raise ValidationError(WELFARE_ONLY_INSURED_NUMBER_MESSAGE, code="insured_number")
        return
    if not re.fullmatch(r"[0-9]{10}", value):
        raise ValidationError(INSURED_NUMBER_MESSAGE, code="insured_number")


insurer_number_shape_validator = RegexValidator(
    r"^[0-9]{6}$", "保険者番号は半角数字6桁で入力してください。", code="insurer_number"
)

INSURER_CHECK_DIGIT_MESSAGE = (
    "保険者番号の検証番号（6桁目）が正しくありません。被保険者証の番号を確認してください。"
)


def insurer_check_digit(first_five: str) -> int:
    """The 保険者番号設定要領 check digit: from the last of the first five digits, multiply
    alternately by 2 and 1, add the digits of each product, and take 10 − (sum mod 10),
    or 0 when the sum ends in 0. 13101 → 1 (131011, 千代田区)."""
    total = 0
    for position, char in enumerate(reversed(first_five)):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def insurer_number_validator(value: str) -> None:
    """6 digits; the check digit too unless `settings.INSURER_NUMBER_CHECK_DIGIT` is False.

    That 介護保険 保険者番号 follow the health-insurance 設定要領 is not confirmed
    (REFERENCE §11 [P]/[U]), so an office meeting a real number that fails can switch it off.
    """
    insurer_number_shape_validator(value)
    if not getattr(settings, "INSURER_NUMBER_CHECK_DIGIT", True):
        return
    if insurer_check_digit(value[:5]) != int(value[5]):
        raise ValidationError(INSURER_CHECK_DIGIT_MESSAGE, code="insurer_check_digit")


def not_in_future_validator(value: dt.date) -> None:
    if value > timezone.localdate():
        raise ValidationError("生年月日に未来の日付は入力できません。", code="future_date")
