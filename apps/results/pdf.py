"""The nine-box grid as a printable PDF (WeasyPrint) in the reader's language, for the people the reader may
see. Chinese needs a CJK font on the machine (see apps/interviews/pdf.py)."""
from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone


def grid_pdf(review, data, *, department=None) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string("results/grid_pdf.html", {
        "review": review, "grid": data, "department": department, "printed_at": timezone.localtime(),
        "product": settings.PRODUCT_NAME})
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
