"""Small value formatters shared by the plan and the ticket exporters (REFERENCE §3.5)."""

from __future__ import annotations

import re


def postal_code(value: str) -> str:
    """`XXX-XXXX` from any spelling of a 7-digit postal code, else empty."""
    digits = re.sub(r"\D", "", value or "")
    return f"{digits[:3]}-{digits[3:]}" if len(digits) == 7 else ""


def phone_number(value: str) -> str:
    """Digits, parentheses, + and - only, at most 15 characters (the field's length)."""
    cleaned = re.sub(r"[^0-9()+\-]", "", value or "")
    return cleaned[:15]
