"""The one way PerfCycle turns HTML into PDF (WeasyPrint), and merges PDFs (pypdf).

Every printed document (contract, performance file, interview record, appraisal form, policy) is a
Django template rendered in the active language and handed to :func:`html_to_pdf`. Documents fetch
nothing from outside: only inline ``data:`` URLs (no network, no file system), so a crafted text in a
record cannot make the server read a file or call a URL.

Chinese needs a CJK font on the machine (fonts-wqy-microhei or fonts-noto-cjk; ``make system-deps``
installs one). The shared look (A4, margins, fonts, page numbers "n / N", repeated table headers,
wrapped long text, signature blocks) is ``core/pdf_base.html``; documents extend it.
"""
from __future__ import annotations

import io
from collections.abc import Iterable

from django.template.loader import render_to_string

#: The font stack of every PDF: a CJK font first (it has Latin glyphs too), then the fallback.
PDF_FONTS = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif'


def html_to_pdf(html: str) -> bytes:
    """A4 PDF bytes of an HTML document (its own ``@page`` rules decide size and margins)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render a template (in the active language) and print it."""
    return html_to_pdf(render_to_string(template_name, context, request=request))


def merge_pdfs(parts: Iterable[bytes]) -> bytes:
    """One PDF of several, in order (each keeps its own page numbers in its footer)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    writer.close()
    return out.getvalue()


def pdf_text(data: bytes) -> str:
    """The text of a PDF (pypdf's extraction; tests and checks use it)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
