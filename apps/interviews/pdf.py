"""The interview record as a PDF (WeasyPrint) in the reader's language (the request's active language:
the user's saved preference, else the browser's), with both signatures and their dates.

Chinese needs a CJK font on the machine (fonts-wqy-microhei or fonts-noto-cjk; the Makefile's
system-deps installs one); the stylesheet names both, then sans-serif. No external resources.
"""
from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from apps.core.pdf import html_to_pdf

from . import access, selectors


def record_html(interview, *, roles=frozenset()) -> str:
    return render_to_string("interviews/record_pdf.html", {
        "i": interview, "lines": selectors.appraisal_lines(interview), "actions": selectors.actions_of(interview),
        "revisions": selectors.revisions_of(interview), "addenda": selectors.addenda_of(interview),
        "printed_at": timezone.localtime(), "product": settings.PRODUCT_NAME,
        "is_manager": access.MANAGER in roles})


def record_pdf(interview, *, roles=frozenset()) -> bytes:
    return html_to_pdf(record_html(interview, roles=roles))
