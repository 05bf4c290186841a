"""Typed numbers and codes, in one place: what staff type with a Japanese IME becomes ASCII.

Full-width digits and letters (１２３, ＡＢＣ) and the dashes an IME produces for a hyphen
(ー －  ‐ ― − and friends) become `0-9`, `A-Z`/`a-z` and `-`. Everything else is kept, so a
wrong character still reaches the field's validator and gets its Japanese message.
"""

from __future__ import annotations

import unicodedata

# Characters an IME or a copy from a PDF gives for "-" in 郵便番号・電話番号・番号 fields.
# NFKC already maps － (U+FF0D) and ｰ (U+FF70 → ー); the others it leaves alone.
HYPHEN_LIKE = "ー－‐‑‒–—―−ｰ"
_HYPHENS = str.maketrans(dict.fromkeys(HYPHEN_LIKE, "-"))


def to_ascii(value: str) -> str:
    """NFKC (full-width → ASCII, ideographic space → space), then every hyphen-like dash
    → "-", surrounding spaces stripped. "１２３－４５６７" → "123-4567"."""
    return unicodedata.normalize("NFKC", value).translate(_HYPHENS).strip()


def to_ascii_digits(value: str) -> str:
    """`to_ascii` without hyphens and spaces: for numbers written in groups on a card
    ("０１２３ ４５６ ７８９" → "0123456789")."""
    return to_ascii(value).replace("-", "").replace(" ", "")
