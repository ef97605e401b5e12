"""Working days: Monday to Friday, less the holidays HR lists (``Holiday``). There is no company
calendar with swapped working weekends (调休); HR adds the holidays that fall on weekdays."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def holidays_between(start: dt.date, end: dt.date) -> frozenset[dt.date]:
    from .models import Holiday

    return frozenset(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True))


def add_working_days(start: dt.date, days: int, holidays: Iterable[dt.date] | None = None) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    if holidays is None:
        holidays = holidays_between(start, start + dt.timedelta(days=days * 2 + 30))
    off = frozenset(holidays)
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, holidays: Iterable[dt.date] | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0
    off = frozenset(holidays if holidays is not None else holidays_between(start, end))
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            n += 1
    return n
