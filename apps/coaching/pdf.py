"""The performance file as a PDF (WeasyPrint) for the feedback interview, in the active language.

Chinese needs a CJK font installed on the machine (fonts-wqy-microhei or fonts-noto-cjk, see the
Makefile's system-deps); the stylesheet names both, then sans-serif.
"""
from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from apps.core.pdf import html_to_pdf

from .selectors import PerformanceFile


def render_file_html(pfile: PerformanceFile, *, generated_by=None) -> str:
    return render_to_string("coaching/file_pdf.html", {
        "file": pfile, "employee": pfile.employee, "generated_at": timezone.localtime(),
        "generated_by": generated_by,
    })


def render_file_pdf(pfile: PerformanceFile, *, generated_by=None) -> bytes:
    # the PDF has no external resources: fetch nothing but inline data
    return html_to_pdf(render_file_html(pfile, generated_by=generated_by))
