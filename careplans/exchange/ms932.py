"""Making text fit MS932 (cp932) visibly, never silently.

The ケアプランデータ連携 spec (REFERENCE §3.2) requires every character outside MS932, and every
外字, to be converted to a valid MS932 character before output. We do it in this order, per
character cluster (a base character plus any combining marks or variation selectors):

1. the cluster encodes and decodes back unchanged → kept as is (髙 U+9AD9 and 﨑 U+FA11 are in
   MS932's NEC/IBM extensions, so they are *kept*);
2. the NFC form of the cluster is encodable (a decomposed が, or a kanji followed by an
   ideographic variation selector) → the NFC form, reported as a variant;
3. the base character is in `VARIANTS` (well-known stand-ins: 𠮷→吉, 𡈽→土, — → ―, ¥ → ￥ …)
   → the mapped character, reported as a variant;
4. Python's cp932 codec maps the character to a *different* MS932 character (〜 U+301C →
   ～ U+FF5E, − U+2212 → － U+FF0D, ‖ → ∥, ¢ £ ¬ → ￠ ￡ ￢) → that character, reported as a
   variant (these are the classic JIS-vs-MS932 mapping differences);
5. the NFKC form is encodable (㋿ → 令和) → the NFKC form, reported as a variant;
6. otherwise (including private-use code points, which MS932 would write as 外字) →
   `REPLACEMENT_CHARACTER` 〓 (ゲタ, U+3013, MS932 0x81AC), reported as replaced.

Every change is returned as a `Substitution`; callers attach the record type, row and field.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

REPLACEMENT_CHARACTER = "〓"

#: Stand-ins used only when the original is *not* encodable in MS932.
VARIANTS: dict[str, str] = {
    "\U00020bb7": "吉",  # 𠮷 (つちよし) — CJK Ext-B
    "\U0002123d": "土",  # 𡈽 — CJK Ext-B
    "\u9ad9": "高",  # 髙 — never used: MS932 encodes it (IBM extension 0xEEE0 / 0xFBFC)
    "\ufa11": "崎",  # 﨑 — never used: MS932 encodes it (0xED95 / 0xFAB1)
    "\u2014": "―",  # EM DASH → HORIZONTAL BAR (MS932 0x815C)
    "\u2013": "－",  # EN DASH → FULLWIDTH HYPHEN-MINUS
    "\u2011": "‐",  # NON-BREAKING HYPHEN → HYPHEN
    "\u00a5": "￥",  # YEN SIGN → FULLWIDTH YEN SIGN
    "\u203e": "￣",  # OVERLINE → FULLWIDTH MACRON
    "\u00a0": " ",  # NO-BREAK SPACE → SPACE
}

_CLUSTER_MARKS = {"\u200d"}  # zero-width joiner rides with the preceding character


@dataclass(frozen=True)
class CharacterChange:
    """One cluster changed to fit MS932: where in the string, what, and into what."""

    position: int
    original: str
    replacement: str
    kind: str  # "variant" (a recognisable stand-in) or "replaced" (〓)

    @property
    def codepoints(self) -> str:
        return " ".join(f"U+{ord(ch):04X}" for ch in self.original)


def _is_mark(ch: str) -> bool:
    return (
        unicodedata.category(ch) in ("Mn", "Me")
        or "\ufe00" <= ch <= "\ufe0f"
        or "\U000e0100" <= ch <= "\U000e01ef"
        or ch in _CLUSTER_MARKS
    )


def _clusters(text: str) -> list[tuple[int, str]]:
    clusters: list[tuple[int, str]] = []
    for index, ch in enumerate(text):
        if clusters and _is_mark(ch):
            start, cluster = clusters[-1]
            clusters[-1] = (start, cluster + ch)
        else:
            clusters.append((index, ch))
    return clusters


def is_gaiji(ch: str) -> bool:
    """Private-use code points: MS932 maps them to the 外字 area (0xF040–0xF9FC, 0xFD–0xFF),
    which the spec forbids."""
    return "\ue000" <= ch <= "\uf8ff"


def encodes_exactly(text: str) -> bool:
    """True when `text` survives an MS932 round trip unchanged and uses no 外字."""
    if any(is_gaiji(ch) for ch in text):
        return False
    try:
        return text.encode("cp932").decode("cp932") == text
    except UnicodeEncodeError:
        return False


def _substitute_character(ch: str) -> tuple[str, str]:
    mapped = VARIANTS.get(ch)
    if mapped is not None and encodes_exactly(mapped):
        return mapped, "variant"
    try:
        best_fit = "" if is_gaiji(ch) else ch.encode("cp932").decode("cp932")
    except UnicodeEncodeError:
        best_fit = ""
    if best_fit:
        return best_fit, "variant"
    compatible = unicodedata.normalize("NFKC", ch)
    if compatible != ch and compatible.strip() and encodes_exactly(compatible):
        return compatible, "variant"
    return REPLACEMENT_CHARACTER, "replaced"


def to_ms932_text(text: str) -> tuple[str, list[CharacterChange]]:
    """Return `text` made encodable in MS932, and the list of changes made (empty if none)."""
    if encodes_exactly(text):
        return text, []
    parts: list[str] = []
    changes: list[CharacterChange] = []
    for position, cluster in _clusters(text):
        if encodes_exactly(cluster):
            parts.append(cluster)
            continue
        composed = unicodedata.normalize("NFC", cluster)
        if composed != cluster and encodes_exactly(composed):
            replacement, kind = composed, "variant"
        else:
            base = cluster[0]
            if encodes_exactly(base):
                replacement, kind = base, "variant"  # drop a variation selector / lone mark
            else:
                replacement, kind = _substitute_character(base)
        parts.append(replacement)
        changes.append(CharacterChange(position, cluster, replacement, kind))
    return "".join(parts), changes
