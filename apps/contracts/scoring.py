"""The scoring engine of a KPI contract line (计分标准): pure Python, no ORM.

A line carries a *rule*, a small JSON-serialisable spec such as the deck's default::

    {"kind": "linear", "direction": "higher", "base": 100, "down": 5, "up": 5, "floor": 0, "cap": 150}

``evaluate(rule, **inputs)`` turns the rule and the line's inputs into an :class:`Evaluation`
(score, attainment, explanation). Everything is computed in :class:`~decimal.Decimal` and
rounded half-up to 2 places only at the end; any invalid rule or input raises
:class:`ScoringError` with a message in the active language.

Rule kinds and their inputs:

``linear`` (``target``, ``actual``)
    attainment = actual / target x 100 (``direction`` "lower": target / actual x 100);
    score = base + (attainment - 100) x up at or above the standard,
    base - (100 - attainment) x down below it, clamped to [floor, cap] (``None`` = no bound).
``bands`` (``target``, ``actual``)
    the score of the highest band whose ``min`` the attainment reaches (min inclusive);
    below every band the score is 0.
``deadline`` (``due``, ``done``)
    done on or before due = base; each calendar day late subtracts ``per_day``, down to ``floor``.
``milestones`` (``milestones_done``, ``milestones_total``)
    base x done / total.
``direct`` (``value``)
    the appraiser's score, which must lie within [min, max].
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from apps.core.exceptions import ApplicationError

__all__ = [
    "DEFAULT_RULE",
    "KINDS",
    "RATIO_KINDS",
    "Evaluation",
    "ScoringError",
    "curve",
    "curve_svg",
    "evaluate",
    "validate_rule",
    "weighted_total",
]

HUNDRED = Decimal(100)
CENT = Decimal("0.01")

KINDS = ("linear", "bands", "deadline", "milestones", "direct")
#: Kinds whose score is a function of attainment (actual vs target); only these have a curve.
RATIO_KINDS = ("linear", "bands")
DIRECTIONS = ("higher", "lower")

#: The deck's rule: each 1% below the standard -5 points, each 1% above +5, at most 150.
DEFAULT_RULE: dict[str, Any] = {
    "kind": "linear",
    "direction": "higher",
    "base": 100,
    "down": 5,
    "up": 5,
    "floor": 0,
    "cap": 150,
}

# Per kind: field -> (type, default). Types: "direction"; "number"; "nonneg" (number >= 0);
# "bound" (number or None); "bands" (required, no default).
_REQUIRED = object()
_SPECS: dict[str, dict[str, tuple[str, Any]]] = {
    "linear": {
        "direction": ("direction", "higher"),
        "base": ("number", 100),
        "down": ("nonneg", 5),
        "up": ("nonneg", 5),
        "floor": ("bound", 0),
        "cap": ("bound", 150),
    },
    "bands": {
        "direction": ("direction", "higher"),
        "bands": ("bands", _REQUIRED),
    },
    "deadline": {
        "base": ("number", 100),
        "per_day": ("nonneg", 10),
        "floor": ("number", 0),
    },
    "milestones": {
        "base": ("nonneg", 100),
    },
    "direct": {
        "min": ("number", 0),
        "max": ("number", 100),
    },
}

_INPUTS_BY_KIND = {
    "linear": ("target", "actual"),
    "bands": ("target", "actual"),
    "deadline": ("due", "done"),
    "milestones": ("milestones_done", "milestones_total"),
    "direct": ("value",),
}
_ALL_INPUTS = frozenset(name for names in _INPUTS_BY_KIND.values() for name in names)


class ScoringError(ApplicationError):
    """A scoring rule or the inputs of a line are invalid; ``message`` is shown as is."""

    code = "scoring_invalid"


@dataclass(frozen=True)
class Evaluation:
    """The result of scoring one line.

    ``score``: Decimal rounded half-up to 2 places. ``attainment``: percent, rounded half-up to
    2 places, or ``None`` for kinds without one (deadline, direct). ``explanation``: one sentence
    in the language active when :func:`evaluate` ran.
    """

    score: Decimal
    attainment: Decimal | None
    explanation: str


# ---------------------------------------------------------------------------------------------
# Number helpers


def _round2(value: Decimal) -> Decimal:
    """Round half-up to 2 places; never returns a negative zero."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP) + 0


def fmt_number(value: Any) -> str:
    """A Decimal (or number) as plain text without exponent or trailing zeros: ``1140``, ``2.5``."""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    d = d.normalize() + 0  # + 0 turns -0 into 0
    return format(d, "f")


def fmt2(value: Decimal) -> str:
    """A Decimal rounded half-up to exactly 2 places: ``75.00``."""
    return format(_round2(value), "f")


def _signed2(value: Decimal) -> str:
    rounded = _round2(value)
    return ("+" if rounded > 0 else "") + format(rounded, "f")


def _label(name: str) -> str:
    """The translated label of an input or rule field, for messages."""
    labels = {
        "target": _("target"),
        "actual": _("actual value"),
        "due": _("due date"),
        "done": _("completion date"),
        "milestones_done": _("milestones done"),
        "milestones_total": _("milestone total"),
        "value": _("appraiser's score"),
        "base": _("base score"),
        "down": _("points per point below"),
        "up": _("points per point above"),
        "floor": _("floor"),
        "cap": _("cap"),
        "per_day": _("points per day late"),
        "min": _("minimum"),
        "max": _("maximum"),
        "score": _("score"),
        "weight": _("weight"),
        "start": _("curve start"),
        "stop": _("curve end"),
        "step": _("curve step"),
    }
    return labels.get(name, name)


# The magnitudes the engine accepts (a number's adjusted exponent): 1e308 or 1e-308 would overflow the
# decimal context in the ratios and the rounding, and no target, actual or rule parameter is that big.
MIN_EXPONENT, MAX_EXPONENT = -10, 14


def _to_decimal(value: Any, name: str, *, field: str | None = None) -> Decimal:
    """Decimal(str(value)) for Decimal, int, float or numeric str; anything else is an error."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise ScoringError(
            _("“%(name)s” must be a number, got “%(value)s”.") % {"name": _label(name), "value": value},
            field=field or name,
        )
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ScoringError(
            _("“%(name)s” must be a number, got “%(value)s”.") % {"name": _label(name), "value": value},
            field=field or name,
        )
    if not d.is_finite():
        raise ScoringError(
            _("“%(name)s” must be a finite number, got “%(value)s”.")
            % {"name": _label(name), "value": value},
            field=field or name,
        )
    if d and not MIN_EXPONENT <= d.adjusted() <= MAX_EXPONENT:
        raise ScoringError(
            _("“%(name)s” is out of range: %(value)s. Numbers here have at most 15 digits before the decimal "
              "point and are not smaller than 0.0000000001.") % {"name": _label(name), "value": value},
            field=field or name,
        )
    return d


def _to_int(value: Any, name: str) -> int:
    d = _to_decimal(value, name)
    if d != d.to_integral_value():
        raise ScoringError(
            _("“%(name)s” must be a whole number, got %(value)s.")
            % {"name": _label(name), "value": fmt_number(d)},
            field=name,
        )
    return int(d)


def _json_number(d: Decimal) -> int | float:
    """A JSON-native number for the normalised rule: int when whole, else float."""
    return int(d) if d == d.to_integral_value() else float(d)


def _to_date(value: Any, name: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ScoringError(
        _("“%(name)s” must be a date, got “%(value)s”.") % {"name": _label(name), "value": value},
        field=name,
    )


# ---------------------------------------------------------------------------------------------
# Rule validation


def validate_rule(rule: dict) -> dict:
    """Check a rule spec, fill its defaults and return the normalised, JSON-serialisable dict.

    Numbers may be given as Decimal, int, float or numeric str; they come back as int when whole,
    else float. Bands come back sorted by ``min``, highest first. Raises :class:`ScoringError`
    for an unknown kind or field, a value of the wrong type, floor above cap, an empty band list,
    min above max, ...
    """
    if not isinstance(rule, dict):
        raise ScoringError(_("A scoring rule must be an object (a dict)."), field="rule")
    if "kind" not in rule or rule["kind"] in (None, ""):
        raise ScoringError(_("The scoring rule has no kind."), field="rule")
    kind = rule["kind"]
    if kind not in _SPECS:
        raise ScoringError(
            _("Unknown scoring rule kind “%(kind)s”; expected one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(KINDS)},
            field="rule",
        )
    spec = _SPECS[kind]
    for key in rule:
        if key != "kind" and key not in spec:
            raise ScoringError(
                _("Unknown field “%(field)s” in a “%(kind)s” scoring rule.") % {"field": key, "kind": kind},
                field="rule",
            )

    normalised: dict[str, Any] = {"kind": kind}
    for key, (typ, default) in spec.items():
        if key not in rule:
            if default is _REQUIRED:
                raise ScoringError(
                    _("A “%(kind)s” scoring rule needs the field “%(field)s”.")
                    % {"kind": kind, "field": key},
                    field="rule",
                )
            normalised[key] = default
            continue
        value = rule[key]
        if typ == "direction":
            if value not in DIRECTIONS:
                raise ScoringError(
                    _("The direction must be “higher” or “lower”, got “%(value)s”.") % {"value": value},
                    field="rule",
                )
            normalised[key] = value
        elif typ == "bands":
            normalised[key] = _validate_bands(value)
        elif typ == "bound" and value is None:
            normalised[key] = None
        else:
            d = _to_decimal(value, key, field="rule")
            if typ == "nonneg" and d < 0:
                raise ScoringError(
                    _("“%(name)s” cannot be negative, got %(value)s.")
                    % {"name": _label(key), "value": fmt_number(d)},
                    field="rule",
                )
            normalised[key] = _json_number(d)

    if kind == "linear":
        floor, cap = normalised["floor"], normalised["cap"]
        if floor is not None and cap is not None and _dec(floor) > _dec(cap):
            raise ScoringError(
                _("The floor (%(floor)s) cannot be above the cap (%(cap)s).")
                % {"floor": fmt_number(floor), "cap": fmt_number(cap)},
                field="rule",
            )
    elif kind == "deadline":
        if _dec(normalised["floor"]) > _dec(normalised["base"]):
            raise ScoringError(
                _("The floor (%(floor)s) cannot be above the base score (%(base)s).")
                % {"floor": fmt_number(normalised["floor"]), "base": fmt_number(normalised["base"])},
                field="rule",
            )
    elif kind == "direct":
        if _dec(normalised["min"]) > _dec(normalised["max"]):
            raise ScoringError(
                _("The minimum (%(min)s) cannot be above the maximum (%(max)s).")
                % {"min": fmt_number(normalised["min"]), "max": fmt_number(normalised["max"])},
                field="rule",
            )
    return normalised


def _validate_bands(bands: Any) -> list[dict[str, int | float]]:
    if not isinstance(bands, list | tuple) or not bands:
        raise ScoringError(_("A bands rule needs at least one band."), field="rule")
    result = []
    seen: set[Decimal] = set()
    for index, band in enumerate(bands, start=1):
        if not isinstance(band, dict):
            raise ScoringError(
                _("Band %(index)s must be an object with “min” and “score”.") % {"index": index}, field="rule"
            )
        for key in band:
            if key not in ("min", "score"):
                raise ScoringError(
                    _("Band %(index)s has an unknown field “%(field)s”.") % {"index": index, "field": key},
                    field="rule",
                )
        for key in ("min", "score"):
            if key not in band or band[key] is None:
                raise ScoringError(
                    _("Band %(index)s is missing “%(field)s”.") % {"index": index, "field": key}, field="rule"
                )
        minimum = _to_decimal(band["min"], "min", field="rule")
        score = _to_decimal(band["score"], "score", field="rule")
        if minimum in seen:
            raise ScoringError(
                _("Two bands have the same minimum %(min)s%%.") % {"min": fmt_number(minimum)}, field="rule"
            )
        seen.add(minimum)
        result.append({"min": _json_number(minimum), "score": _json_number(score)})
    result.sort(key=lambda b: _dec(b["min"]), reverse=True)
    return result


def _dec(value: int | float | Decimal) -> Decimal:
    """Decimal of an already validated number."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


# ---------------------------------------------------------------------------------------------
# Scoring from attainment (shared by evaluate and curve)


def _join(parts: list[str]) -> str:
    return pgettext("explanation separator", ", ").join(parts)


def _linear_from_attainment(rule: dict, attainment: Decimal) -> tuple[Decimal, list[str]]:
    """Unrounded score and the explanation steps after the attainment."""
    base = _dec(rule["base"])
    steps: list[str] = []
    if attainment >= HUNDRED:
        rate = _dec(rule["up"])
        delta = (attainment - HUNDRED) * rate
        if attainment == HUNDRED:
            steps.append(_("at standard"))
        else:
            steps.append(
                _("%(points)s points above standard × %(rate)s = %(delta)s")
                % {"points": fmt2(attainment - HUNDRED), "rate": fmt_number(rate), "delta": _signed2(delta)}
            )
    else:
        rate = _dec(rule["down"])
        delta = -(HUNDRED - attainment) * rate
        steps.append(
            _("%(points)s points below standard × %(rate)s = %(delta)s")
            % {"points": fmt2(HUNDRED - attainment), "rate": fmt_number(rate), "delta": _signed2(delta)}
        )
    score = base + delta
    if base != HUNDRED:
        steps.append(
            _("base score %(base)s %(delta)s = %(result)s")
            % {"base": fmt_number(base), "delta": _signed2(delta), "result": fmt2(score)}
        )
    cap, floor = rule["cap"], rule["floor"]
    if cap is not None and score > _dec(cap):
        score = _dec(cap)
        steps.append(_("capped at %(cap)s") % {"cap": fmt2(score)})
    if floor is not None and score < _dec(floor):
        score = _dec(floor)
        steps.append(_("floored at %(floor)s") % {"floor": fmt2(score)})
    return score, steps


def _bands_from_attainment(rule: dict, attainment: Decimal) -> tuple[Decimal, list[str]]:
    # Compare the attainment as the employee sees it (2 places): 89.996% shows as 90.00% and
    # reaches the 90% band, so nobody is told "90.00%" and scored as below 90.
    attainment = _round2(attainment)
    for band in rule["bands"]:  # highest min first
        minimum = _dec(band["min"])
        if attainment >= minimum:
            return _dec(band["score"]), [_("reaches the band ≥ %(min)s%%") % {"min": fmt_number(minimum)}]
    lowest = _dec(rule["bands"][-1]["min"])
    return Decimal(0), [_("below the lowest band (%(min)s%%)") % {"min": fmt_number(lowest)}]


def _score_from_attainment(rule: dict, attainment: Decimal) -> tuple[Decimal, list[str]]:
    if rule["kind"] == "linear":
        return _linear_from_attainment(rule, attainment)
    return _bands_from_attainment(rule, attainment)


# ---------------------------------------------------------------------------------------------
# evaluate


def evaluate(rule: dict, **inputs: Any) -> Evaluation:
    """Score one line under ``rule`` (validated with :func:`validate_rule`).

    Inputs by kind: ``target``, ``actual`` (linear, bands); ``due``, ``done`` (deadline);
    ``milestones_done``, ``milestones_total`` (milestones); ``value`` (direct). Inputs of other
    kinds are ignored (a caller may pass all of a line's inputs); an unknown input name is an error.
    """
    try:
        return _evaluate(rule, **inputs)
    except (InvalidOperation, OverflowError):
        # e.g. a target of 0.0000000001 against an actual of 10^14: the ratio leaves the decimal context
        raise ScoringError(_("The result is out of range: check that the target and the actual are "
                             "of a sensible size."), field="actual")


def _evaluate(rule: dict, **inputs: Any) -> Evaluation:
    for name in inputs:
        if name not in _ALL_INPUTS:
            raise ScoringError(_("Unknown scoring input “%(name)s”.") % {"name": name}, field=name)
    rule = validate_rule(rule)
    kind = rule["kind"]
    if kind in RATIO_KINDS:
        return _evaluate_ratio(rule, inputs.get("target"), inputs.get("actual"))
    if kind == "deadline":
        return _evaluate_deadline(rule, inputs.get("due"), inputs.get("done"))
    if kind == "milestones":
        return _evaluate_milestones(rule, inputs.get("milestones_done"), inputs.get("milestones_total"))
    return _evaluate_direct(rule, inputs.get("value"))


def _evaluate_ratio(rule: dict, target: Any, actual: Any) -> Evaluation:
    if target is None or (isinstance(target, str) and not target.strip()):
        raise ScoringError(_("The target is missing."), field="target")
    if actual is None or (isinstance(actual, str) and not actual.strip()):
        raise ScoringError(_("The actual value is missing."), field="actual")
    target_d = _to_decimal(target, "target")
    actual_d = _to_decimal(actual, "actual")
    if target_d == 0:
        raise ScoringError(_("The target cannot be 0."), field="target")
    if target_d < 0:
        raise ScoringError(
            _("The target must be greater than 0, got %(value)s.") % {"value": fmt_number(target_d)},
            field="target",
        )
    if rule["direction"] == "higher":
        attainment = actual_d / target_d * HUNDRED
        first = _("actual %(actual)s / target %(target)s = %(attainment)s%%")
    else:
        if actual_d <= 0:
            raise ScoringError(
                _(
                    "For a lower-is-better indicator the actual value must be greater than 0, got "
                    "%(value)s: target / actual is undefined."
                )
                % {"value": fmt_number(actual_d)},
                field="actual",
            )
        attainment = target_d / actual_d * HUNDRED
        first = _("target %(target)s / actual %(actual)s = %(attainment)s%%")
    score, steps = _score_from_attainment(rule, attainment)
    score = _round2(score)
    parts = [
        first
        % {"actual": fmt_number(actual_d), "target": fmt_number(target_d), "attainment": fmt2(attainment)}
    ]
    parts += steps
    parts.append(_("score %(score)s") % {"score": fmt2(score)})
    return Evaluation(score=score, attainment=_round2(attainment), explanation=_join(parts))


def _evaluate_deadline(rule: dict, due: Any, done: Any) -> Evaluation:
    if due is None or due == "":
        raise ScoringError(_("The due date is missing."), field="due")
    if done is None or done == "":
        raise ScoringError(_("The completion date is missing."), field="done")
    due_d, done_d = _to_date(due, "due"), _to_date(done, "done")
    base, floor, per_day = _dec(rule["base"]), _dec(rule["floor"]), _dec(rule["per_day"])
    parts = [_("due %(due)s, done %(done)s") % {"due": due_d.isoformat(), "done": done_d.isoformat()}]
    days_late = (done_d - due_d).days
    if days_late <= 0:
        score = base
        parts.append(_("on time"))
    else:
        delta = -per_day * days_late
        parts.append(
            ngettext(
                "%(days)s day late × %(rate)s = %(delta)s",
                "%(days)s days late × %(rate)s = %(delta)s",
                days_late,
            )
            % {"days": days_late, "rate": fmt_number(per_day), "delta": _signed2(delta)}
        )
        score = base + delta
        if score < floor:
            score = floor
            parts.append(_("floored at %(floor)s") % {"floor": fmt2(floor)})
    score = _round2(score)
    parts.append(_("score %(score)s") % {"score": fmt2(score)})
    return Evaluation(score=score, attainment=None, explanation=_join(parts))


def _evaluate_milestones(rule: dict, done: Any, total: Any) -> Evaluation:
    if total is None or total == "":
        raise ScoringError(_("The milestone total is missing."), field="milestones_total")
    if done is None or done == "":
        raise ScoringError(_("The number of milestones done is missing."), field="milestones_done")
    total_i = _to_int(total, "milestones_total")
    done_i = _to_int(done, "milestones_done")
    if total_i <= 0:
        raise ScoringError(_("The milestone total must be greater than 0."), field="milestones_total")
    if done_i < 0:
        raise ScoringError(_("The number of milestones done cannot be negative."), field="milestones_done")
    if done_i > total_i:
        raise ScoringError(
            _("Milestones done (%(done)s) cannot exceed the total (%(total)s).")
            % {"done": done_i, "total": total_i},
            field="milestones_done",
        )
    base = _dec(rule["base"])
    share = Decimal(done_i) / Decimal(total_i)
    attainment = share * HUNDRED
    score = _round2(base * share)
    parts = [
        _("milestones done %(done)s / %(total)s = %(attainment)s%%")
        % {"done": done_i, "total": total_i, "attainment": fmt2(attainment)},
        _("base score %(base)s × %(attainment)s%%")
        % {"base": fmt_number(base), "attainment": fmt2(attainment)},
        _("score %(score)s") % {"score": fmt2(score)},
    ]
    return Evaluation(score=score, attainment=_round2(attainment), explanation=_join(parts))


def _evaluate_direct(rule: dict, value: Any) -> Evaluation:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ScoringError(_("The appraiser's score is missing."), field="value")
    value_d = _to_decimal(value, "value")
    low, high = _dec(rule["min"]), _dec(rule["max"])
    if not low <= value_d <= high:
        raise ScoringError(
            _("The score %(value)s is outside the range %(min)s–%(max)s.")
            % {"value": fmt_number(value_d), "min": fmt_number(low), "max": fmt_number(high)},
            field="value",
            extra={"min": fmt_number(low), "max": fmt_number(high)},
        )
    score = _round2(value_d)
    parts = [
        _("appraiser's score %(value)s (range %(min)s–%(max)s)")
        % {"value": fmt_number(value_d), "min": fmt_number(low), "max": fmt_number(high)},
        _("score %(score)s") % {"score": fmt2(score)},
    ]
    return Evaluation(score=score, attainment=None, explanation=_join(parts))


# ---------------------------------------------------------------------------------------------
# Weighted total


def weighted_total(items: Iterable[tuple[Any, Any]]) -> Decimal:
    """sum(line score x weight / 100) over (score, weight_percent) pairs whose weights total 100.

    Each line score is first rounded half-up to 2 places (as shown on the line), the total is
    rounded half-up to 2 places. A score may also be an :class:`Evaluation`.
    """
    pairs = []
    for item in items:
        try:
            score, weight = item
        except (TypeError, ValueError):
            raise ScoringError(_("Each item must be a (score, weight) pair."), field="weight")
        if isinstance(score, Evaluation):
            score = score.score
        score_d = _round2(_to_decimal(score, "score"))
        weight_d = _to_decimal(weight, "weight")
        if weight_d < 0:
            raise ScoringError(
                _("“%(name)s” cannot be negative, got %(value)s.")
                % {"name": _label("weight"), "value": fmt_number(weight_d)},
                field="weight",
            )
        pairs.append((score_d, weight_d))
    total_weight = sum((w for _s, w in pairs), Decimal(0))
    if total_weight != HUNDRED:
        raise ScoringError(
            _("The weights total %(total)s%%; they must total exactly 100%%.")
            % {"total": fmt_number(total_weight)},
            field="weight",
            extra={"total": fmt_number(total_weight)},
        )
    return _round2(sum((s * w / HUNDRED for s, w in pairs), Decimal(0)))


# ---------------------------------------------------------------------------------------------
# Curve (for the rule simulator)


def curve(rule: dict, start: Any = 0, stop: Any = 200, step: Any = 5) -> list[tuple[Decimal, Decimal]]:
    """(attainment percent, score) points from ``start`` to ``stop`` inclusive, every ``step``.

    Only for ratio rules (linear, bands): other kinds have no attainment axis.
    """
    rule = validate_rule(rule)
    if rule["kind"] not in RATIO_KINDS:
        raise ScoringError(
            _("Only linear and bands rules have a score curve, not “%(kind)s”.") % {"kind": rule["kind"]},
            field="rule",
        )
    start_d, stop_d, step_d = (
        _to_decimal(start, "start"),
        _to_decimal(stop, "stop"),
        _to_decimal(step, "step"),
    )
    if step_d <= 0:
        raise ScoringError(_("The curve step must be greater than 0."), field="step")
    if start_d > stop_d:
        raise ScoringError(_("The curve start cannot be after its stop."), field="start")
    points = []
    attainment = start_d
    while attainment <= stop_d:
        score, _steps = _score_from_attainment(rule, attainment)
        points.append((attainment, _round2(score)))
        attainment += step_d
    return points


def _nice_step(span: Decimal) -> Decimal:
    """A gridline step (1, 2, 2.5 or 5 x 10^n) giving at most about 6 lines over ``span``."""
    raw = float(span) / 5 if span > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return Decimal(str(factor * magnitude))
    return Decimal(str(10 * magnitude))  # pragma: no cover - unreachable


def curve_svg(rule: dict, width: int = 480, height: int = 240) -> str:
    """A small self-contained SVG of :func:`curve`: axes, gridlines, the curve, axis labels."""
    points = curve(rule)
    normalised = validate_rule(rule)
    x_min, x_max = Decimal(0), Decimal(200)
    scores = [s for _a, s in points]
    y_min = min([Decimal(0), *scores])
    y_max = max([Decimal(100), *scores])
    y_step = _nice_step(y_max - y_min)
    y_min = (y_min / y_step).to_integral_value(rounding=ROUND_FLOOR) * y_step
    y_max = (y_max / y_step).to_integral_value(rounding=ROUND_CEILING) * y_step

    left, right, top, bottom = 44, 12, 12, 36
    plot_w = max(width - left - right, 10)
    plot_h = max(height - top - bottom, 10)

    def sx(a: Decimal) -> str:
        return f"{left + float((a - x_min) / (x_max - x_min)) * plot_w:.1f}"

    def sy(s: Decimal) -> str:
        return f"{top + plot_h - float((s - y_min) / (y_max - y_min)) * plot_h:.1f}"

    x_axis_label = escape(_("Attainment (%)"))
    y_axis_label = escape(_("Score"))
    title = escape(_("Score by attainment"))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{title}" '
        'font-family="sans-serif" font-size="10">',
        f"<title>{title}</title>",
        '<g class="grid" stroke="#ddd" stroke-width="1">',
    ]
    for a in (0, 50, 100, 150, 200):
        x = sx(Decimal(a))
        out.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{top + plot_h}"/>')
    y = y_min
    while y <= y_max:
        out.append(f'<line x1="{left}" y1="{sy(y)}" x2="{left + plot_w}" y2="{sy(y)}"/>')
        y += y_step
    out.append("</g>")
    zero = sy(Decimal(0))  # y_min <= 0 <= y_max always
    out.append(
        f'<g class="axes" stroke="#333" stroke-width="1">'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>'
        f'<line x1="{left}" y1="{zero}" x2="{left + plot_w}" y2="{zero}"/></g>'
    )
    out.append('<g class="labels" fill="#333">')
    for a in (0, 50, 100, 150, 200):
        out.append(f'<text x="{sx(Decimal(a))}" y="{top + plot_h + 12}" text-anchor="middle">{a}%</text>')
    y = y_min
    while y <= y_max:
        out.append(
            f'<text x="{left - 4}" y="{float(sy(y)) + 3:.1f}" text-anchor="end">{escape(fmt_number(y))}</text>'
        )
        y += y_step
    out.append(
        f'<text class="x-label" x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle">{x_axis_label}</text>'
    )
    out.append(
        f'<text class="y-label" x="10" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 10 {top + plot_h / 2:.1f})">{y_axis_label}</text>'
    )
    out.append("</g>")

    coords: list[str] = []
    previous: tuple[Decimal, Decimal] | None = None
    for attainment, score in points:
        if normalised["kind"] == "bands" and previous is not None and score != previous[1]:
            coords.append(f"{sx(attainment)},{sy(previous[1])}")  # a step, not a slope
        coords.append(f"{sx(attainment)},{sy(score)}")
        previous = (attainment, score)
    out.append(
        f'<polyline class="curve" fill="none" stroke="#1f6feb" stroke-width="2" points="{" ".join(coords)}"/>'
    )
    out.append("</svg>")
    return "".join(out)
