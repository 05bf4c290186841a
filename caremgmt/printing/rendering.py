"""HTML → PDF with WeasyPrint: the print stylesheet, IPAex fonts, local resources only."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

#: Bump when templates/pdf/base.html changes in a way that alters output; the print
#: stylesheet's content is hashed in automatically (see `template_version`).
PRINT_TEMPLATE_VERSION = "pdf-base-1"
PRINT_STYLESHEET = "css/print.css"


def static_root() -> Path:
    """Where print.css lives on disk: the source static folder, else STATIC_ROOT."""
    for folder in [*getattr(settings, "STATICFILES_DIRS", []), settings.STATIC_ROOT]:
        if (Path(folder) / PRINT_STYLESHEET).is_file():
            return Path(folder).resolve()
    return Path(settings.BASE_DIR, "static").resolve()


def base_url() -> str:
    """The base URL relative links in print HTML resolve against (`css/print.css`)."""
    return getattr(settings, "PRINT_BASE_URL", None) or static_root().as_uri() + "/"


@lru_cache(maxsize=1)
def template_version() -> str:
    """PRINT_TEMPLATE_VERSION plus a digest of print.css, so a stylesheet change re-renders."""
    stylesheet = static_root() / PRINT_STYLESHEET
    digest = (
        hashlib.sha256(stylesheet.read_bytes()).hexdigest()[:12] if stylesheet.is_file() else "none"
    )
    return f"{PRINT_TEMPLATE_VERSION}+css.{digest}"


def content_hash(html: str, version: str | None = None) -> str:
    """sha256 over the template version and the rendered HTML: the print cache key."""
    payload = f"{version or template_version()}\n{html}".encode()
    return hashlib.sha256(payload).hexdigest()


def _local_fetcher():  # noqa: ANN202 - weasyprint's URLFetcher, imported lazily
    from weasyprint.urls import URLFetcher

    allowed_root = static_root()

    class LocalOnlyFetcher(URLFetcher):
        """Only data: URIs and files under the static folder: print HTML can carry user text,
        so it must never make the worker read arbitrary files or call the network."""

        def fetch(self, url: str, headers=None):  # noqa: ANN001, ANN202
            if url.startswith("file:"):
                from urllib.parse import unquote, urlparse

                path = Path(unquote(urlparse(url).path)).resolve()
                if not path.is_relative_to(allowed_root):
                    raise ValueError(f"print resources must live under {allowed_root}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("file", "data"), timeout=5)


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    page_count: int


def render_pdf(html: str) -> RenderedPdf:
    """Render one document. WeasyPrint is imported here, inside the worker's task (R16)."""
    from pypdf import PdfReader
    from weasyprint import HTML

    data = HTML(string=html, base_url=base_url(), url_fetcher=_local_fetcher()).write_pdf()
    return RenderedPdf(data=data, page_count=len(PdfReader(io.BytesIO(data)).pages))
