"""Codes a provider can be given on a ticket row, offered by name (never typed as codes).

`offered_additions(provider, month)` lists the 加算 (fixed and percentage codes) of the
provider's service types valid in the month, those matching the 加算体制 the provider
directory records (`ServiceProvider.additions`) first. `row_code_choices` adds the base
services, so the add-row form is a choice of named codes.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from billing.calc.schedule import CodeKind, ServiceCode
from billing.fee_schedule import cached_fee_schedule
from billing.tickets.month import last_of_month

ADDITION_KINDS = frozenset({CodeKind.ADDITION, CodeKind.PERCENTAGE})
BASE_KINDS = frozenset({CodeKind.BASE, CodeKind.RENTAL, CodeKind.REDUCTION})

# Roman numerals typed as ASCII or full-width Latin, and bracket styles, all mean the same.
_ROMAN = {"IV": "Ⅳ", "III": "Ⅲ", "II": "Ⅱ", "I": "Ⅰ"}
_NOISE = re.compile(r"[\s()（）「」・]")
_GENERIC_WORDS = ("介護職員等", "介護職員", "特定", "強化")


@dataclass(frozen=True)
class OfferedCode:
    code: str
    name: str
    kind: str
    registered: bool = False  # matches the provider's recorded 加算体制

    @property
    def label(self) -> str:
        mark = "（届出あり）" if self.registered else ""
        return f"{self.name}{mark}［{self.code}］"


def _normal(text: str) -> str:
    """Comparable form of a 加算 name: NFKC, one numeral style, no brackets or spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _NOISE.sub("", text)
    # NFKC turns Ⅰ into I; put every numeral run back into one style.
    text = re.sub(r"(IV|III|II|I)(?=[^A-Za-z]|$)", lambda m: _ROMAN[m.group(1)], text)
    for word in _GENERIC_WORDS:
        text = text.replace(word, "")
    return text


def _core(text: str) -> str:
    """The 加算's own name: drop everything before the part naming it (service prefix)."""
    normal = _normal(text)
    index = normal.find("加算")
    if index < 0:
        return normal
    # e.g. 通所介護入浴介助加算Ⅰ → 入浴介助加算Ⅰ ; 処遇改善加算Ⅰ stays.
    for prefix in _service_prefixes():
        if normal.startswith(prefix):
            return normal[len(prefix) :]
    return normal


def _service_prefixes() -> tuple[str, ...]:
    names = {_normal(t.name) for t in cached_fee_schedule().all_service_types()}
    return tuple(sorted(names, key=len, reverse=True))


def matches_registered(code_name: str, registered_names: list[str]) -> bool:
    """Whether a code's name is one the provider recorded (処遇改善加算Ⅰ ⇔ 訪問介護処遇改善加算Ⅰ;
    a name without a level, e.g. 入浴介助加算, matches every level)."""
    core = _core(code_name)
    for name in registered_names:
        wanted = _core(name)
        if not wanted:
            continue
        if core == wanted or (wanted in core and not re.search(r"[ⅠⅡⅢⅣ]", wanted)):
            return True
    return False


def _valid_in_month(code: ServiceCode, month: dt.date) -> bool:
    last = last_of_month(month)
    return code.valid_from <= last and (code.valid_to is None or code.valid_to >= month)


def _codes_for(provider, month: dt.date, kinds: frozenset[str]) -> list[ServiceCode]:  # noqa: ANN001
    types = set(provider.service_types or [])
    found: dict[str, ServiceCode] = {}
    for code in cached_fee_schedule().all_service_codes():
        if code.service_type in types and code.kind in kinds and _valid_in_month(code, month):
            found.setdefault(code.code, code)
    return sorted(found.values(), key=lambda c: c.code)


def offered_additions(provider, month: dt.date) -> list[OfferedCode]:  # noqa: ANN001
    """加算 codes of the provider's service types valid in `month`, the provider's recorded
    加算体制 first (then by code)."""
    registered = [str(item.get("name", "")) for item in (provider.additions or [])]
    offered = [
        OfferedCode(
            code=code.code,
            name=code.name,
            kind=str(code.kind),
            registered=matches_registered(code.name, registered),
        )
        for code in _codes_for(provider, month, ADDITION_KINDS)
    ]
    return sorted(offered, key=lambda o: (not o.registered, o.code))


def base_codes(provider, month: dt.date) -> list[OfferedCode]:  # noqa: ANN001
    return [
        OfferedCode(code=code.code, name=code.name, kind=str(code.kind))
        for code in _codes_for(provider, month, BASE_KINDS)
    ]


def row_code_choices(provider, month: dt.date, current: str = "") -> list:  # noqa: ANN001
    """Grouped choices for a row's サービスコード: base services, then 加算 (recorded first).
    A row's current code stays selectable even when it is no longer offered."""
    base = [(o.code, o.label) for o in base_codes(provider, month)]
    additions = offered_additions(provider, month)
    registered = [(o.code, o.label) for o in additions if o.registered]
    others = [(o.code, o.label) for o in additions if not o.registered]
    groups: list = [("", "サービスコードを選んでください")]
    if base:
        groups.append(("サービス（基本）", base))
    if registered:
        groups.append(("加算（この事業所の届出あり）", registered))
    if others:
        groups.append(("その他の加算", others))
    known = {code for code, _ in base + registered + others}
    if current and current not in known:
        groups.append(("現在の行のコード", [(current, f"現在のコード［{current}］")]))
    return groups
