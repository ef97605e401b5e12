"""The contract as a PDF (WeasyPrint), in the language active for the request."""
from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from apps.core.pdf import html_to_pdf

from . import lint as contract_lint
from .models import SECTION_ORDER


def contract_pdf(contract, *, request=None) -> bytes:
    lines = list(contract.lines.all())
    sections = [{"key": s.value, "label": s.label, "weight": contract.section_weight(s),
                 "lines": [ln for ln in lines if ln.section == s]} for s in SECTION_ORDER]
    signatures = {s.party: s for s in contract.signatures.all()}
    html = render_to_string("contracts/contract_pdf.html", {
        "contract": contract, "sections": [s for s in sections if s["lines"] or s["weight"]],
        "appraisee_signature": signatures.get("appraisee"), "appraiser_signature": signatures.get("appraiser"),
        "warnings": contract.lint_warnings if contract.is_locked else
        [i.message for i in contract_lint.warnings(contract_lint.lint_contract(contract, lines))],
        "printed_at": timezone.localtime(), "product": settings.PRODUCT_NAME,
    }, request=request)
    return html_to_pdf(html)
