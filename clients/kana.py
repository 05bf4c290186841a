"""Kana normalisation for search: any of 漢字・ひらがな・カタカナ・ﾊﾝｶｸ finds the same person."""

from __future__ import annotations

import re
import unicodedata

import jaconv

_SPACES = re.compile(r"\s+")


def normalise_kana(text: str) -> str:
    """Full-width katakana, NFKC (ﾀﾞ → ダ, full-width digits → ASCII), no spaces.

    Kanji pass through unchanged, so the same function serves the stored column and the
    query: 「あおき」「アオキ」「ｱｵｷ」 all become 「アオキ」.
    """
    text = jaconv.h2z(text, kana=True, ascii=False, digit=False)
    text = unicodedata.normalize("NFKC", text)
    text = jaconv.hira2kata(text)
    return _SPACES.sub("", text)


def client_search_kana(*, name: str, name_kana: str) -> str:
    """The value of `Client.search_kana`: normalised name and フリガナ, separated so a query
    never matches across the boundary."""
    return f"{normalise_kana(name)}|{normalise_kana(name_kana)}"
