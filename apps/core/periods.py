"""Periods: a month, a quarter, a half-year or a whole calendar year, as one value type. Pure: no ORM.

The product names one span of the calendar in two ways, and both stay:

- a **review period** (考核周期) of KPI contracts, coaching records and appraisals, written as a code:
  "2026-11" (monthly), "2026-Q4" (quarterly), "2026-H2" (half-year), "2026" (annual). Its kind is
  the job level's review *frequency*: ``monthly``, ``quarterly``, ``half_year``, ``annual`` (the
  values of ``apps.org.models.ReviewFrequency``);
- the **period of a goal** inside its plan's year, stored as a *kind* (``year``, ``half``,
  ``quarter``, ``month``: :class:`PeriodKind`) and an index, written in filters and the API as a
  short code: "Y", "H1", "Q2", "M5".

:class:`Period` is one value for both: ``Period.parse("2026-Q4") == Period.of_kind(2026, "quarter", 4)``.
It knows its first and last day, what it contains or overlaps, the periods before and after it,
how much of it has passed, and its label in the active language. Two labels stay, because the two
apps say them differently in English (in Chinese they are the same words): ``label`` reads inside
a sentence ("Q4 2026", "second half of 2026"), ``year_first_label`` heads a row of a goal list
("2026 Q4", "2026 second half"). A month is "November 2026" / "2026年11月" in both.

The functions at the end are short forms over :class:`Period` for callers that hold the pieces
(a goal's kind and index, a plan's year and month, a stored review-period code).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.exceptions import ApplicationError

# --- the two vocabularies --------------------------------------------------------------------------

MONTHLY, QUARTERLY, HALF_YEAR, ANNUAL = "monthly", "quarterly", "half_year", "annual"
MONTHS_PER = {MONTHLY: 1, QUARTERLY: 3, HALF_YEAR: 6, ANNUAL: 12}


class PeriodKind(models.TextChoices):
    """The kind of a goal's period within its year."""

    YEAR = "year", gettext_lazy("Year")
    HALF = "half", gettext_lazy("Half-year")
    QUARTER = "quarter", gettext_lazy("Quarter")
    MONTH = "month", gettext_lazy("Month")


FREQUENCY_OF_KIND = {PeriodKind.YEAR: ANNUAL, PeriodKind.HALF: HALF_YEAR, PeriodKind.QUARTER: QUARTERLY,
                     PeriodKind.MONTH: MONTHLY}
KIND_OF_FREQUENCY = {freq: kind for kind, freq in FREQUENCY_OF_KIND.items()}
PERIODS_IN_YEAR = {kind: 12 // MONTHS_PER[freq] for kind, freq in FREQUENCY_OF_KIND.items()}
MONTHS_IN_PERIOD = {kind: MONTHS_PER[freq] for kind, freq in FREQUENCY_OF_KIND.items()}
# Short codes of a period within its year (filters, the API): Y, H1..H2, Q1..Q4, M1..M12
CODE_PREFIX = {PeriodKind.YEAR: "Y", PeriodKind.HALF: "H", PeriodKind.QUARTER: "Q", PeriodKind.MONTH: "M"}
PREFIX_KIND = {prefix: kind for kind, prefix in CODE_PREFIX.items()}

_REVIEW_CODES = [
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), MONTHLY),
    (re.compile(r"^(\d{4})-Q([1-4])$"), QUARTERLY),
    (re.compile(r"^(\d{4})-H([12])$"), HALF_YEAR),
    (re.compile(r"^(\d{4})$"), ANNUAL),
]
_SHORT_CODE = re.compile(r"([YHQM])(\d{0,2})")
_MONTH_PARAM = re.compile(r"(\d{4})-(\d{1,2})")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    frequency: str  # monthly, quarterly, half_year or annual
    index: int = 1  # month 1-12, quarter 1-4, half 1-2, or 1 for the year

    def __post_init__(self):
        if self.frequency not in MONTHS_PER or not 1 <= self.index <= 12 // MONTHS_PER[self.frequency]:
            raise ValueError(f"not a period: {self.year} {self.frequency} {self.index}")

    # --- construction -----------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Period:
        """A review-period code: "2026-11", "2026-Q4", "2026-H2" or "2026"."""
        text = (text or "").strip().upper()
        for pattern, freq in _REVIEW_CODES:
            m = pattern.match(text)
            if m:
                return cls(int(m.group(1)), freq, int(m.group(2)) if freq != ANNUAL else 1)
        raise ApplicationError(
            _("“%(value)s” is not a review period: write 2026-11 (month), 2026-Q4 (quarter), 2026-H2 "
              "(half-year) or 2026 (year).") % {"value": text}, field="period")

    @classmethod
    def containing(cls, frequency: str, day: dt.date) -> Period:
        """The period of this frequency that ``day`` falls in."""
        if frequency not in MONTHS_PER:
            raise ApplicationError(_("Unknown review frequency “%(f)s”.") % {"f": frequency}, field="period")
        return cls(day.year, frequency, (day.month - 1) // MONTHS_PER[frequency] + 1)

    @classmethod
    def of_kind(cls, year: int, kind: str, index: int = 1) -> Period:
        """A goal's period: its kind (year, half, quarter, month) and index in ``year``.
        ValueError when the pair is not a period of the year (see :func:`valid`)."""
        if kind not in FREQUENCY_OF_KIND:
            raise ValueError(f"not a kind of period: {kind}")
        return cls(int(year), FREQUENCY_OF_KIND[kind], int(index))

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        return cls(int(year), MONTHLY, int(month))

    @classmethod
    def from_short_code(cls, year: int, value: str) -> Period | None:
        """"Q2" in ``year`` -> that quarter; "Y" (or "Y1") the year, "H" the first half; None when the
        code is not a period of a year."""
        m = _SHORT_CODE.fullmatch((value or "").strip().upper())
        if not m:
            return None
        kind, index = PREFIX_KIND[m.group(1)], int(m.group(2) or 1)
        return cls.of_kind(year, kind, index) if valid(kind, index) else None

    @classmethod
    def every_in_year(cls, year: int) -> list[Period]:
        """Every period of the year: the year, its halves, quarters and months."""
        return [cls(year, freq, i) for freq in (ANNUAL, HALF_YEAR, QUARTERLY, MONTHLY)
                for i in range(1, 12 // MONTHS_PER[freq] + 1)]

    # --- names ------------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        """The goal vocabulary's kind: year, half, quarter or month."""
        return KIND_OF_FREQUENCY[self.frequency].value

    @property
    def code(self) -> str:
        """The review-period code: "2026-11", "2026-Q4", "2026-H2", "2026"."""
        if self.frequency == MONTHLY:
            return f"{self.year}-{self.index:02d}"
        if self.frequency == QUARTERLY:
            return f"{self.year}-Q{self.index}"
        if self.frequency == HALF_YEAR:
            return f"{self.year}-H{self.index}"
        return f"{self.year}"

    @property
    def short_code(self) -> str:
        """The code within the year: "M11", "Q4", "H2", "Y"."""
        kind = KIND_OF_FREQUENCY[self.frequency]
        return "Y" if self.frequency == ANNUAL else f"{CODE_PREFIX[kind]}{self.index}"

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        """In a sentence, in the active language: 2026年11月 / November 2026, 2026年第4季度 / Q4 2026..."""
        if self.frequency == MONTHLY:
            return date_format(self.start, "YEAR_MONTH_FORMAT")
        if self.frequency == QUARTERLY:
            return _("Q%(q)s %(year)s") % {"q": self.index, "year": self.year}
        if self.frequency == HALF_YEAR:
            if self.index == 1:
                return _("first half of %(year)s") % {"year": self.year}
            return _("second half of %(year)s") % {"year": self.year}
        return _("year %(year)s") % {"year": self.year}

    @property
    def year_first_label(self) -> str:
        """At the head of a row in a goal list: 2026年第4季度 / 2026 Q4, 2026年上半年 / 2026 first half..."""
        if self.frequency == MONTHLY:
            return self.label
        if self.frequency == QUARTERLY:
            return _("%(year)s Q%(q)s") % {"year": self.year, "q": self.index}
        if self.frequency == HALF_YEAR:
            return (_("%(year)s first half") if self.index == 1 else _("%(year)s second half")) % {"year": self.year}
        return _("%(year)s (year)") % {"year": self.year}

    # --- the calendar -----------------------------------------------------------------------------
    @property
    def month_range(self) -> tuple[int, int]:
        """First and last month (1..12) of the period."""
        span = MONTHS_PER[self.frequency]
        first = (self.index - 1) * span + 1
        return first, first + span - 1

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month_range[0], 1)

    @property
    def end(self) -> dt.date:
        return self.next().start - dt.timedelta(days=1)

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        return self.start, self.end

    @property
    def months(self) -> list[str]:
        """The monthly period codes inside this period ("2026-10", "2026-11", "2026-12" for 2026-Q4)."""
        first, last = self.month_range
        return [f"{self.year}-{m:02d}" for m in range(first, last + 1)]

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def shift(self, steps: int) -> Period:
        """The period ``steps`` periods of the same frequency later (earlier when negative)."""
        count = 12 // MONTHS_PER[self.frequency]
        n = self.year * count + (self.index - 1) + steps
        return Period(n // count, self.frequency, n % count + 1)

    def contains(self, other: Period | dt.date) -> bool:
        """Whether a day, or a whole other period, lies inside this one."""
        if isinstance(other, Period):
            return self.start <= other.start and other.end <= self.end
        return self.start <= other <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def elapsed_share(self, today: dt.date) -> float:
        """Share of the period that has passed by ``today`` (0.0 before it starts, 1.0 after it ends)."""
        start, end = self.bounds
        if today < start:
            return 0.0
        if today >= end:
            return 1.0
        return ((today - start).days + 1) / ((end - start).days + 1)


# --- short forms over Period ---------------------------------------------------------------------------

def current_period(frequency: str, today: dt.date | None = None) -> Period:
    """The period of this frequency that today (in the configured time zone) falls in."""
    return Period.containing(frequency, today or timezone.localdate())


def validate_period_code(value: str) -> None:
    """Model-field validator of a review-period code."""
    from django.core.exceptions import ValidationError

    try:
        Period.parse(value)
    except ApplicationError as exc:
        raise ValidationError(exc.message)


def period_label(code: str) -> str:
    """The label of a stored review-period code, or the code itself when it is not one."""
    try:
        return Period.parse(code).label
    except ApplicationError:
        return code


# A goal's period: (kind, index) within one year.

def valid(kind: str, index: int) -> bool:
    return kind in PERIODS_IN_YEAR and 1 <= int(index) <= PERIODS_IN_YEAR[kind]


def months(kind: str, index: int) -> tuple[int, int]:
    """First and last month (1..12) of the period."""
    return Period.of_kind(2000, kind, index).month_range  # any year: the months are the same every year


def bounds(year: int, kind: str, index: int) -> tuple[dt.date, dt.date]:
    return Period.of_kind(year, kind, index).bounds


def contains(outer_kind: str, outer_index: int, inner_kind: str, inner_index: int) -> bool:
    """Whether the inner period (same year) lies inside the outer one."""
    return Period.of_kind(2000, outer_kind, outer_index).contains(Period.of_kind(2000, inner_kind, inner_index))


def overlaps(kind_a: str, index_a: int, kind_b: str, index_b: int) -> bool:
    return Period.of_kind(2000, kind_a, index_a).overlaps(Period.of_kind(2000, kind_b, index_b))


def code(kind: str, index: int) -> str:
    return Period.of_kind(2000, kind, index).short_code


def parse_code(value: str) -> tuple[str, int] | None:
    """"Q2" -> ("quarter", 2); None when the code is not a period."""
    period = Period.from_short_code(2000, value)
    return (period.kind, period.index) if period else None


def label(year: int, kind: str, index: int) -> str:
    return Period.of_kind(year, kind, index).year_first_label


def elapsed_share(year: int, kind: str, index: int, today: dt.date) -> float:
    return Period.of_kind(year, kind, index).elapsed_share(today)


def choices_for_filter() -> list[tuple[str, str]]:
    """Short codes for a filter of periods within a year: all, the halves, the quarters and the months."""
    out = [("", _("Whole year"))]
    out += [(f"H{i}", _("First half") if i == 1 else _("Second half")) for i in (1, 2)]
    out += [(f"Q{i}", _("Q%(q)s") % {"q": i}) for i in range(1, 5)]
    out += [(f"M{i}", _("Month %(m)s") % {"m": i}) for i in range(1, 13)]
    return out


# A month, as monthly plans hold it: (year, month).

def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return Period.of_month(year, month).bounds


def month_label(year: int, month: int) -> str:
    """"2026年5月" / "May 2026", by the active language's format."""
    return Period.of_month(year, month).label


def month_key(year: int, month: int) -> str:
    """"2026-05": the month's review-period code, also the value of ``?month=`` in links."""
    return Period.of_month(year, month).code


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    p = Period.of_month(year, month).shift(delta)
    return p.year, p.index


def parse_month(value: str | None, default: dt.date | None = None) -> tuple[int, int]:
    """"2026-05" (or "2026-5") -> (2026, 5); a bad or missing value gives the month of ``default``
    (today in the configured time zone)."""
    m = _MONTH_PARAM.fullmatch((value or "").strip())
    if m and 1 <= int(m.group(2)) <= 12 and 2000 <= int(m.group(1)) <= 2100:
        return int(m.group(1)), int(m.group(2))
    d = default or timezone.localdate()
    return d.year, d.month
