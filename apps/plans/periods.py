"""Periods of goals and plans: a year, a half, a quarter or a month of one year. Pure functions, no ORM."""
from __future__ import annotations

import calendar
import datetime as dt
import re

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class PeriodKind(models.TextChoices):
    YEAR = "year", gettext_lazy("Year")
    HALF = "half", gettext_lazy("Half-year")
    QUARTER = "quarter", gettext_lazy("Quarter")
    MONTH = "month", gettext_lazy("Month")


PERIODS_IN_YEAR = {PeriodKind.YEAR: 1, PeriodKind.HALF: 2, PeriodKind.QUARTER: 4, PeriodKind.MONTH: 12}
MONTHS_IN_PERIOD = {PeriodKind.YEAR: 12, PeriodKind.HALF: 6, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1}
# Short codes used in filters and the API: Y, H1..H2, Q1..Q4, M1..M12
CODE_PREFIX = {PeriodKind.YEAR: "Y", PeriodKind.HALF: "H", PeriodKind.QUARTER: "Q", PeriodKind.MONTH: "M"}
PREFIX_KIND = {v: k for k, v in CODE_PREFIX.items()}


def valid(kind: str, index: int) -> bool:
    return kind in PERIODS_IN_YEAR and 1 <= int(index) <= PERIODS_IN_YEAR[kind]


def months(kind: str, index: int) -> tuple[int, int]:
    """First and last month (1..12) of the period."""
    span = MONTHS_IN_PERIOD[kind]
    first = (int(index) - 1) * span + 1
    return first, first + span - 1


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def bounds(year: int, kind: str, index: int) -> tuple[dt.date, dt.date]:
    first, last = months(kind, index)
    return month_bounds(year, first)[0], month_bounds(year, last)[1]


def contains(outer_kind: str, outer_index: int, inner_kind: str, inner_index: int) -> bool:
    """Whether the inner period (same year) lies inside the outer one."""
    o1, o2 = months(outer_kind, outer_index)
    i1, i2 = months(inner_kind, inner_index)
    return o1 <= i1 and i2 <= o2


def overlaps(kind_a: str, index_a: int, kind_b: str, index_b: int) -> bool:
    a1, a2 = months(kind_a, index_a)
    b1, b2 = months(kind_b, index_b)
    return a1 <= b2 and b1 <= a2


def code(kind: str, index: int) -> str:
    return "Y" if kind == PeriodKind.YEAR else f"{CODE_PREFIX[kind]}{index}"


def parse_code(value: str) -> tuple[str, int] | None:
    """"Q2" -> ("quarter", 2); None when the code is not a period."""
    m = re.fullmatch(r"([YHQM])(\d{0,2})", (value or "").strip().upper())
    if not m:
        return None
    kind = PREFIX_KIND[m.group(1)]
    index = int(m.group(2) or 1)
    return (kind, index) if valid(kind, index) else None


def label(year: int, kind: str, index: int) -> str:
    if kind == PeriodKind.YEAR:
        return _("%(year)s (year)") % {"year": year}
    if kind == PeriodKind.HALF:
        return (_("%(year)s first half") if int(index) == 1 else _("%(year)s second half")) % {"year": year}
    if kind == PeriodKind.QUARTER:
        return _("%(year)s Q%(q)s") % {"year": year, "q": index}
    return month_label(year, int(index))


def month_label(year: int, month: int) -> str:
    """"2026年5月" / "May 2026", by the active language's format."""
    return formats.date_format(dt.date(year, month, 1), "YEAR_MONTH_FORMAT")


def parse_month(value: str | None, default: dt.date | None = None) -> tuple[int, int]:
    """"2026-05" -> (2026, 5); a bad or missing value gives the month of ``default`` (today)."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", (value or "").strip())
    if m and 1 <= int(m.group(2)) <= 12 and 2000 <= int(m.group(1)) <= 2100:
        return int(m.group(1)), int(m.group(2))
    d = default or dt.date.today()
    return d.year, d.month


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    n = year * 12 + (month - 1) + delta
    return n // 12, n % 12 + 1


def elapsed_share(year: int, kind: str, index: int, today: dt.date) -> float:
    """Share of the period that has passed by ``today`` (0.0 before it starts, 1.0 after it ends)."""
    start, end = bounds(year, kind, index)
    if today < start:
        return 0.0
    if today >= end:
        return 1.0
    return ((today - start).days + 1) / ((end - start).days + 1)


def choices_for_filter() -> list[tuple[str, str]]:
    """Period codes for the tree filter: all, the halves, the quarters and the months."""
    out = [("", _("Whole year"))]
    out += [(f"H{i}", _("First half") if i == 1 else _("Second half")) for i in (1, 2)]
    out += [(f"Q{i}", _("Q%(q)s") % {"q": i}) for i in range(1, 5)]
    out += [(f"M{i}", _("Month %(m)s") % {"m": i}) for i in range(1, 13)]
    return out
