"""Human-readable forms of rules and numbers, for pages and the PDF."""
from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from .scoring import ScoringError, validate_rule


def num(value) -> str:
    """A number without trailing zeros: 1200, 12.5; "" for None."""
    if value is None or value == "":
        return ""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return format(d.normalize() + 0, "f")


def rule_summary(rule) -> str:
    """The scoring rule in words, in the deck's style (每降低1%扣5分...)."""
    if not rule:
        return _("no scoring rule")
    try:
        r = validate_rule(rule)
    except ScoringError as exc:
        return _("invalid rule: %(error)s") % {"error": exc.message}
    kind = r["kind"]
    if kind == "linear":
        parts = []
        if r["direction"] == "lower":
            parts.append(_("lower is better (attainment = target / actual)"))
        parts.append(_("at the standard %(base)s points") % {"base": num(r["base"])})
        parts.append(_("each 1%% below: -%(down)s") % {"down": num(r["down"])})
        parts.append(_("each 1%% above: +%(up)s") % {"up": num(r["up"])})
        if r["cap"] is not None:
            parts.append(_("at most %(cap)s points") % {"cap": num(r["cap"])})
        if r["floor"] is not None:
            parts.append(_("at least %(floor)s points") % {"floor": num(r["floor"])})
        return _("; ").join(parts)
    if kind == "bands":
        bands = _("; ").join(_("≥%(min)s%%: %(score)s points") % {"min": num(b["min"]), "score": num(b["score"])}
                             for b in r["bands"])
        if r["direction"] == "lower":
            return _("lower is better; %(bands)s") % {"bands": bands}
        return bands
    if kind == "deadline":
        return _("on time: %(base)s points; each day late: -%(per_day)s; at least %(floor)s points") % {
            "base": num(r["base"]), "per_day": num(r["per_day"]), "floor": num(r["floor"])}
    if kind == "milestones":
        return _("%(base)s points × milestones done / milestones planned") % {"base": num(r["base"])}
    return _("rated by the appraiser, %(min)s–%(max)s points") % {"min": num(r["min"]), "max": num(r["max"])}


def target_text(line) -> str:
    """The measurable target of a line: "1200 万元", a due date, a number of milestones, or ""."""
    kind = (line.rule or {}).get("kind") if isinstance(line.rule, dict) else None
    if kind == "deadline":
        return line.due_date.isoformat() if line.due_date else ""
    if kind == "milestones":
        return _("%(n)s milestones") % {"n": line.milestones_total} if line.milestones_total else ""
    if kind == "direct":
        return ""
    if line.target is None:
        return ""
    return f"{num(line.target)} {line.unit}".strip()
