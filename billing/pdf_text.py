"""Text of the ticket sheets set as few WeasyPrint text lines as possible.

Measured here (docs/tickets.md): WeasyPrint spends ~0.5 ms of CPU on every line of text it
lays out — a text box, a `<span>`, a table cell, even an empty line — and almost nothing on
the characters in a line. So the sheets do not give each cell its own box: every piece of
text that sits on the same baseline at the same size goes into ONE line, and tab characters
move it sideways: ideographic spaces (exactly 1 em in IPAex) for the long gaps, then tabs
(`tab-size: 1px`: a tab advances 0.27 mm, see TAB). To know where the previous piece ended,
the advance of every character is read from the font itself (IPAexGothic's `hmtx`; no
kerning: the line sets `font-kerning: none`). Sizes must be multiples of 0.75 pt (a whole
number of CSS px per em): at other sizes the tabs drift (measured).
"""

from __future__ import annotations

import math
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PT = 25.4 / 72  # one point in mm
# A tab with `tab-size: 1px` advances 1.024 CSS px whatever the text before it (measured with
# WeasyPrint 70 / Pango here: the stop is relative, and 1 px goes to Pango as 1024 units
# where WeasyPrint counts 1000). Glyph advances are not rounded.
TAB = 1.024 * 25.4 / 96
IDEOGRAPHIC_SPACE = "\u3000"
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)


@lru_cache(maxsize=1)
def _advances() -> dict[int, float]:
    """Advance width (em) of every character IPAexGothic has."""
    from fontTools.ttLib import TTFont

    path = next((p for p in FONT_CANDIDATES if Path(p).is_file()), None)
    if path is None:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "IPAexGothic"], capture_output=True, text=True
        )
        path = found.stdout.strip()
    font = TTFont(path, lazy=True)
    units = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    return {code: metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}


def advance(char: str) -> float:
    """Width of one character in em (1 em for what IPAex lacks: the fallback's kanji)."""
    return _advances().get(ord(char), 1.0)


def width(text: str, size: float) -> float:
    """Width in mm of `text` at `size` pt."""
    return sum(advance(char) for char in text) * size * PT


def fit_line(text: str, room: float, size: float) -> str:
    """`text`, cut with … when wider than `room` mm."""
    if width(text, size) <= room:
        return text
    while text and width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def wrap(text: str, room: float, size: float, lines: int) -> list[str]:
    """Exactly `lines` lines no wider than `room` mm (the last one cut with …)."""
    out: list[str] = []
    current = ""
    for char in text or "":
        if char == "\n" or width(current + char, size) > room:
            out.append(current)
            current = "" if char == "\n" else char
        else:
            current += char
    out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], fit_line("".join(out[lines - 1 :]), room, size)]
    return out + [""] * (lines - len(out))


@dataclass
class Line:
    """Pieces of text on one baseline at one size: (x mm, text) in any order."""

    y: float  # vertical centre of the line, mm
    size: float  # pt
    pieces: list[tuple[float, str]] = field(default_factory=list)

    @property
    def height(self) -> float:
        return self.size * PT * 1.25

    def __post_init__(self) -> None:
        if (self.size / 0.75) % 1:
            # measured: only where 1 em is a whole number of CSS px do tabs land exactly
            raise ValueError(f"text size {self.size} pt is not a multiple of 0.75 pt")

    def put(self, x: float, text: str, room: float, align: str = "l") -> None:
        text = fit_line(text, room, self.size)
        if align != "l":
            spare = room - width(text, self.size)
            x += spare if align == "r" else spare / 2
        self.pieces.append((x, text))

    @property
    def left(self) -> float:
        return min(x for x, _ in self.pieces)

    def text(self, left: float = 0.0) -> str:
        """The whole line as one string starting at `left` mm (≤ the first piece's x)."""
        em = self.size * PT
        parts: list[str] = []
        x = 0.0  # relative to left
        for target, piece in sorted(self.pieces):
            target -= left
            if target > x:
                # 1 em ideographic spaces, then tabs of 0.27 mm
                count = max(0, math.floor((target - x) / em))
                parts.append(IDEOGRAPHIC_SPACE * count)
                x += count * em
                tabs = max(0, round((target - x) / TAB))
                parts.append("\t" * tabs)
                x += tabs * TAB
            parts.append(piece)
            x += width(piece, self.size)
        return "".join(parts)
