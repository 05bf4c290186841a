"""Field validators for Japanese care-insurance numbers, with Japanese messages."""

from __future__ import annotations

from django.core.validators import RegexValidator

office_number_validator = RegexValidator(
    r"^\d{10}$", "事業所番号は半角数字10桁で入力してください。", code="office_number"
)
care_manager_number_validator = RegexValidator(
    r"^\d{8}$", "介護支援専門員番号は半角数字8桁で入力してください。", code="care_manager_number"
)
phone_validator = RegexValidator(
    r"^[0-9+\-() ]{6,20}$", "電話番号は半角数字とハイフンで入力してください。", code="phone"
)
postal_code_validator = RegexValidator(
    r"^\d{3}-?\d{4}$", "郵便番号は「123-4567」の形式で入力してください。", code="postal_code"
)
