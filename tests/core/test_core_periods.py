"""One period type for the product: review periods (contracts, coaching, appraisals) and goal periods
(plans) are the same value, with the labels each page has always shown."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from apps.core import periods
from apps.core.exceptions import ApplicationError
from apps.core.periods import ANNUAL, HALF_YEAR, MONTHLY, QUARTERLY, Period, PeriodKind


@pytest.mark.parametrize("code,year,frequency,index,kind,short", [
    ("2026-11", 2026, MONTHLY, 11, "month", "M11"),
    ("2026-Q4", 2026, QUARTERLY, 4, "quarter", "Q4"),
    ("2026-H2", 2026, HALF_YEAR, 2, "half", "H2"),
    ("2026", 2026, ANNUAL, 1, "year", "Y"),
])
def test_a_review_code_and_a_goal_period_are_one_value(code, year, frequency, index, kind, short):
    p = Period.parse(code)
    assert (p.year, p.frequency, p.index) == (year, frequency, index)
    assert p == Period.of_kind(year, kind, index) == Period.from_short_code(year, short)
    assert (p.code, str(p), p.kind, p.short_code) == (code, code, kind, short)


def test_parse_accepts_lower_case_and_spaces_and_refuses_the_rest_with_a_field_error():
    assert Period.parse(" 2026-q4 ") == Period(2026, QUARTERLY, 4)
    for bad in ("2026-13", "2026-Q5", "2026-H3", "26", "", None, "2026-1", "Q4"):
        with pytest.raises(ApplicationError) as exc:
            Period.parse(bad)
        assert exc.value.field == "period"


def test_short_codes_of_a_year():
    assert Period.from_short_code(2026, "q2") == Period(2026, QUARTERLY, 2)
    assert Period.from_short_code(2026, "Y") == Period.from_short_code(2026, "Y1") == Period(2026, ANNUAL)
    assert Period.from_short_code(2026, "H") == Period(2026, HALF_YEAR, 1)
    assert Period.from_short_code(2026, "M12") == Period.of_month(2026, 12)
    for bad in ("Q5", "M13", "H3", "Y2", "X1", "", None):
        assert Period.from_short_code(2026, bad) is None
    assert periods.parse_code("Q2") == ("quarter", 2) and periods.parse_code("Q9") is None


def test_a_period_that_does_not_exist_cannot_be_made():
    for args in ((2026, QUARTERLY, 5), (2026, MONTHLY, 0), (2026, ANNUAL, 2), (2026, "weekly", 1)):
        with pytest.raises(ValueError):
            Period(*args)
    with pytest.raises(ValueError):
        Period.of_kind(2026, "decade", 1)
    assert periods.valid("half", 2) and not periods.valid("half", 3) and not periods.valid("week", 1)


@pytest.mark.parametrize("code,start,end", [
    ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
    ("2028-02", dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
    ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    ("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
])
def test_first_and_last_day(code, start, end):
    p = Period.parse(code)
    assert (p.start, p.end) == p.bounds == (start, end)
    assert p.contains(start) and p.contains(end)
    assert not p.contains(start - dt.timedelta(days=1)) and not p.contains(end + dt.timedelta(days=1))


def test_next_previous_and_shift_cross_the_year():
    assert Period.parse("2026-12").next() == Period.parse("2027-01")
    assert Period.parse("2026-01").previous() == Period.parse("2025-12")
    assert Period.parse("2026-Q1").previous() == Period.parse("2025-Q4")
    assert Period.parse("2026-H2").next() == Period.parse("2027-H1")
    assert Period.parse("2026").shift(-3) == Period.parse("2023")
    assert Period.parse("2026-11").shift(14) == Period.parse("2028-01")
    assert periods.shift_month(2026, 1, -1) == (2025, 12) and periods.shift_month(2026, 11, 2) == (2027, 1)


def test_containing_a_day_and_the_months_inside():
    day = dt.date(2026, 11, 15)
    assert Period.containing(MONTHLY, day).code == "2026-11"
    assert Period.containing(QUARTERLY, day).code == "2026-Q4"
    assert Period.containing(HALF_YEAR, day).code == "2026-H2"
    assert Period.containing(ANNUAL, day).code == "2026"
    assert Period.parse("2026-Q4").months == ["2026-10", "2026-11", "2026-12"]
    assert Period.parse("2026-Q4").month_range == (10, 12) == periods.months("quarter", 4)
    with pytest.raises(ApplicationError):
        Period.containing("weekly", day)


def test_contains_and_overlaps_between_periods():
    year, h2, q4, nov = (Period.parse(c) for c in ("2026", "2026-H2", "2026-Q4", "2026-11"))
    assert year.contains(h2) and h2.contains(q4) and q4.contains(nov) and nov.contains(nov)
    assert not q4.contains(h2) and not Period.parse("2027").contains(nov)
    assert q4.overlaps(h2) and h2.overlaps(q4) and not Period.parse("2026-Q1").overlaps(h2)
    assert periods.contains("half", 2, "month", 11) and not periods.contains("quarter", 1, "month", 4)
    assert periods.overlaps("half", 1, "quarter", 2) and not periods.overlaps("half", 1, "quarter", 3)


def test_every_period_of_a_year():
    every = Period.every_in_year(2026)
    assert len(every) == 1 + 2 + 4 + 12 and len(set(every)) == 19
    assert {p.kind for p in every} == set(PeriodKind.values)
    assert periods.PERIODS_IN_YEAR == {"year": 1, "half": 2, "quarter": 4, "month": 12}


def test_elapsed_share():
    q2 = Period.of_kind(2026, "quarter", 2)
    assert q2.elapsed_share(dt.date(2026, 3, 31)) == 0.0
    assert q2.elapsed_share(dt.date(2026, 4, 1)) == pytest.approx(1 / 91)
    assert q2.elapsed_share(dt.date(2026, 6, 30)) == 1.0
    assert periods.elapsed_share(2026, "quarter", 2, dt.date(2026, 5, 16)) == pytest.approx(46 / 91)


def test_labels_keep_each_pages_wording_in_english_and_say_the_same_in_chinese():
    with translation.override("en"):
        assert Period.parse("2026-11").label == Period.parse("2026-11").year_first_label == "November 2026"
        assert Period.parse("2026-Q4").label == "Q4 2026"  # in a sentence: contracts, coaching, appraisals
        assert Period.parse("2026-Q4").year_first_label == "2026 Q4"  # heading a goal row
        assert Period.parse("2026-H1").label == "first half of 2026"
        assert Period.parse("2026-H2").year_first_label == "2026 second half"
        assert Period.parse("2026").label == "year 2026"
        assert Period.parse("2026").year_first_label == "2026 (year)"
        assert periods.month_label(2026, 5) == "May 2026" and periods.label(2026, "quarter", 3) == "2026 Q3"
    with translation.override("zh-hans"):
        for code, zh in (("2026-11", "2026年11月"), ("2026-Q4", "2026年第4季度"), ("2026-H1", "2026年上半年"),
                         ("2026-H2", "2026年下半年"), ("2026", "2026年度")):
            assert Period.parse(code).label == Period.parse(code).year_first_label == zh


def test_stored_codes_validate_and_label_as_before():
    periods.validate_period_code("2026-Q4")
    with pytest.raises(ValidationError):
        periods.validate_period_code("2026-Q5")
    with translation.override("en"):
        assert periods.period_label("2026-H2") == "second half of 2026"
    assert periods.period_label("not a code") == "not a code"


def test_the_old_modules_are_the_same_functions():
    from apps.contracts import periods as contract_periods
    from apps.plans import periods as plan_periods

    assert contract_periods.Period is Period and plan_periods.PeriodKind is PeriodKind
    assert contract_periods.validate_period_code is periods.validate_period_code
    assert plan_periods.month_key(2026, 5) == "2026-05" == Period.of_month(2026, 5).code


def test_parse_month_reads_the_query_value_or_falls_back_to_today_in_the_configured_zone(monkeypatch):
    assert periods.parse_month("2026-5") == (2026, 5) == periods.parse_month("2026-05")
    assert periods.parse_month("2026-13", dt.date(2024, 2, 3)) == (2024, 2)
    assert periods.parse_month("1999-01", dt.date(2024, 2, 3)) == (2024, 2)
    # 23:30 UTC on 31 March is 07:30 on 1 April in Shanghai (the configured zone)
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC))
    assert periods.parse_month("") == (2026, 4)
    assert periods.current_period(QUARTERLY).code == "2026-Q2"
