"""Grade quotas (calibration): can a set of quotas be met at all?

A quota says that the share of a department's appraisals in a set of grades is at most or at least a
percent. The quotas can all be met when some distribution of shares x_g >= 0 over the cycle's grades,
summing to 100, satisfies every one: a small linear system, decided exactly (Fourier-Motzkin
elimination on fractions; a cycle has a handful of grades). The common impossible cases get a
message that names the quotas in conflict.
"""
from __future__ import annotations

from fractions import Fraction

from django.utils.translation import gettext as _

AT_MOST, AT_LEAST = "at_most", "at_least"


def _label(q: dict) -> str:
    word = _("at most") if q["limit"] == AT_MOST else _("at least")
    return f"{'+'.join(q['grades'])} {word} {_pct(q['percent'])}%"


def _pct(value) -> str:
    f = Fraction(str(value))
    return str(f.numerator) if f.denominator == 1 else f"{float(f):g}"


def _feasible(grades: list[str], quotas: list[dict]) -> bool:
    """Fourier-Motzkin: rows (coefficients, bound) meaning sum(c_i * x_i) <= bound."""
    n = len(grades)
    idx = {g: i for i, g in enumerate(grades)}
    rows: list[tuple[tuple[Fraction, ...], Fraction]] = []
    for i in range(n):  # x_i >= 0
        rows.append((tuple(Fraction(-1) if j == i else Fraction(0) for j in range(n)), Fraction(0)))
    ones = tuple(Fraction(1) for _ in range(n))
    rows.append((ones, Fraction(100)))
    rows.append((tuple(-c for c in ones), Fraction(-100)))
    for q in quotas:
        members = {idx[g] for g in q["grades"]}
        coef = tuple(Fraction(1) if j in members else Fraction(0) for j in range(n))
        p = Fraction(str(q["percent"]))
        rows.append((coef, p) if q["limit"] == AT_MOST else (tuple(-c for c in coef), -p))
    for k in range(n):
        pos = [r for r in rows if r[0][k] > 0]
        neg = [r for r in rows if r[0][k] < 0]
        rest = [r for r in rows if r[0][k] == 0]
        for pc, pb in pos:
            for nc, nb in neg:
                a, b = pc[k], -nc[k]
                coef = tuple(pc[j] * b + nc[j] * a for j in range(n))
                rest.append((coef, pb * b + nb * a))
        rows = list(set(rest))
    return all(bound >= 0 for _coef, bound in rows)


def check_quotas(grades: list[str], quotas: list[dict]) -> str:
    """"" when the quotas can all be met; otherwise a message saying why not."""
    for q in quotas:
        unknown = [g for g in q["grades"] if g not in grades]
        if not q["grades"]:
            return _("A quota needs at least one grade.")
        if unknown:
            return _("“%(grade)s” is not a grade of this cycle (%(grades)s).") % {
                "grade": ", ".join(unknown), "grades": ", ".join(grades)}
        p = Fraction(str(q["percent"]))
        if p < 0 or p > 100:
            return _("A quota's percent is between 0 and 100.")
    mins = [q for q in quotas if q["limit"] == AT_LEAST]
    maxes = [q for q in quotas if q["limit"] == AT_MOST]
    for lo in mins:
        for hi in maxes:
            if set(lo["grades"]) <= set(hi["grades"]) and Fraction(str(lo["percent"])) > Fraction(str(hi["percent"])):
                return _("These quotas cannot both be met: %(a)s and %(b)s.") % {"a": _label(lo), "b": _label(hi)}
    disjoint_total = Fraction(0)
    seen: set[str] = set()
    for lo in mins:
        if not seen & set(lo["grades"]):
            seen |= set(lo["grades"])
            disjoint_total += Fraction(str(lo["percent"]))
    if disjoint_total > 100:
        return _("The minimums add up to more than 100%% (%(total)s%%): they cannot all be met.") % {
            "total": _pct(disjoint_total)}
    if not _feasible(list(grades), quotas):
        return _("These quotas cannot all be met at once: %(quotas)s.") % {
            "quotas": "; ".join(_label(q) for q in quotas)}
    return ""
