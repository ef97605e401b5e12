"""The scoring engine (apps.contracts.scoring): rule kinds, rounding, explanations, curve."""

from __future__ import annotations

import datetime
import gettext as stdlib_gettext
import json
import re
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from django.utils.translation import override
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from apps.contracts.scoring import (
    DEFAULT_RULE,
    Evaluation,
    ScoringError,
    curve,
    curve_svg,
    evaluate,
    validate_rule,
    weighted_total,
)
from apps.core.exceptions import ApplicationError

D = Decimal
LOCALE_DIR = Path(__file__).resolve().parents[2] / "apps" / "contracts" / "locale"
SVG_NS = "{http://www.w3.org/2000/svg}"
BANDS = {
    "kind": "bands",
    "direction": "higher",
    "bands": [{"min": 100, "score": 100}, {"min": 90, "score": 80}, {"min": 50, "score": 10}],
}


@pytest.fixture(autouse=True, scope="module")
def english():
    """Messages are asserted in English unless a test switches language (the site default is zh-hans)."""
    with override("en"):
        yield


@pytest.fixture
def zh_catalog(settings):
    """The contracts catalog is found through the installed app; until ``apps.contracts`` is in
    INSTALLED_APPS, point LOCALE_PATHS at it (the setting change resets Django's catalog cache)."""
    from django.apps import apps

    if not apps.is_installed("apps.contracts"):
        settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, LOCALE_DIR]


def error_of(rule, **inputs) -> ScoringError:
    with pytest.raises(ScoringError) as info:
        evaluate(rule, **inputs)
    return info.value


# --------------------------------------------------------------------------------------------
# linear


@pytest.mark.parametrize(
    ("actual", "attainment", "score"),
    [
        (1140, "95.00", "75.00"),
        (1260, "105.00", "125.00"),
        (2000, "166.67", "150.00"),  # capped
        (0, "0.00", "0.00"),  # floored
        (1200, "100.00", "100.00"),  # exactly at the standard
    ],
)
def test_linear_deck_examples(actual, attainment, score):
    result = evaluate(DEFAULT_RULE, target=1200, actual=actual)
    assert isinstance(result, Evaluation)
    assert result.attainment == D(attainment)
    assert result.score == D(score)
    assert result.score.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("actual", "score"),
    [(0, "0.00"), (50, "0.00"), (80, "0.00"), (100, "100.00"), (110, "150.00"), (200, "150.00")],
)
def test_default_rule_at_key_attainments(actual, score):
    assert evaluate(DEFAULT_RULE, target=100, actual=actual).score == D(score)


def test_linear_uses_fractions_of_a_point():
    # 98.7% -> 1.3 points below x 5 = -6.5
    assert evaluate(DEFAULT_RULE, target=1000, actual=987).score == D("93.50")
    # 101.3% -> +6.5
    assert evaluate(DEFAULT_RULE, target=1000, actual=1013).score == D("106.50")


def test_linear_computes_from_unrounded_attainment():
    # 2/3 = 66.666...%: 100 - 33.333...x3 = 0.000...1 -> 0.00; the rounded 66.67% would give 0.01
    rule = {"kind": "linear", "down": 3}
    result = evaluate(rule, target=3, actual=2)
    assert result.attainment == D("66.67")
    assert result.score == D("0.00")


def test_linear_up_and_down_rates_differ():
    rule = {"kind": "linear", "down": 2, "up": 1, "cap": 200}
    assert evaluate(rule, target=100, actual=90).score == D("80.00")
    assert evaluate(rule, target=100, actual=120).score == D("120.00")


def test_linear_custom_base_floor_cap():
    rule = {"kind": "linear", "base": 80, "down": 4, "up": 2, "floor": 40, "cap": 90}
    assert evaluate(rule, target=100, actual=100).score == D("80.00")
    assert evaluate(rule, target=100, actual=95).score == D("60.00")
    assert evaluate(rule, target=100, actual=50).score == D("40.00")
    assert evaluate(rule, target=100, actual=200).score == D("90.00")


def test_linear_without_bounds():
    rule = {"kind": "linear", "floor": None, "cap": None}
    assert evaluate(rule, target=100, actual=200).score == D("600.00")
    assert evaluate(rule, target=100, actual=0).score == D("-400.00")


def test_linear_negative_actual_higher_is_floored():
    result = evaluate(DEFAULT_RULE, target=100, actual=-20)
    assert result.attainment == D("-20.00")
    assert result.score == D("0.00")


def test_linear_lower_is_better():
    rule = dict(DEFAULT_RULE, direction="lower")
    # cost 100 against a target of 95 -> 95%
    result = evaluate(rule, target=95, actual=100)
    assert result.attainment == D("95.00")
    assert result.score == D("75.00")
    # cost 80 against 90 -> 112.5% -> +62.5 -> capped
    assert evaluate(rule, target=90, actual=80).score == D("150.00")
    assert evaluate(dict(rule, up=2), target=90, actual=80).score == D("125.00")


@pytest.mark.parametrize("actual", [0, -5, "0"])
def test_linear_lower_is_better_refuses_non_positive_actual(actual):
    error = error_of(dict(DEFAULT_RULE, direction="lower"), target=10, actual=actual)
    assert error.field == "actual"
    assert "greater than 0" in error.message


@pytest.mark.parametrize("value", [D("1140"), 1140, 1140.0, "1140", " 1140 ", D("1.14E+3")])
def test_linear_accepts_every_number_form(value):
    result = evaluate(DEFAULT_RULE, target="1200", actual=value)
    assert result.score == D("75.00")
    assert result.explanation.startswith("actual 1140 / target 1200 = 95.00%")


def test_float_inputs_are_read_through_str():
    # Decimal(0.1) would be 0.1000000000000000055...; Decimal(str(0.1)) is exactly 0.1
    rule = {"kind": "linear", "up": 100, "cap": None}
    assert evaluate(rule, target=1, actual=1.001).score == D("110.00")


def test_ratio_target_zero_is_an_error():
    error = error_of(DEFAULT_RULE, target=0, actual=10)
    assert error.field == "target"
    assert error.message == "The target cannot be 0."
    assert isinstance(error, ApplicationError)


@pytest.mark.parametrize("target", [None, ""])
def test_ratio_target_missing_is_an_error(target):
    inputs = {"actual": 10} if target is None else {"target": target, "actual": 10}
    error = error_of(DEFAULT_RULE, **inputs)
    assert error.field == "target"
    assert error.message == "The target is missing."


def test_ratio_negative_target_is_an_error():
    assert "greater than 0" in error_of(DEFAULT_RULE, target=-100, actual=10).message


@pytest.mark.parametrize("actual", [None, "", "  "])
def test_ratio_actual_missing_is_an_error(actual):
    error = error_of(BANDS, target=100, actual=actual)
    assert error.field == "actual"
    assert error.message == "The actual value is missing."


@pytest.mark.parametrize("bad", ["abc", "1,200", [1], True, float("nan"), "Infinity", object()])
def test_non_numeric_input_is_an_error(bad):
    error = error_of(DEFAULT_RULE, target=1200, actual=bad)
    assert error.field == "actual"
    assert "must be a" in error.message and "number" in error.message


# --------------------------------------------------------------------------------------------
# rounding


def test_score_rounds_half_up_not_bankers():
    # 100.125% x 1 point -> 100.125: half-up 100.13, banker's rounding would give 100.12
    assert D("100.125").quantize(D("0.01"), rounding=ROUND_HALF_EVEN) == D("100.12")
    rule = {"kind": "linear", "up": 1, "cap": 200}
    assert evaluate(rule, target=800, actual=801).score == D("100.13")


def test_attainment_rounds_half_up():
    # 1 / 32 = 3.125%
    result = evaluate(DEFAULT_RULE, target=32, actual=1)
    assert result.attainment == D("3.13")


def test_direct_value_rounds_half_up():
    assert evaluate({"kind": "direct"}, value="87.125").score == D("87.13")
    assert evaluate({"kind": "direct"}, value="87.124").score == D("87.12")


def test_no_negative_zero():
    result = evaluate({"kind": "linear", "floor": None}, target=100, actual=80)
    assert str(result.score) == "0.00"
    assert "-0.00" not in result.explanation


# --------------------------------------------------------------------------------------------
# bands


@pytest.mark.parametrize(
    ("actual", "score"),
    [
        (150, "100.00"),
        (100, "100.00"),  # exactly at the top band
        ("99.99", "80.00"),
        (90, "80.00"),  # exactly at a band min: inclusive
        ("89.99", "10.00"),
        (50, "10.00"),
        ("49.99", "0.00"),  # below every band
        (0, "0.00"),
    ],
)
def test_bands(actual, score):
    assert evaluate(BANDS, target=100, actual=actual).score == D(score)


def test_bands_below_every_band_says_so():
    result = evaluate(BANDS, target=200, actual=40)
    assert result.score == D("0.00")
    assert result.attainment == D("20.00")
    assert result.explanation == "actual 40 / target 200 = 20.00%, below the lowest band (50%), score 0.00"


def test_bands_order_does_not_matter():
    shuffled = {
        "kind": "bands",
        "bands": [{"min": 50, "score": 10}, {"min": 100, "score": 100}, {"min": 90, "score": 80}],
    }
    assert validate_rule(shuffled)["bands"] == BANDS["bands"]
    assert evaluate(shuffled, target=100, actual=95).score == D("80.00")


def test_bands_lower_is_better():
    rule = dict(BANDS, direction="lower")
    # turnover 10% against a target of 9% -> 90% attainment
    assert evaluate(rule, target=9, actual=10).score == D("80.00")
    assert evaluate(rule, target=9, actual=9).score == D("100.00")


def test_bands_compare_the_attainment_the_employee_sees():
    # 134.9999 / 150 = 89.99993% is shown as 90.00%, so it reaches the 90 band
    result = evaluate(BANDS, target=150, actual="134.9999")
    assert result.attainment == D("90.00")
    assert result.score == D("80.00")
    # 134.99 / 150 = 89.9933% is shown as 89.99% and stays below it
    assert evaluate(BANDS, target=150, actual="134.99").score == D("10.00")


@pytest.mark.parametrize(
    ("bands", "fragment"),
    [
        ([], "at least one band"),
        ("100:100", "at least one band"),
        ([{"min": 90}], "missing “score”"),
        ([{"score": 90}], "missing “min”"),
        ([{"min": "ninety", "score": 80}], "must be a number"),
        ([{"min": 90, "score": 80, "label": "A"}], "unknown field “label”"),
        ([{"min": 90, "score": 80}, {"min": 90, "score": 70}], "same minimum 90%"),
        ([[90, 80]], "must be an object"),
    ],
)
def test_bands_invalid(bands, fragment):
    with pytest.raises(ScoringError) as info:
        validate_rule({"kind": "bands", "bands": bands})
    assert fragment in info.value.message


def test_bands_rule_needs_bands():
    with pytest.raises(ScoringError, match="needs the field “bands”"):
        validate_rule({"kind": "bands"})


# --------------------------------------------------------------------------------------------
# deadline

DUE = datetime.date(2024, 5, 31)


@pytest.mark.parametrize(
    ("done", "score"),
    [
        (datetime.date(2024, 5, 20), "100.00"),  # early
        (DUE, "100.00"),  # exactly on the due date
        (datetime.date(2024, 6, 1), "90.00"),  # one calendar day late, across a month end
        (datetime.date(2024, 6, 3), "70.00"),
        (datetime.date(2024, 6, 10), "0.00"),  # 10 days x 10 = 100 -> exactly the floor
        (datetime.date(2024, 7, 31), "0.00"),  # floored
    ],
)
def test_deadline(done, score):
    assert evaluate({"kind": "deadline"}, due=DUE, done=done).score == D(score)


def test_deadline_custom_rule_and_floor():
    rule = {"kind": "deadline", "base": 90, "per_day": "2.5", "floor": 60}
    assert evaluate(rule, due=DUE, done=datetime.date(2024, 6, 4)).score == D("80.00")
    assert evaluate(rule, due=DUE, done=datetime.date(2024, 8, 1)).score == D("60.00")


def test_deadline_accepts_iso_strings_and_datetimes():
    assert evaluate({"kind": "deadline"}, due="2024-05-31", done="2024-06-02").score == D("80.00")
    done = datetime.datetime(2024, 6, 2, 23, 59)
    assert evaluate({"kind": "deadline"}, due=DUE, done=done).score == D("80.00")


def test_deadline_has_no_attainment():
    assert evaluate({"kind": "deadline"}, due=DUE, done=DUE).attainment is None


@pytest.mark.parametrize(
    ("inputs", "field"),
    [({"done": DUE}, "due"), ({"due": DUE}, "done"), ({"due": DUE, "done": None}, "done"), ({}, "due")],
)
def test_deadline_missing_dates(inputs, field):
    error = error_of({"kind": "deadline"}, **inputs)
    assert error.field == field
    assert "missing" in error.message


@pytest.mark.parametrize("bad", ["31/05/2024", 20240531, "yesterday"])
def test_deadline_non_date(bad):
    error = error_of({"kind": "deadline"}, due=DUE, done=bad)
    assert error.field == "done"
    assert "must be a date" in error.message


# --------------------------------------------------------------------------------------------
# milestones


@pytest.mark.parametrize(
    ("done", "total", "score", "attainment"),
    [(3, 4, "75.00", "75.00"), (0, 5, "0.00", "0.00"), (5, 5, "100.00", "100.00"), (1, 3, "33.33", "33.33")],
)
def test_milestones(done, total, score, attainment):
    result = evaluate({"kind": "milestones"}, milestones_done=done, milestones_total=total)
    assert result.score == D(score)
    assert result.attainment == D(attainment)


def test_milestones_custom_base_and_half_up():
    assert evaluate({"kind": "milestones", "base": 120}, milestones_done=2, milestones_total=3).score == D(
        "80.00"
    )
    # 100 x 1 / 32 = 3.125 -> 3.13 (banker's: 3.12)
    assert evaluate({"kind": "milestones"}, milestones_done=1, milestones_total=32).score == D("3.13")
    assert evaluate({"kind": "milestones"}, milestones_done="2", milestones_total=4.0).score == D("50.00")


@pytest.mark.parametrize(
    ("done", "total", "field", "fragment"),
    [
        (0, 0, "milestones_total", "greater than 0"),
        (1, -2, "milestones_total", "greater than 0"),
        (5, 4, "milestones_done", "cannot exceed the total (4)"),
        (-1, 4, "milestones_done", "cannot be negative"),
        ("2.5", 4, "milestones_done", "whole number"),
        (None, 4, "milestones_done", "missing"),
        (1, None, "milestones_total", "missing"),
    ],
)
def test_milestones_invalid(done, total, field, fragment):
    error = error_of({"kind": "milestones"}, milestones_done=done, milestones_total=total)
    assert error.field == field
    assert fragment in error.message


# --------------------------------------------------------------------------------------------
# direct


@pytest.mark.parametrize(("value", "score"), [(85, "85.00"), (0, "0.00"), (100, "100.00"), ("72.5", "72.50")])
def test_direct(value, score):
    result = evaluate({"kind": "direct"}, value=value)
    assert result.score == D(score)
    assert result.attainment is None


@pytest.mark.parametrize("value", ["100.01", -1, 101])
def test_direct_outside_range(value):
    error = error_of({"kind": "direct"}, value=value)
    assert error.field == "value"
    assert "outside the range 0–100" in error.message


def test_direct_custom_range():
    rule = {"kind": "direct", "min": 1, "max": 5}
    assert evaluate(rule, value=5).score == D("5.00")
    assert evaluate(rule, value=1).score == D("1.00")
    assert "1–5" in error_of(rule, value=0).message


def test_direct_missing_or_non_numeric():
    assert error_of({"kind": "direct"}).message == "The appraiser's score is missing."
    assert "must be a number" in error_of({"kind": "direct"}, value="good").message


# --------------------------------------------------------------------------------------------
# validate_rule / evaluate plumbing


def test_validate_fills_defaults():
    assert validate_rule({"kind": "linear"}) == DEFAULT_RULE
    assert validate_rule({"kind": "deadline"}) == {"kind": "deadline", "base": 100, "per_day": 10, "floor": 0}
    assert validate_rule({"kind": "milestones"}) == {"kind": "milestones", "base": 100}
    assert validate_rule({"kind": "direct"}) == {"kind": "direct", "min": 0, "max": 100}
    assert validate_rule({"kind": "bands", "bands": [{"min": 0, "score": 1}]})["direction"] == "higher"


def test_validate_normalises_numbers_to_json():
    rule = validate_rule({"kind": "linear", "cap": "120.5", "down": D("2.50"), "up": 3.0, "base": "100"})
    assert rule["cap"] == 120.5
    assert rule["down"] == 2.5
    assert rule["up"] == 3 and isinstance(rule["up"], int)
    assert rule["base"] == 100 and isinstance(rule["base"], int)
    assert json.loads(json.dumps(rule)) == rule


def test_validate_does_not_mutate_its_input():
    rule = {"kind": "bands", "bands": [{"min": 0, "score": 1}, {"min": 50, "score": 2}]}
    snapshot = json.dumps(rule)
    validate_rule(rule)
    evaluate(rule, target=1, actual=1)
    assert json.dumps(rule) == snapshot


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ({"kind": "exponential"}, "Unknown scoring rule kind “exponential”"),
        ({}, "has no kind"),
        ({"kind": None}, "has no kind"),
        ({"kind": "linear", "caps": 150}, "Unknown field “caps”"),
        ({"kind": "direct", "per_day": 1}, "Unknown field “per_day”"),
        ({"kind": "linear", "cap": "lots"}, "must be a number"),
        ({"kind": "linear", "up": True}, "must be a number"),
        ({"kind": "linear", "direction": "up"}, "“higher” or “lower”"),
        ({"kind": "linear", "floor": 160, "cap": 150}, "floor (160) cannot be above the cap (150)"),
        ({"kind": "linear", "down": -5}, "cannot be negative"),
        ({"kind": "deadline", "per_day": -1}, "cannot be negative"),
        ({"kind": "deadline", "base": 50, "floor": 60}, "cannot be above the base score"),
        ({"kind": "direct", "min": 10, "max": 5}, "minimum (10) cannot be above the maximum (5)"),
    ],
)
def test_validate_rule_refuses(rule, fragment):
    with pytest.raises(ScoringError) as info:
        validate_rule(rule)
    assert fragment in info.value.message
    assert info.value.field == "rule"


def test_validate_rule_refuses_non_dict():
    with pytest.raises(ScoringError, match="must be an object"):
        validate_rule([("kind", "linear")])


def test_evaluate_validates_the_rule():
    assert "Unknown field “bonus”" in error_of({"kind": "linear", "bonus": 1}, target=1, actual=1).message


def test_evaluate_refuses_unknown_inputs_and_ignores_other_kinds_inputs():
    assert error_of(DEFAULT_RULE, target=1, acutal=1).field == "acutal"
    # a caller may pass every input of a line; the direct rule uses only ``value``
    assert evaluate({"kind": "direct"}, value=70, target=100, actual=0).score == D("70.00")


def test_evaluation_is_frozen():
    result = evaluate(DEFAULT_RULE, target=1, actual=1)
    with pytest.raises(AttributeError):
        result.score = D(0)


# --------------------------------------------------------------------------------------------
# weighted_total


def test_weighted_total():
    assert weighted_total([(75, 20), (125, 30), (100, 50)]) == D("102.50")
    assert weighted_total([("80", "33.33"), (90, "33.33"), (100, "33.34")]) == D("90.00")


def test_weighted_total_rounds_line_scores_then_total_half_up():
    # 100.125 is shown as 100.13 on the line; 100.13 x 50% = 50.065 -> 50.07 (unrounded line: 50.06)
    assert weighted_total([(D("100.125"), 50), (0, 50)]) == D("50.07")


def test_weighted_total_accepts_evaluations():
    lines = [
        (evaluate(DEFAULT_RULE, target=1200, actual=1140), 60),
        (evaluate({"kind": "direct"}, value=90), 40),
    ]
    assert weighted_total(lines) == D("81.00")


@pytest.mark.parametrize(
    ("items", "total"),
    [([(80, 60), (90, 30)], "90"), ([(80, 60), (90, 50)], "110"), ([], "0"), ([(1, "99.99")], "99.99")],
)
def test_weighted_total_weights_must_total_100(items, total):
    with pytest.raises(ScoringError) as info:
        weighted_total(items)
    assert f"The weights total {total}%" in info.value.message
    assert info.value.extra == {"total": total}


def test_weighted_total_refuses_negative_weights_and_bad_items():
    with pytest.raises(ScoringError, match="cannot be negative"):
        weighted_total([(80, 110), (90, -10)])
    with pytest.raises(ScoringError, match="pair"):
        weighted_total([(80, 50, 1)])
    with pytest.raises(ScoringError, match="must be a number"):
        weighted_total([("n/a", 100)])


# --------------------------------------------------------------------------------------------
# explanations


def test_explanation_english():
    with override("en"):
        assert evaluate(DEFAULT_RULE, target=1200, actual=1140).explanation == (
            "actual 1140 / target 1200 = 95.00%, 5.00 points below standard × 5 = -25.00, score 75.00"
        )
        assert evaluate(DEFAULT_RULE, target=1200, actual=1260).explanation == (
            "actual 1260 / target 1200 = 105.00%, 5.00 points above standard × 5 = +25.00, score 125.00"
        )
        assert evaluate(DEFAULT_RULE, target=1200, actual=1200).explanation == (
            "actual 1200 / target 1200 = 100.00%, at standard, score 100.00"
        )
        capped = evaluate(DEFAULT_RULE, target=1200, actual=2000).explanation
        assert "capped at 150.00, score 150.00" in capped
        assert "floored at 0.00, score 0.00" in evaluate(DEFAULT_RULE, target=1200, actual=0).explanation


def test_explanation_chinese(zh_catalog):
    with override("zh-hans"):
        assert evaluate(DEFAULT_RULE, target=1200, actual=1140).explanation == (
            "实际 1140 / 目标 1200 = 95.00%，低于标准 5.00 个百分点 × 5 = -25.00，得分 75.00"
        )
        assert evaluate(DEFAULT_RULE, target=1200, actual=2000).explanation == (
            "实际 2000 / 目标 1200 = 166.67%，高于标准 66.67 个百分点 × 5 = +333.33，封顶 150.00，得分 150.00"
        )
        assert "保底 0.00" in evaluate(DEFAULT_RULE, target=1200, actual=0).explanation
        lower = evaluate(dict(DEFAULT_RULE, direction="lower"), target=95, actual=100).explanation
        assert lower.startswith("目标 95 / 实际 100 = 95.00%")
        assert (
            evaluate(BANDS, target=100, actual=90).explanation
            == "实际 90 / 目标 100 = 90.00%，达到 ≥ 90% 档，得分 80.00"
        )
        assert "低于最低档（50%）" in evaluate(BANDS, target=100, actual=10).explanation
        late = evaluate({"kind": "deadline"}, due=DUE, done=datetime.date(2024, 6, 3)).explanation
        assert late == "截止 2024-05-31，完成 2024-06-03，逾期 3 天 × 10 = -30.00，得分 70.00"
        on_time = evaluate({"kind": "deadline"}, due=DUE, done=DUE).explanation
        assert on_time == "截止 2024-05-31，完成 2024-05-31，按时完成，得分 100.00"
        milestones = evaluate({"kind": "milestones"}, milestones_done=3, milestones_total=4).explanation
        assert milestones == "里程碑完成 3 / 4 = 75.00%，基准分 100 × 75.00%，得分 75.00"
        assert evaluate({"kind": "direct"}, value=88).explanation == "评分人打分 88（范围 0–100），得分 88.00"


def test_explanation_other_kinds_english():
    with override("en"):
        one_day = evaluate({"kind": "deadline"}, due=DUE, done=datetime.date(2024, 6, 1)).explanation
        assert one_day == "due 2024-05-31, done 2024-06-01, 1 day late × 10 = -10.00, score 90.00"
        many = evaluate({"kind": "deadline"}, due=DUE, done=datetime.date(2024, 6, 30)).explanation
        assert (
            many
            == "due 2024-05-31, done 2024-06-30, 30 days late × 10 = -300.00, floored at 0.00, score 0.00"
        )
        assert evaluate(BANDS, target=100, actual=95).explanation == (
            "actual 95 / target 100 = 95.00%, reaches the band ≥ 90%, score 80.00"
        )
        rule = {"kind": "linear", "base": 90}
        assert evaluate(rule, target=100, actual=98).explanation == (
            "actual 98 / target 100 = 98.00%, 2.00 points below standard × 5 = -10.00, "
            "base score 90 -10.00 = 80.00, score 80.00"
        )


def test_explanation_numbers_have_no_exponent_noise():
    with override("en"):
        text = evaluate(DEFAULT_RULE, target=D("1.2E+3"), actual=D("1140.000")).explanation
    assert text.startswith("actual 1140 / target 1200 = 95.00%")
    assert "E+" not in text


def test_errors_are_translated(zh_catalog):
    with override("zh-hans"):
        assert error_of(DEFAULT_RULE, target=0, actual=1).message == "目标值不能为 0。"
        assert error_of(DEFAULT_RULE, actual=1).message == "缺少目标值。"
        assert error_of(DEFAULT_RULE, target=1).message == "缺少实际值。"
        assert error_of({"kind": "direct"}, value=101).message == "分值 101 超出范围 0–100。"
        assert error_of({"kind": "bogus"}).message.startswith("未知的计分规则类型“bogus”")
        assert error_of({"kind": "linear", "caps": 1}).message == "“linear”计分规则中有未知字段“caps”。"
        assert (
            error_of({"kind": "milestones"}, milestones_done=1, milestones_total=0).message
            == "里程碑总数必须大于 0。"
        )
        assert error_of(DEFAULT_RULE, target=1, actual="abc").message == "“实际值”必须是数字，当前为“abc”。"
        with pytest.raises(ScoringError) as info:
            weighted_total([(80, 60), (90, 30)])
        assert info.value.message == "权重合计为 90%，必须正好为 100%。"
    with override("en"):
        assert error_of(DEFAULT_RULE, target=0, actual=1).message == "The target cannot be 0."


def test_compiled_catalog_matches_po():
    po = (LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    assert "Plural-Forms: nplurals=1; plural=0;" in po
    assert "Content-Type: text/plain; charset=UTF-8" in po
    # every msgstr is filled (only the header has an empty msgid)
    assert re.findall(r'^msgstr(?:\[\d\])? ""\n(?!")', po, flags=re.M) == []
    with open(LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.mo", "rb") as mo:
        catalog = stdlib_gettext.GNUTranslations(mo)._catalog  # noqa: SLF001 - the compiled keys (no public API)
    for msgid in re.findall(r'^msgid "(.+)"$', po, flags=re.M):
        assert any(
            key == msgid or (isinstance(key, str) and key.endswith("\x04" + msgid)) or key == (msgid, 0)
            for key in catalog
        ), f"{msgid!r} is missing from django.mo: run msgfmt"


# --------------------------------------------------------------------------------------------
# curve and SVG


def test_curve_of_the_default_rule():
    points = curve(DEFAULT_RULE)
    assert len(points) == 41
    assert points[0] == (D(0), D("0.00"))
    assert points[-1] == (D(200), D("150.00"))
    table = dict(points)
    assert table[D(80)] == D("0.00")
    assert table[D(95)] == D("75.00")
    assert table[D(100)] == D("100.00")
    assert table[D(110)] == D("150.00")
    assert [a for a, _ in points] == [D(a) for a in range(0, 201, 5)]


def test_curve_of_bands_and_custom_range():
    points = curve(BANDS, start=85, stop=100, step="2.5")
    assert points == [
        (D(85), D("10.00")),
        (D("87.5"), D("10.00")),
        (D("90.0"), D("80.00")),
        (D("92.5"), D("80.00")),
        (D("95.0"), D("80.00")),
        (D("97.5"), D("80.00")),
        (D("100.0"), D("100.00")),
    ]


@pytest.mark.parametrize("rule", [{"kind": "deadline"}, {"kind": "milestones"}, {"kind": "direct"}])
def test_curve_only_for_ratio_rules(rule):
    with pytest.raises(ScoringError, match="Only linear and bands"):
        curve(rule)
    with pytest.raises(ScoringError):
        curve_svg(rule)


def test_curve_refuses_bad_steps():
    with pytest.raises(ScoringError, match="step"):
        curve(DEFAULT_RULE, step=0)
    with pytest.raises(ScoringError, match="start"):
        curve(DEFAULT_RULE, start=150, stop=100)


def _polyline_points(root) -> list[tuple[float, float]]:
    polyline = root.find(f".//{SVG_NS}polyline")
    return [tuple(map(float, pair.split(","))) for pair in polyline.get("points").split()]


def test_curve_svg_of_the_default_rule():
    with override("en"):
        svg = curve_svg(DEFAULT_RULE)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert (root.get("width"), root.get("height")) == ("480", "240")
    points = _polyline_points(root)
    assert len(points) == 41
    assert all(0 <= x <= 480 and 0 <= y <= 240 for x, y in points)
    xs = [x for x, _ in points]
    assert xs == sorted(xs) and len(set(xs)) == 41
    ys = [y for _, y in points]
    # SVG y grows downwards: a non-decreasing score is a non-increasing y
    assert all(a >= b for a, b in zip(ys, ys[1:], strict=False))
    assert ys[0] > ys[20] > ys[-1]  # 0 points, 100 points, 150 points
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    for label in ("0%", "50%", "100%", "150%", "200%", "Attainment (%)", "Score", "150"):
        assert label in texts
    grid = root.find(f".//{SVG_NS}g[@class='grid']")
    vertical = [line for line in grid if line.get("x1") == line.get("x2")]
    assert len(vertical) == 5
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # self-contained


def test_curve_svg_bands_are_steps_and_labels_translate(zh_catalog):
    with override("zh-hans"):
        svg = curve_svg(BANDS, width=300, height=150)
    root = ET.fromstring(svg)
    assert root.get("viewBox") == "0 0 300 150"
    points = _polyline_points(root)
    # 41 samples plus one corner point per change of score (0->10, 10->80, 80->100)
    assert len(points) == 44
    corners = [(p, q) for p, q in zip(points, points[1:], strict=False) if p[0] == q[0]]
    assert len(corners) == 3
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert "达成率（%）" in texts and "得分" in texts


# --------------------------------------------------------------------------------------------
# properties

_params = st.fixed_dictionaries(
    {
        "base": st.integers(0, 200),
        "down": st.decimals(0, 20, places=2),
        "up": st.decimals(0, 20, places=2),
        "floor": st.integers(0, 100),
        "extra": st.integers(0, 200),
    }
)
_actuals = st.decimals(-500, 5000, places=3, allow_nan=False, allow_infinity=False)
_targets = st.decimals("0.001", 10000, places=3, allow_nan=False, allow_infinity=False)


def _linear(params) -> dict:
    return {
        "kind": "linear",
        "direction": "higher",
        "base": params["base"],
        "down": params["down"],
        "up": params["up"],
        "floor": params["floor"],
        "cap": params["floor"] + params["extra"],
    }


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=_params, target=_targets, a=_actuals, b=_actuals)
def test_linear_is_monotonic_and_within_floor_and_cap(params, target, a, b):
    rule = _linear(params)
    low, high = sorted([a, b])
    score_low = evaluate(rule, target=target, actual=low).score
    score_high = evaluate(rule, target=target, actual=high).score
    assert score_low <= score_high
    floor, cap = D(rule["floor"]), D(rule["cap"])
    for score in (score_low, score_high):
        assert floor <= score <= cap


@hsettings(max_examples=100, deadline=None)
@given(params=_params)
def test_linear_curve_is_non_decreasing(params):
    scores = [score for _, score in curve(_linear(params))]
    assert scores == sorted(scores)


@hsettings(max_examples=200, deadline=None)
@given(
    scores=st.lists(st.decimals(0, 150, places=2), min_size=1, max_size=8),
    cuts=st.lists(st.integers(0, 100), min_size=0, max_size=7),
)
def test_weighted_total_lies_between_the_line_scores(scores, cuts):
    bounds = sorted(cuts[: len(scores) - 1])
    weights = [hi - lo for lo, hi in zip([0, *bounds], [*bounds, 100], strict=True)]
    items = list(zip(scores[: len(weights)], weights, strict=True))
    total = weighted_total(items)
    used = [s for s, w in items if w > 0]
    assert min(used) <= total <= max(used)
    assert total.as_tuple().exponent == -2
