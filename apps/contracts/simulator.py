"""The rule simulator: what a scoring rule does, before HR uses it (page and API share this)."""
from __future__ import annotations

from decimal import Decimal

from .scoring import RATIO_KINDS, curve, curve_svg, evaluate, validate_rule

#: Attainments shown in the simulator's table (the deck's rule at these points is in the issue note).
SAMPLE_ATTAINMENTS = (0, 50, 80, 90, 95, 100, 105, 110, 120, 150, 200)


def scoring_preview(rule: dict, inputs: dict, with_curve: bool = True) -> dict:
    """Rule + inputs -> score, attainment, explanation; plus the curve over attainment 0-200%."""
    normalised = validate_rule(rule)
    out: dict = {"rule": normalised, "score": None, "attainment": None, "explanation": ""}
    if inputs:
        ev = evaluate(normalised, **inputs)
        out.update(score=str(ev.score), attainment=None if ev.attainment is None else str(ev.attainment),
                   explanation=ev.explanation)
    if with_curve and normalised["kind"] in RATIO_KINDS:
        out["curve"] = [[str(a), str(s)] for a, s in curve(normalised)]
        out["curve_svg"] = curve_svg(normalised)
    else:
        out["curve"], out["curve_svg"] = None, None
    return out


def sample_scores(rule: dict, attainments=SAMPLE_ATTAINMENTS) -> list[tuple[Decimal, Decimal]]:
    """Scores of a ratio rule at chosen attainments (points of its curve); [] for other kinds."""
    normalised = validate_rule(rule)
    if normalised["kind"] not in RATIO_KINDS:
        return []
    return [(Decimal(a), curve(normalised, start=a, stop=a, step=1)[0][1]) for a in attainments]


__all__ = ["SAMPLE_ATTAINMENTS", "sample_scores", "scoring_preview"]
