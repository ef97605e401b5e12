"""The appraisal form (考核表) as a PDF, in the reader's language (the request's active language, or the
recipient's for a batch), through the shared printer ``apps.core.pdf``.

The form shows what the reader may see of the appraisal on its page (``selectors.visibility``): before
publication an employee sees neither the manager's scores nor the total; nobody sees what the page would
hide. Access itself (404) is checked by the caller through ``selectors.appraisal_get`` or the batch's
access-filtered scope.
"""
from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError
from apps.core.pdf import html_to_pdf
from apps.core.periods import Period
from apps.org.models import Department

from . import selectors
from .models import Appraisal

SECTION_LABELS = (("results", "Results"), ("behaviour", "Behaviour and attitude"), ("plan", "Work plan"))


def _company(appraisal: Appraisal, companies: dict | None = None) -> str:
    """The name of the top department of the appraisal's department tree (the company)."""
    root_id = int(appraisal.department.path.strip("/").split("/")[0])
    if companies is not None and root_id in companies:
        return companies[root_id]
    root = Department.objects.filter(pk=root_id).first()
    name = root.name if root else ""
    if companies is not None:
        companies[root_id] = name
    return name


def form_context(appraisal: Appraisal, relations: set[str], *, lines=None, companies=None) -> dict:
    lines = selectors.appraisal_lines(appraisal) if lines is None else lines
    vis = selectors.visibility(relations, appraisal)
    labels = {"results": _("Results"), "behaviour": _("Behaviour and attitude"), "plan": _("Work plan")}
    sections = []
    for key, _label in SECTION_LABELS:
        in_section = [ln for ln in lines if ln.section == key]
        if in_section:
            sections.append({"key": key, "label": labels[key], "lines": in_section,
                             "weight": getattr(appraisal, f"{key}_weight"),
                             "score": getattr(appraisal, f"{key}_score")})
    try:
        start, end = Period.parse(appraisal.period).bounds
    except (ApplicationError, ValueError):
        start = end = None
    corrections = list(appraisal.corrections.all()) if vis.total and appraisal.status == "published" else []
    return {"a": appraisal, "sections": sections, "vis": vis, "corrections": corrections, "company": _company(appraisal, companies),
            "period_start": start, "period_end": end, "position": appraisal.employee.position,
            "printed_at": timezone.localtime(), "product": settings.PRODUCT_NAME}


def form_html(appraisal: Appraisal, relations: set[str], **kwargs) -> str:
    return render_to_string("appraisals/form_pdf.html", form_context(appraisal, relations, **kwargs))


def form_pdf(appraisal: Appraisal, relations: set[str], **kwargs) -> bytes:
    return html_to_pdf(form_html(appraisal, relations, **kwargs))


def form_filename(appraisal: Appraisal) -> str:
    return f"appraisal-{appraisal.employee.employee_no}-{appraisal.period}.pdf"
