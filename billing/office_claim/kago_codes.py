"""過誤申立事由コード (REFERENCE §4.1 [C]) — UNCONFIRMED data, correctable here only.

A code is 4 characters: 様式番号 (2) + 申立理由番号 (2). The values below were read from public
municipal lists and the 国保中央会 インタフェース仕様書 (項番102); they are not checked against
the current 仕様書 and a 保険者 may use others. Correct a row here; the model accepts any code
matching `CODE_PATTERN`, these are only what the form offers.

Deadlines and whether 同月過誤 is accepted differ per municipality: nothing is hard-coded.
"""

from __future__ import annotations

import re

CODE_PATTERN = re.compile(r"^[0-9A-Z]{4}$")

# 様式番号
FORM_OFFICE = "40"  # 居宅介護支援
FORM_PREVENTION = "41"  # 介護予防支援
FORMS = {FORM_OFFICE: "居宅介護支援", FORM_PREVENTION: "介護予防支援"}

# 申立理由番号 → label
REASONS = {
    "02": "請求誤りによる実績取下げ",
    "12": "請求誤りによる実績取下げ（同月過誤）",
    "11": "台帳誤り修正による事業所申立の過誤調整",
    "32": "給付管理票取消による実績の取下げ",
    "99": "その他の事由による実績の取下げ（指導検査含む）",
    "42": "適正化（その他）による過誤取下げ",
}
DEFAULT_REASON = "02"
SAME_MONTH_REASON = "12"

DEFAULT_CODE = FORM_OFFICE + DEFAULT_REASON  # 4002
SAME_MONTH_CODE = FORM_OFFICE + SAME_MONTH_REASON  # 4012


def code_label(code: str) -> str:
    """「4002 居宅介護支援・請求誤りによる実績取下げ」; an unknown code is shown as it is."""
    form, reason = FORMS.get(code[:2]), REASONS.get(code[2:])
    if form is None or reason is None:
        return code
    return f"{code} {form}・{reason}"


def code_choices(form: str = FORM_OFFICE) -> list[tuple[str, str]]:
    """(code, label) of the 様式's reasons, the office's default first."""
    codes = [form + number for number in REASONS]
    codes.sort(key=lambda code: (code[2:] != DEFAULT_REASON, code))
    return [(code, code_label(code)) for code in codes]


def form_number(code: str) -> str:
    return code[:2]
