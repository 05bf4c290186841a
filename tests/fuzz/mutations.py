"""Malformed-input strategies shared by the importer fuzz tests.

`malformed(rows)` starts from a valid file (rows of cells, header included when the format
has one) and applies one to three mutations: truncation, dropped or added fields, wrong
encodings (invalid MS932 bytes, UTF-8 BOM, UTF-16), overlong fields, control characters,
numbers out of range, impossible dates, unbalanced quotes, blank lines, repeated rows
(capped), or it is replaced by an empty file or fully random bytes.
"""

from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager

from django.db import transaction
from hypothesis import strategies as st

#: inputs tried per importer, printed by the terminal summary hook in conftest.py
TRIED: Counter[str] = Counter()

MAX_REPEATED_ROWS = 120

ROW_NUMBER = re.compile(r"\d+\s*(行|件目)")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\u2028", "\ufeff"]
NUMBERS = [
    "-1",
    "0",
    "99999999999999999999999",
    "1e9",
    "0x1F",
    "１２３",
    "٣٤",
    "NaN",
    " 12 ",
    "+5",
    "3.5",
]
DATES = [
    "20261332",
    "20260230",
    "00000000",
    "99991231",
    "202613",
    "202600",
    "2026-12-01",
    "R8.13.1",
    "2026/2/30",
    "1",
]
INVALID_MS932 = [b"\x81\x7f", b"\xfd", b"\xff", b"\x85\x40", b"\xa0", b"\x82", b"\xf0\x40", b"\x80"]
KINDS = (
    "truncate",
    "drop_field",
    "add_field",
    "overlong",
    "control",
    "number",
    "date",
    "text",
    "quote",
    "bad_ms932",
    "bom",
    "utf16",
    "blank_lines",
    "repeat",
    "swap_rows",
)


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


@st.composite
def malformed(draw, rows: list[list[str]], *, encoding: str = "cp932", newline: str = "\r\n"):  # noqa: ANN001, ANN201
    """bytes: the valid `rows` with one to three mutations, or an empty / random file."""
    whole = draw(st.sampled_from(["mutate"] * 8 + ["empty", "random"]))
    if whole == "empty":
        return b""
    if whole == "random":
        return draw(st.binary(max_size=400))
    rows = [list(row) for row in rows]
    post: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(KINDS))
        if kind in ("truncate", "bad_ms932", "bom", "utf16"):
            post.append(kind)
            continue
        if not rows:
            break
        i = draw(st.integers(0, len(rows) - 1))
        row = rows[i]
        j = draw(st.integers(0, max(len(row) - 1, 0)))
        if kind == "drop_field" and row:
            del row[j]
        elif kind == "add_field":
            row.insert(j, draw(st.text(max_size=8)))
        elif kind == "overlong" and row:
            row[j] = draw(st.sampled_from(["9", "あ", "A", "𠮷"])) * draw(st.integers(11, 3000))
        elif kind == "control" and row:
            row[j] = row[j] + draw(st.sampled_from(CONTROL))
        elif kind == "number" and row:
            row[j] = draw(st.sampled_from(NUMBERS))
        elif kind == "date" and row:
            row[j] = draw(st.sampled_from(DATES))
        elif kind == "text" and row:
            row[j] = draw(st.text(max_size=30))
        elif kind == "quote" and row:
            row[j] = '"' + row[j]
        elif kind == "blank_lines":
            rows.insert(i, draw(st.sampled_from([[""], [" "], [",,,"], []])))
        elif kind == "repeat":
            rows[i + 1 : i + 1] = [list(row)] * draw(st.integers(1, MAX_REPEATED_ROWS))
        elif kind == "swap_rows" and len(rows) > 1:
            rows[0], rows[-1] = rows[-1], rows[0]
    text = "".join(",".join(row) + newline for row in rows)
    data = _encode(text, encoding)
    for kind in post:
        if kind == "truncate" and data:
            data = data[: draw(st.integers(0, len(data) - 1))]
        elif kind == "bad_ms932":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.sampled_from(INVALID_MS932)) + data[at:]
        elif kind == "bom":
            data = b"\xef\xbb\xbf" + data
        elif kind == "utf16":
            data = text.encode("utf-16")
    return data


def assert_messages(name: str, messages: list[str], *, whole_file: tuple[str, ...] = ()) -> None:
    """Every message is Japanese and names its row (N行目 / N件目); `whole_file` lists the
    few messages about the file as a whole (documented in docs/fuzzing.md)."""
    assert messages, f"{name}: rejected without a message"
    for message in messages:
        assert JAPANESE.search(message), f"{name}: not Japanese: {message!r}"
        if not any(part in message for part in whole_file):
            assert ROW_NUMBER.search(message), f"{name}: no row number: {message!r}"


@contextmanager
def rolled_back():
    """Each example starts from the same database: its writes are undone afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
