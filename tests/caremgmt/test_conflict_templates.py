"""The shared 'what the other person changed' table renders in every conflict message."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

CHANGE = SimpleNamespace(label="電話番号", loaded="03-1111-1111", current="03-2222-2222")


@pytest.mark.parametrize("template", ["_edit_conflict.html", "_conflict_changes.html"])
def test_the_changes_table_lists_what_changed(template) -> None:  # noqa: ANN001
    html = render_to_string(template, {"conflict": SimpleNamespace(changes=[CHANGE])})
    assert "他の職員が変更した項目" in html
    assert "電話番号" in html and "03-1111-1111" in html and "<strong>03-2222-2222</strong>" in html
