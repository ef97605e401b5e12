"""The canonical content of a contract: what the two parties sign, and its SHA-256.

The canonical form is JSON with sorted keys, no insignificant whitespace, UTF-8, numbers as
normalised decimal strings and rules normalised by ``scoring.validate_rule`` where valid, so the
same contract always hashes the same way on any database.
"""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from .models import SECTION_ORDER, Contract
from .scoring import ScoringError, validate_rule


def _num(value) -> str | None:
    if value is None:
        return None
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return format(d.normalize() + 0, "f")


def _rule(rule):
    try:
        return validate_rule(rule)
    except ScoringError:
        return rule


def contract_content(contract: Contract, lines=None) -> dict:
    """The signed content as a plain dict; ``lines`` defaults to the contract's saved lines."""
    if lines is None:
        lines = list(contract.lines.select_related("indicator", "data_source"))
    order = {s.value: i for i, s in enumerate(SECTION_ORDER)}
    lines = sorted(lines, key=lambda ln: (order.get(ln.section, 9), ln.order, ln.pk or 0))
    emp, appr = contract.employee, contract.appraiser
    return {
        "contract": {"period": contract.period, "version": contract.version_no, "method": contract.method},
        "appraisee": {"employee_no": emp.employee_no, "name": emp.name_zh},
        "appraiser": {"employee_no": appr.employee_no, "name": appr.name_zh} if appr else None,
        "section_weights": {s.value: _num(contract.section_weight(s)) for s in SECTION_ORDER},
        "lines": [
            {
                "section": ln.section,
                "indicator": ln.indicator.code if ln.indicator_id else None,
                "title": ln.display_title,
                "weight": _num(ln.weight),
                "standard": ln.standard,
                "target": _num(ln.target),
                "unit": ln.unit,
                "due_date": ln.due_date.isoformat() if ln.due_date else None,
                "milestones_total": ln.milestones_total,
                "rule": _rule(ln.rule),
                "data_source": ln.data_source.code if ln.data_source_id else None,
                "notes": ln.notes,
                "goal": getattr(ln, "goal_id", None),
            }
            for ln in lines
        ],
    }


def canonical_json(content: dict) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
