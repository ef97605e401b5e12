"""Scoring of appraisal lines and totals, and the cycle's grade bands. Pure Python over the rows
already loaded (no queries): the services call it, the bench and roll-ups can too.

Every score keeps its explanation in zh-Hans and English (the scoring engine writes in the active
language, so each explanation is produced once under each language).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _

from apps.contracts.scoring import Evaluation, ScoringError, evaluate, fmt2, fmt_number, weighted_total
from apps.core.exceptions import ApplicationError

from .models import Collection, ScoreSource

LANGS = ("zh-hans", "en")
HUNDRED = Decimal(100)


def both(fn: Callable[[], str]) -> tuple[str, str]:
    """``fn()`` under zh-Hans and under English."""
    out = []
    for lang in LANGS:
        with translation.override(lang):
            out.append(str(fn()))
    return out[0], out[1]


def section_label(section: str) -> str:
    return {"results": _("results"), "behaviour": _("behaviour"), "plan": _("work plan")}.get(section, section)


# --- lines -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LineResult:
    score: Decimal
    attainment: Decimal | None
    explanation_zh: str
    explanation_en: str
    source: str


def engine_inputs(line) -> dict:
    kind = line.rule_kind
    if kind in ("linear", "bands"):
        return {"target": line.target, "actual": line.actual}
    if kind == "deadline":
        return {"due": line.due_date, "done": line.done_date}
    if kind == "milestones":
        return {"milestones_done": line.milestones_done, "milestones_total": line.milestones_total}
    return {"value": line.manager_score}


def score_data_line(line) -> LineResult:
    """Score a line the engine scores from its collected data (ratio, deadline, milestones).

    A line not submitted by the deadline (policy "advance") scores 0 with an explanation saying so.
    Raises :class:`ScoringError` (in the active language) for invalid data.
    """
    results, errors = score_data_lines([line])
    if errors:
        raise next(iter(errors.values()))
    return results[line.pk]


def score_data_lines(lines) -> tuple[dict, dict]:
    """Score many engine lines: ({pk: LineResult}, {pk: ScoringError in the active language}).

    Each language is activated once for the whole batch (not once per line): the engine writes its
    explanation in the active language, and switching languages is what costs most per line."""
    results, errors, evaluations = {}, {}, {}
    todo = [ln for ln in lines if ln.collection != Collection.MISSING]
    for lang in LANGS:
        with translation.override(lang):
            for ln in todo:
                if ln.pk in errors:
                    continue
                try:
                    evaluations.setdefault(ln.pk, []).append(evaluate(ln.rule, **engine_inputs(ln)))
                except ScoringError as exc:
                    errors[ln.pk] = exc
    for pk in list(errors):  # the message again, worded in the reader's language
        ln = next(x for x in todo if x.pk == pk)
        try:
            evaluate(ln.rule, **engine_inputs(ln))
        except ScoringError as exc:
            errors[pk] = exc
    for ln in todo:
        if ln.pk not in errors:
            ev_zh, ev_en = evaluations[ln.pk]
            results[ln.pk] = LineResult(ev_zh.score, ev_zh.attainment, ev_zh.explanation, ev_en.explanation,
                                        ScoreSource.ENGINE)
    missing = [ln for ln in lines if ln.collection == Collection.MISSING]
    if missing:
        zh, en = both(lambda: _("no actual was submitted by the deadline, score %(score)s") % {"score": "0.00"})
        for ln in missing:
            results[ln.pk] = LineResult(Decimal("0.00"), None, zh, en, ScoreSource.MISSING)
    return results, errors


def _evaluate_both(rule: dict, inputs: dict) -> tuple[Evaluation, Evaluation]:
    """Evaluate under zh-Hans and English; an invalid rule or input raises in the active language."""
    try:
        with translation.override(LANGS[0]):
            ev_zh = evaluate(rule, **inputs)
        with translation.override(LANGS[1]):
            ev_en = evaluate(rule, **inputs)
    except ScoringError:
        evaluate(rule, **inputs)  # the same error, worded in the reader's language
        raise
    return ev_zh, ev_en


def check_direct_score(rule: dict, value) -> Evaluation:
    """A self or manager score on a direct line: a number within the rule's range (plain message)."""
    return evaluate(rule, value=value)


def score_direct_line(line, value, source: str = ScoreSource.MANAGER) -> LineResult:
    ev_zh, ev_en = _evaluate_both(line.rule, {"value": value})
    zh, en = ev_zh.explanation, ev_en.explanation
    if source == ScoreSource.SELF_TAKEN:
        texts = iter((zh, en))
        zh, en = both(lambda: _("the manager did not score by the deadline, the self-score is taken: "
                                "%(explanation)s") % {"explanation": next(texts)})
    return LineResult(ev_zh.score, None, zh, en, source)


def parse_score(value, *, field: str = "score") -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise ApplicationError(_("“%(value)s” is not a number.") % {"value": value}, field=field)
    if not d.is_finite():
        raise ApplicationError(_("“%(value)s” is not a number.") % {"value": value}, field=field)
    return d


# --- totals ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TotalResult:
    section_scores: dict[str, Decimal]
    total: Decimal
    grade: str
    explanation_zh: str
    explanation_en: str


def appraisal_total(*, lines: Iterable, section_weights: dict[str, Decimal], bands: list[dict]) -> TotalResult:
    """weighted_total of the line scores per section, combined by the section weights; the grade from
    the bands. Every line must be scored. Raises :class:`ScoringError` with a plain message."""
    by_section: dict[str, list] = {}
    for line in lines:
        if line.score is None:
            raise ScoringError(_("“%(title)s” has no score yet.") % {"title": line.display_title}, field="score")
        by_section.setdefault(line.section, []).append((line.score, line.weight))
    section_scores: dict[str, Decimal] = {}
    pairs = []
    for section, weight in section_weights.items():
        weight = Decimal(weight or 0)
        items = by_section.get(section)
        if not items:
            if weight:
                raise ScoringError(
                    _("The contract weighs the %(section)s section at %(weight)s%% but has no lines in it.")
                    % {"section": section_label(section), "weight": fmt_number(weight)}, field="weight")
            continue
        section_scores[section] = weighted_total(items)
        if weight:
            pairs.append((section, section_scores[section], weight))
    total = weighted_total((s, w) for _sec, s, w in pairs)
    grade, band_min = grade_for(total, bands)

    def text():
        parts = " + ".join(
            _("%(section)s %(score)s × %(weight)s%%") % {"section": section_label(sec), "score": fmt2(s),
                                                       "weight": fmt_number(w)} for sec, s, w in pairs)
        if band_min is None:
            band = _("grade %(grade)s") % {"grade": grade}
        else:
            band = _("grade %(grade)s (≥ %(min)s)") % {"grade": grade, "min": fmt_number(band_min)}
        return _("%(parts)s = %(total)s, %(band)s") % {"parts": parts, "total": fmt2(total), "band": band}

    zh, en = both(text)
    return TotalResult(section_scores, total, grade, zh, en)


# --- grade bands -------------------------------------------------------------------------------------

_BAND_RE = re.compile(r"^\s*([A-Za-z0-9+\-\u4e00-\u9fff]{1,8}?)\s*(?:(?:>=|≥|=|:|：)?\s*(-?\d+(?:\.\d+)?))?\s*$")


def validate_grade_bands(bands) -> list[dict]:
    """Grade bands: a list of {"grade", "min"}, highest first, minimums strictly falling, the last one
    without a minimum (everything below). Returns the normalised list or raises ApplicationError."""
    if not isinstance(bands, list | tuple) or len(bands) < 2:
        raise ApplicationError(_("Give at least two grades, e.g. S ≥ 120, A ≥ 105, B ≥ 90, C ≥ 75, D."),
                               field="grade_bands")
    out, seen, previous = [], set(), None
    for i, band in enumerate(bands):
        if not isinstance(band, dict) or not str(band.get("grade", "")).strip():
            raise ApplicationError(_("Grade %(n)s has no name.") % {"n": i + 1}, field="grade_bands")
        grade = str(band["grade"]).strip()
        if grade in seen:
            raise ApplicationError(_("Grade %(grade)s appears twice.") % {"grade": grade}, field="grade_bands")
        seen.add(grade)
        last = i == len(bands) - 1
        minimum = band.get("min")
        if last:
            if minimum not in (None, ""):
                raise ApplicationError(
                    _("The last grade (%(grade)s) takes every score below the others: leave its minimum empty.")
                    % {"grade": grade}, field="grade_bands")
            out.append({"grade": grade, "min": None})
            continue
        if minimum in (None, ""):
            raise ApplicationError(_("Grade %(grade)s needs a minimum score.") % {"grade": grade},
                                   field="grade_bands")
        try:
            m = Decimal(str(minimum))
        except InvalidOperation:
            raise ApplicationError(_("The minimum of grade %(grade)s is not a number.") % {"grade": grade},
                                   field="grade_bands")
        if previous is not None and m >= previous:
            raise ApplicationError(
                _("Grades go from the highest to the lowest: the minimum of %(grade)s (%(min)s) must be below "
                  "%(prev)s.") % {"grade": grade, "min": fmt_number(m), "prev": fmt_number(previous)},
                field="grade_bands")
        previous = m
        out.append({"grade": grade, "min": int(m) if m == m.to_integral_value() else float(m)})
    return out


def parse_grade_bands(text: str) -> list[dict]:
    """"S>=120, A>=105, B>=90, C>=75, D" (also ≥, =, :, one per line or comma/semicolon-separated)."""
    parts = [p for p in re.split(r"[,，;；\n]+", text or "") if p.strip()]
    bands = []
    for part in parts:
        m = _BAND_RE.match(part)
        if not m:
            raise ApplicationError(
                _("“%(part)s” is not a grade band: write e.g. S ≥ 120, A ≥ 105, B ≥ 90, C ≥ 75, D.")
                % {"part": part.strip()}, field="grade_bands")
        bands.append({"grade": m.group(1), "min": m.group(2)})
    return validate_grade_bands(bands)


def format_grade_bands(bands: list[dict]) -> str:
    return ", ".join(f"{b['grade']} ≥ {fmt_number(b['min'])}" if b.get("min") is not None else b["grade"]
                     for b in bands or [])


def grade_for(total: Decimal, bands: list[dict]) -> tuple[str, Decimal | None]:
    for band in bands:
        if band.get("min") is None:
            return band["grade"], None
        m = Decimal(str(band["min"]))
        if total >= m:
            return band["grade"], m
    return (bands[-1]["grade"], None) if bands else ("", None)
