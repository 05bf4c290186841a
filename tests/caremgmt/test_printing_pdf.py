"""WeasyPrint facts this app relies on (QUALITY R17, §4 tests 19–20): hb-subset is present,
IPAex renders rare name kanji (IPAmj明朝 those IPAex lacks), and the print base puts header
and "x / y" on every page."""

from __future__ import annotations

import ctypes.util
import datetime as dt
import logging

from django.template import engines

from caremgmt.printing.pdftext import extract_pdf_text, pdf_font_names
from caremgmt.printing.rendering import render_pdf

ROWS = 24  # two-line rows: about 15 per A4 landscape page → two pages


def test_harfbuzz_subset_library_is_installed() -> None:
    # Without libharfbuzz-subset0 WeasyPrint subsets CJK fonts with fontTools: ~20× slower.
    assert ctypes.util.find_library("harfbuzz-subset"), "apt-get install libharfbuzz-subset0"
    from weasyprint.text.ffi import harfbuzz_subset

    assert harfbuzz_subset is not None


def sample_document(client_name: str, extra: str = "") -> str:
    rows = "".join(
        f"<tr><td class='center'>{n}</td><td>課題{n}「入浴」、見守り\n二行目</td>"
        f"<td>長期目標{n}</td><td>短期目標{n}</td><td>通所介護</td><td>週2回</td></tr>"
        for n in range(1, ROWS + 1)
    )
    source = (
        '{% extends "pdf/base.html" %}{% block content %}<h1>居宅サービス計画書(2)</h1>'
        "<p>{{ extra }}</p><table><colgroup><col style='width:5%'><col style='width:35%'>"
        "<col style='width:20%'><col style='width:20%'><col style='width:10%'>"
        "<col style='width:10%'></colgroup><thead><tr><th>No</th><th>課題</th><th>長期目標</th>"
        "<th>短期目標</th><th>種別</th><th>頻度</th></tr></thead><tbody>"
        + rows
        + "</tbody></table>{% endblock %}"
    )
    return (
        engines["django"]
        .from_string(source)
        .render(
            {
                "document_title": "第2表 居宅サービス計画書(2)",
                "client_name": client_name,
                "office_name": "さくら居宅介護支援センター",
                "printed_on": dt.date(2026, 4, 2),
                "extra": extra,
            }
        )
    )


def test_two_page_document_has_header_and_page_numbers_on_every_page(caplog) -> None:  # noqa: ANN001
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        rendered = render_pdf(sample_document("髙橋 﨑子"))
    pages = extract_pdf_text(rendered.data)
    assert rendered.page_count == len(pages) == 2
    for number, text in enumerate(pages, start=1):
        assert "利用者名　髙橋 﨑子　様" in text
        assert "第2表 居宅サービス計画書(2)" in text
        assert f"{number} / 2" in text
        assert "印刷日 令和8年4月2日" in text  # wareki_date builtin filter
    assert f"課題{ROWS}「入浴」、見守り" in pages[1]
    # IPAex has 髙 and 﨑: no missing-glyph warning at all.
    assert ".notdef" not in caplog.text


def test_kanji_outside_ipaex_print_with_the_fallback_font(caplog) -> None:  # noqa: ANN001
    """𠮷 (CJK Ext-B, JIS X 0213) is not in IPAex: print.css names IPAmj明朝 second, so the
    glyph is drawn (no .notdef), extracts as 𠮷, and only then is the fallback embedded."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        rendered = render_pdf(sample_document("𠮷田 﨑子", extra="𠮷野 𠮷"))
    assert ".notdef" not in caplog.text
    pages = extract_pdf_text(rendered.data)
    for text in pages:
        assert "利用者名　𠮷田 﨑子　様" in text
    assert "𠮷野 𠮷" in pages[0]
    assert pdf_font_names(rendered.data) == {"IPAexGothic", "IPAmjMincho"}


def test_ordinary_document_embeds_only_ipaex() -> None:
    rendered = render_pdf(sample_document("髙橋 﨑子"))
    assert pdf_font_names(rendered.data) == {"IPAexGothic"}
