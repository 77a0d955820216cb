"""Calc correctness: the number / date / gestational-age parsers and both grading rules."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from reward_score import Grade
from reward_score.calc import (
    CALC_ANSWER_MAX_CHARS,
    calc_target,
    grade_calc,
    parse_date,
    parse_gestational_age,
    parse_number,
)


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("25.2", 25.2),
        ("25.2 mL/min", 25.2),
        ("25.2mL/min", 25.2),
        ("≈ 25.2", 25.2),
        ("~25.2", 25.2),
        ("CrCl = 25.2", 25.2),
        ("CrCl ≈ 25.2 mL/min", 25.2),
        ("1,234.5", 1234.5),
        ("1,234,567", 1234567.0),
        ("1.2e3", 1200.0),
        ("1.2E-3", 0.0012),
        ("\u22123", -3.0),
        ("-0.828", -0.828),
        ("+4", 4.0),
        (".5", 0.5),
        ("58 mL/min/1.73 m²", 58.0),
        ("58 mL/min/1.73m^2", 58.0),
        ("58 mL/min per 1.73 m2", 58.0),
        ("22.9 kg/m2", 22.9),
        ("22.9 kg/m^2", 22.9),
        ("x = 70/1.75^2 = 22.9", 22.9),
        ("The score is 4 points.", 4.0),
        ("**108.0**", 108.0),
        ("15%", 15.0),
        ("FIB-4 index = 3.82", 3.82),
        ("The FIB-4 index is 3.82", 3.82),
        ("CURB-65 score: 2", 2.0),
        ("CHA2DS2-VASc score is 4", 4.0),
        ("HbA1c-adjusted value -0.828", -0.828),
        ("= 413.58. The QTc is 413.58 msec", 413.58),  # the same value twice is one value
        ("２５.２", 25.2),  # full-width digits
    ],
)
def test_parse_number_accepts(answer: str, value: float) -> None:
    assert parse_number(answer) == pytest.approx(value)


@pytest.mark.parametrize(
    "answer",
    [
        "between 20 and 25",
        "20-25",
        "pH 7.2-7.4",
        "20–25",
        "70/1.75^2",
        "25.2 ± 1",
        "1,2",
        "09/23/2014",
        "no number",
        "",
        "1e999",  # not finite
        "nan",
        "inf",
        "1" * (CALC_ANSWER_MAX_CHARS + 1),
        "__import__('os').system('touch pwned')",
    ],
)
def test_parse_number_rejects(answer: str) -> None:
    assert parse_number(answer) is None


@pytest.mark.parametrize(
    "answer",
    [
        "09/23/2014",
        "9/23/2014",
        "2014-09-23",
        "September 23, 2014",
        "Sept. 23 2014",
        "sep 23rd, 2014",
        "The due date is 09/23/2014.",
        "09/23/2014 (i.e. September 23, 2014)",  # the same date twice is one date
    ],
)
def test_parse_date_accepts(answer: str) -> None:
    assert parse_date(answer) == date(2014, 9, 23)


@pytest.mark.parametrize(
    "answer",
    ["09/24/2014 or 09/23/2014", "02/30/2014", "23/09/2014", "2014/09/23", "Sept 2014", "", "09/23/14"],
)
def test_parse_date_rejects(answer: str) -> None:
    assert parse_date(answer) is None


@pytest.mark.parametrize(
    "answer",
    [
        "('17 weeks', '6 days')",
        '("17 weeks", "6 days")',
        "17 weeks 6 days",
        "17 weeks and 6 days",
        "17 weeks, 6 days",
        "(17, 6)",
        "[17, 6]",
        "[ 17 , 6 ]",
        "The gestational age is 17 weeks and 6 days.",
        "（17, 6）",  # full-width brackets
    ],
)
def test_parse_gestational_age_accepts(answer: str) -> None:
    assert parse_gestational_age(answer) == (17, 6)


@pytest.mark.parametrize("answer", ["17 weeks", "6 days", "17.6 weeks", "(17, 6) or (18, 0)", "17 6", ""])
def test_parse_gestational_age_rejects(answer: str) -> None:
    assert parse_gestational_age(answer) is None


def verdict(answer: str, target: object, match: str) -> tuple[float, float, str]:
    grade = grade_calc(answer, target, match=match)
    return grade.acc, grade.parsed, grade.rule


def test_exact_rule_uses_python_float_only() -> None:
    target = calc_target("108.0", {"lower_limit": 102.6, "upper_limit": 113.4}, match="exact")
    assert verdict("108", target, "exact") == (1.0, 1.0, "number")
    assert verdict("113.4", target, "exact") == (1.0, 1.0, "number")
    assert verdict("113.5", target, "exact") == (0.0, 1.0, "number")
    assert verdict("108 mL/hr", target, "exact") == (0.0, 0.0, "no_value")
    assert verdict("108 mL/hr", target, "medcalc") == (1.0, 1.0, "number")
    assert grade_calc("108 mL/hr", target, match="medcalc") == Grade(1.0, 1.0, 1.0, "108.0", "number")


def test_exact_rule_compares_non_numeric_truths_as_strings() -> None:
    target = calc_target("09/23/2014", {}, match="exact")
    assert verdict("09/23/2014", target, "exact") == (1.0, 1.0, "string")
    assert verdict("9/23/2014", target, "exact") == (0.0, 1.0, "string")


def test_robust_rules_and_preds() -> None:
    date_target = calc_target("09/23/2014", {"calculator_id": 13}, match="medcalc")
    assert grade_calc("2014-09-23", date_target, match="medcalc") == Grade(
        1.0, 1.0, 1.0, "09/23/2014", "date"
    )
    assert verdict("soon", date_target, "medcalc") == (0.0, 0.0, "no_value")
    age_target = calc_target("('35 weeks', '4 days')", {"calculator_id": 69}, match="medcalc")
    for answer in ("[35, 4]", "(35, 4)", "35 weeks and 4 days"):
        assert grade_calc(answer, age_target, match="medcalc") == Grade(
            1.0, 1.0, 1.0, "(35, 4)", "weeks_days"
        )
    assert verdict("[35, 5]", age_target, "medcalc") == (0.0, 1.0, "weeks_days")
    assert verdict("1" * (CALC_ANSWER_MAX_CHARS + 1), age_target, "medcalc") == (0.0, 0.0, "too_long")


@pytest.mark.parametrize(
    ("answer", "acc", "parsed"),
    [
        ("2 out of 5 criteria", 1.0, 1.0),
        ("2 out of 5", 1.0, 1.0),
        ("Score: 2 out of 5 criteria met", 1.0, 1.0),
        ("3 out of 5 criteria", 0.0, 1.0),
        ("2 out of 5 and 3 out of 4", 0.0, 0.0),  # two counts: not read
        ("2 out of 5.5", 0.0, 0.0),  # only a whole denominator is a count's denominator
    ],
)
def test_integer_scores_read_a_count_out_of_a_total(answer: str, acc: float, parsed: float) -> None:
    """Decision: for integer scores "N out of M" states the score N (the evaluator reads it the same way);
    decimal outputs are not given this reading, so "2 out of 5" there is two numbers and not read."""
    target = calc_target("2", {"output_type": "integer"}, match="medcalc")
    assert verdict(answer, target, "medcalc")[:2] == (acc, parsed)
    decimal = calc_target("2", {"lower_limit": 1.9, "upper_limit": 2.1}, match="medcalc")
    assert verdict("2 out of 5", decimal, "medcalc") == (0.0, 0.0, "no_value")


def test_medcalc_rule_kinds() -> None:
    assert calc_target("09/23/2014", {"calculator_id": 13}, match="medcalc").kind == "date"
    assert calc_target("09/23/2014", {"output_type": "date"}, match="medcalc").kind == "date"
    assert calc_target("09/23/2014", {}, match="medcalc").kind == "date"  # inferred from the truth
    assert (
        calc_target("('1 weeks', '2 days')", {"calculator_id": 69}, match="medcalc").kind == "gestational_age"
    )
    assert calc_target("('1 weeks', '2 days')", {}, match="medcalc").kind == "gestational_age"
    assert calc_target("4", {"output_type": "integer"}, match="medcalc").kind == "integer"
    assert calc_target("4.5", {"lower_limit": 4, "upper_limit": 5}, match="medcalc").kind == "range"
    assert calc_target("positive", {}, match="medcalc").kind == "string"


def test_integer_output_uses_python_round() -> None:
    target = calc_target(
        "4", {"output_type": "integer", "lower_limit": 4.0, "upper_limit": 4.0}, match="medcalc"
    )
    assert [grade_calc(a, target, match="medcalc").acc for a in ("4", "4.4", "3.6", "4.5", "3.5", "4.6")] == [
        1.0,
        1.0,
        1.0,
        1.0,  # round(4.5) == 4 (banker's rounding, as the official evaluator)
        1.0,  # round(3.5) == 4
        0.0,
    ]


@pytest.mark.parametrize(
    ("truth", "info", "missing"),
    [
        ("25.2", {}, "lower_limit and upper_limit"),
        ("25.2", {"lower_limit": 24.0, "upper_limit": None}, "upper_limit"),
        ("25.2", {"lower_limit": math.nan, "upper_limit": 26.0}, "lower_limit"),
    ],
)
@pytest.mark.parametrize("match", ["exact", "medcalc"])
def test_numeric_truth_needs_limits(truth: str, info: dict, missing: str, match: str) -> None:
    with pytest.raises(ValueError, match=missing):
        calc_target(truth, info, match=match)


def test_malformed_date_truth_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="not a date"):
        calc_target("soon", {"calculator_id": 68}, match="medcalc")
    with pytest.raises(ValueError, match="must be a number"):
        calc_target("25.2", {"lower_limit": [1], "upper_limit": 2.0}, match="exact")
    with pytest.raises(ValueError, match="calculator_id"):
        calc_target("25.2", {"calculator_id": [13]}, match="medcalc")


def test_limits_and_ids_in_parquet_types() -> None:
    info = {"calculator_id": np.int64(2), "lower_limit": np.float64(24.0), "upper_limit": "26.5"}
    target = calc_target("25.2", info, match="medcalc")
    assert (target.kind, target.lower, target.upper) == ("range", 24.0, 26.5)
    assert calc_target("09/23/2014", {"calculator_id": 13.0}, match="medcalc").kind == "date"
    assert (
        calc_target("4", {"calculator_id": math.nan, "output_type": "integer"}, match="medcalc").kind
        == "integer"
    )
