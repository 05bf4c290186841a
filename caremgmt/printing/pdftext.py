"""Text of a WeasyPrint PDF, for tests and checks (DESIGN: test PDFs by extracting text).

WeasyPrint (≥ 66) embeds each font subset with its own 2-byte encoding CMap stream
(`/WP-Encod-0`). pypdf does not apply such a stream and extracts garbage; swapping it for
`/Identity-H` — the same 2-byte codespace — lets pypdf use the font's ToUnicode map, which
is what carries the text. Nothing is written back to the file.
"""

from __future__ import annotations

import io


def extract_pdf_text(data: bytes) -> list[str]:
    """One string per page."""
    from pypdf import PdfReader
    from pypdf.generic import NameObject

    reader = PdfReader(io.BytesIO(data))
    pages: list[str] = []
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font_ref in fonts.values():
            font = font_ref.get_object()
            if font.get("/Subtype") == "/Type0" and not isinstance(
                font.get("/Encoding"), NameObject
            ):
                font[NameObject("/Encoding")] = NameObject("/Identity-H")
        pages.append(page.extract_text())
    return pages


def pdf_font_names(data: bytes) -> set[str]:
    """Base names of the fonts embedded in a PDF, subset prefix dropped ("ABCDEF+IPAexGothic"
    → "IPAexGothic"), from every page's resources."""
    from pypdf import PdfReader

    names: set[str] = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font_ref in page.get("/Resources", {}).get("/Font", {}).values():
            base = str(font_ref.get_object().get("/BaseFont", "")).lstrip("/")
            names.add(base.split("+", 1)[-1])
    return names
