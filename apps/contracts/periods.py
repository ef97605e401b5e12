"""Review periods (考核周期) as a small value type: "2026-11" monthly, "2026-Q4" quarterly,
"2026-H2" half-year, "2026" annual. The job level's review frequency decides which kind applies."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError

MONTHLY, QUARTERLY, HALF_YEAR, ANNUAL = "monthly", "quarterly", "half_year", "annual"
_PATTERNS = [
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), MONTHLY),
    (re.compile(r"^(\d{4})-Q([1-4])$"), QUARTERLY),
    (re.compile(r"^(\d{4})-H([12])$"), HALF_YEAR),
    (re.compile(r"^(\d{4})$"), ANNUAL),
]
_MONTHS_PER = {MONTHLY: 1, QUARTERLY: 3, HALF_YEAR: 6, ANNUAL: 12}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    frequency: str
    index: int  # month 1-12, quarter 1-4, half 1-2, or 1 for the year

    # --- construction -----------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Period:
        text = (text or "").strip().upper()
        for pattern, freq in _PATTERNS:
            m = pattern.match(text)
            if m:
                return cls(int(m.group(1)), freq, int(m.group(2)) if freq != ANNUAL else 1)
        raise ApplicationError(
            _("“%(value)s” is not a review period: write 2026-11 (month), 2026-Q4 (quarter), 2026-H2 "
              "(half-year) or 2026 (year).") % {"value": text}, field="period")

    @classmethod
    def containing(cls, frequency: str, day: dt.date) -> Period:
        if frequency not in _MONTHS_PER:
            raise ApplicationError(_("Unknown review frequency “%(f)s”.") % {"f": frequency}, field="period")
        months = _MONTHS_PER[frequency]
        return cls(day.year, frequency, (day.month - 1) // months + 1)

    # --- properties ---------------------------------------------------------------------------------
    @property
    def code(self) -> str:
        if self.frequency == MONTHLY:
            return f"{self.year}-{self.index:02d}"
        if self.frequency == QUARTERLY:
            return f"{self.year}-Q{self.index}"
        if self.frequency == HALF_YEAR:
            return f"{self.year}-H{self.index}"
        return f"{self.year}"

    def __str__(self) -> str:
        return self.code

    @property
    def start(self) -> dt.date:
        months = _MONTHS_PER[self.frequency]
        return dt.date(self.year, (self.index - 1) * months + 1, 1)

    @property
    def end(self) -> dt.date:
        nxt = self.next()
        return nxt.start - dt.timedelta(days=1)

    def next(self) -> Period:
        count = 12 // _MONTHS_PER[self.frequency]
        if self.index < count:
            return Period(self.year, self.frequency, self.index + 1)
        return Period(self.year + 1, self.frequency, 1)

    def previous(self) -> Period:
        if self.index > 1:
            return Period(self.year, self.frequency, self.index - 1)
        return Period(self.year - 1, self.frequency, 12 // _MONTHS_PER[self.frequency])

    @property
    def months(self) -> list[str]:
        """The monthly period codes inside this period ("2026-10", "2026-11", "2026-12" for 2026-Q4)."""
        first = self.start.month
        return [f"{self.year}-{m:02d}" for m in range(first, first + _MONTHS_PER[self.frequency])]

    @property
    def label(self) -> str:
        """The period in the active language: 2026年11月 / November 2026, 2026年第4季度 / Q4 2026..."""
        if self.frequency == MONTHLY:
            return date_format(self.start, "YEAR_MONTH_FORMAT")
        if self.frequency == QUARTERLY:
            return _("Q%(q)s %(year)s") % {"q": self.index, "year": self.year}
        if self.frequency == HALF_YEAR:
            if self.index == 1:
                return _("first half of %(year)s") % {"year": self.year}
            return _("second half of %(year)s") % {"year": self.year}
        return _("year %(year)s") % {"year": self.year}


def validate_period_code(value: str) -> None:
    """Model-field validator."""
    from django.core.exceptions import ValidationError

    try:
        Period.parse(value)
    except ApplicationError as exc:
        raise ValidationError(exc.message)


def period_label(code: str) -> str:
    try:
        return Period.parse(code).label
    except ApplicationError:
        return code


def current_period(frequency: str, today: dt.date | None = None) -> Period:
    from django.utils import timezone

    return Period.containing(frequency, today or timezone.localdate())

