"""Fuzz the `quote` JSON (`manage.py quote`, billing.quote input parsing): malformed
documents end in a CommandError naming where (JSON line/column or the field path with its
row index), in Japanese, never a traceback."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import ensure_fee_schedule
from tests.fuzz.mutations import JAPANESE, TRIED, malformed

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
VALUES = [
    None,
    "",
    -1,
    0,
    10**20,
    -(10**20),
    1.5,
    True,
    "20261332",
    "2026-13-32",
    "2026-02-30",
    "0000-00-00",
    [],
    {},
    [None],
    "あ" * 2000,
    "\x00",
    "１２",
    {"x": 1},
    float("1e308"),
]


def _paths(node, prefix=()):  # noqa: ANN001, ANN202
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


@st.composite
def documents(draw) -> bytes:  # noqa: ANN001
    name = draw(st.sampled_from(sorted(p.name for p in EXAMPLES.glob("*.json"))))
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    if draw(st.booleans()) and draw(st.booleans()):  # a quarter: byte-level damage
        return draw(
            malformed([[line] for line in text.splitlines()], encoding="utf-8", newline="\n")
        )
    document = json.loads(text)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(document) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "delete", "grow"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "grow" and isinstance(parent, list):
            parent.extend([copy.deepcopy(parent[path[-1]])] * draw(st.integers(1, 200)))
        else:
            parent[path[-1]] = draw(st.sampled_from(VALUES))
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


@given(data=st.data())
def test_quote_survives_malformed_json(tmp_path, data) -> None:  # noqa: ANN001
    ensure_fee_schedule()
    payload = data.draw(documents())
    TRIED["quote JSON (command)"] += 1
    path = tmp_path / "input.json"
    path.write_bytes(payload)
    try:
        call_command("quote", str(path), stdout=io.StringIO())
    except CommandError as error:
        message = str(error)
        assert JAPANESE.search(message), message
        assert "行" in message or "入力の誤り" in message or "計算できない" in message, message
