"""The monthly work plan (月度工作计划) as a PDF in the reader's language, in the look of every printed
document of the product (``core/pdf_base.html`` through ``apps.core.pdf``): the personnel file holds the
plan beside the KPI contract and the appraisal form."""
from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from apps.core.pdf import render_pdf

from . import selectors


def plan_pdf(plan) -> bytes:
    items = selectors.plan_items(plan)
    return render_pdf("plans/plan_pdf.html", {
        "plan": plan, "items": items, "total_weight": sum((i.weight for i in items), 0),
        "supervisor": plan.employee.supervisor, "printed_at": timezone.localtime(), "product": settings.PRODUCT_NAME})
