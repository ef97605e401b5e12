"""The decision letter of an appeal as a PDF (WeasyPrint), in the employee's language (their saved
preference, else the site's default), whoever prints it: it is the letter the employee receives.

Chinese needs a CJK font on the machine (fonts-wqy-microhei or fonts-noto-cjk); the stylesheet names
both, then sans-serif. No external resources.
"""
from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .selectors import contested_lines


def employee_language(appeal) -> str:
    from apps.accounts.models import UserPreference

    lang = ""
    if appeal.employee.user_id:
        lang = (UserPreference.objects.filter(user_id=appeal.employee.user_id).values_list("language", flat=True)
                .first() or "")
    return lang or settings.LANGUAGE_CODE


def decision_letter_html(appeal) -> str:
    with translation.override(employee_language(appeal)):
        return render_to_string("appeals/letter_pdf.html", {
            "a": appeal, "lines": contested_lines(appeal), "printed_at": timezone.localtime(),
            "product": settings.PRODUCT_NAME})


def decision_letter_pdf(appeal) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=decision_letter_html(appeal),
                url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
