"""The policy as a PDF in the reader's language: a published (frozen) version, or HR's live draft."""
from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from apps.core.pdf import html_to_pdf

from . import content


def policy_pdf(snap: dict, *, version=None) -> bytes:
    return html_to_pdf(render_to_string("policy/policy_pdf.html", {
        "d": content.display(snap), "version": version, "printed_at": timezone.localtime(),
        "product": settings.PRODUCT_NAME}))
