"""MedCalc-Bench answers: the paper's training rule and a MedCalc-Bench-style rule, never with eval().

The official MedCalc-Bench evaluator calls ``eval()`` on model output; here every value is read by a
bounded regex parser instead, so an answer can never execute anything. The robust rule grades like that
evaluator (calendar dates, (weeks, days), ``round(value) == truth`` for integer scores, the limits for
decimals) but reads values differently where the evaluator misreads them: it takes the *one* value an
answer states and refuses answers stating several, where the evaluator takes the last number it finds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from numbers import Real
from typing import NamedTuple

from reward_score.grade import PRED_MAX_CHARS, Grade
from reward_score.normalize import fold_unicode

CALC_ANSWER_MAX_CHARS = 1024
"""The robust parsers ignore answers longer than this (a real answer is one value with a short phrase)."""
DATE_CALCULATOR_IDS = frozenset((13, 68))
GESTATIONAL_AGE_CALCULATOR_ID = 69

# A number not glued to a word ("m2", "HbA1c", "^2") nor to a hyphenated name ("FIB-4", "CURB-65").
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.^])(?<![A-Za-z]-)[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?")
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_PER_BODY_SURFACE = re.compile(r"(?:/|\bper\b)\s*1\.73\s*m(?:\^?\{?2\}?|²)?", re.I)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_US_DATE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_NAMED_DATE = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)")
_WEEKS_DAYS = re.compile(r"(?<!\d)(\d{1,3})\s*weeks?\s*(?:,|\band\b)?\s*(\d{1,3})\s*days?\b", re.I)
_PAIR = re.compile(r"[(\[]\s*(\d{1,3})\s*,\s*(\d{1,3})\s*[)\]]")
# "2 out of 5 criteria": the count of an integer score; the denominator is not a second value.
_OUT_OF = re.compile(r"(?<=\d)\s+out\s+of\s+\d+(?!\.?\d)", re.I)


def parse_number(answer: str) -> float | None:
    """The one numeric value an answer states, or None.

    Units and prose are ignored ("25.2 mL/min", "≈ 25.2", "CrCl = 25.2"); "1,234.5", "1.2e3" and the unicode
    minus "−3" are read as numbers; "/1.73 m²" is a unit ("58 mL/min/1.73 m²" → 58); digits glued to a
    letter or after "^" belong to a unit or name (kg/m2, m^2, HbA1c, FIB-4, CURB-65). After the last "="
    (or "≈") only the text after it counts ("x = 70/1.75^2 = 22.9" → 22.9). The same value written twice is
    one value ("413.58. The QTc is 413.58 msec"); two or more different values ("between 20 and 25") → None.
    """
    if len(answer) > CALC_ANSWER_MAX_CHARS:
        return None
    text = fold_unicode(answer)
    cut = max(text.rfind("="), text.rfind("≈"))
    if cut >= 0:
        text = text[cut + 1 :]
    text = _PER_BODY_SURFACE.sub(" ", _THOUSANDS_COMMA.sub("", text))
    value = None
    for match in _NUMBER.finditer(text):
        number = float(match.group())
        if value is not None and number != value:
            return None
        value = number
    return value if value is not None and math.isfinite(value) else None


def _valid_date(year: str, month: str | int, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_date(answer: str) -> date | None:
    """The one calendar date an answer states (M/D/YYYY, MM/DD/YYYY, YYYY-MM-DD or "September 23, 2014"),
    or None when it states none, several different ones, or an impossible one."""
    if len(answer) > CALC_ANSWER_MAX_CHARS:
        return None
    answer = fold_unicode(answer)
    found = {_valid_date(y, m, d) for m, d, y in _US_DATE.findall(answer)}
    found.update(_valid_date(y, m, d) for y, m, d in _ISO_DATE.findall(answer))
    for month, day, year in _NAMED_DATE.findall(answer):
        number = _MONTHS.get(month.lower())
        if number is not None:
            found.add(_valid_date(year, number, day))
    if len(found) != 1 or None in found:
        return None
    return found.pop()


def parse_gestational_age(answer: str) -> tuple[int, int] | None:
    """The one (weeks, days) an answer states: "('17 weeks', '6 days')", "17 weeks 6 days",
    "17 weeks and 6 days", "(17, 6)", "[17, 6]"; None when it states none or several different ones."""
    if len(answer) > CALC_ANSWER_MAX_CHARS:
        return None
    text = fold_unicode(answer).replace("'", " ").replace('"', " ")
    found = {(int(w), int(d)) for w, d in _WEEKS_DAYS.findall(text)}
    found.update((int(w), int(d)) for w, d in _PAIR.findall(text))
    return found.pop() if len(found) == 1 else None


def _float_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


class CalcTarget(NamedTuple):
    """What a calc answer is graded against, resolved from the ground truth and extra_info before the
    response is read (so a missing field raises whatever the response is)."""

    kind: str  # "range" | "integer" | "date" | "gestational_age" | "string"
    ground_truth: str
    value: float | date | tuple[int, int] | None = None
    lower: float | None = None
    upper: float | None = None


def _limit(extra_info: Mapping, key: str) -> float | None:
    """A tolerance limit from extra_info: None/NaN/absent → None; numbers and numeric strings → float."""
    value = extra_info.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return _float_or_none(value)
    if isinstance(value, Real) and not isinstance(value, bool):
        return None if math.isnan(value) else float(value)
    raise ValueError(f"extra_info[{key!r}] must be a number or None, got {type(value).__name__}")


def _calculator_id(extra_info: Mapping) -> int:
    """extra_info["calculator_id"]: -1, None, NaN or absent = no calculator."""
    value = extra_info.get("calculator_id")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return -1
    if isinstance(value, Real) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    raise ValueError(f"extra_info['calculator_id']={value!r} must be an int")


def _range_target(ground_truth: str, value: float, extra_info: Mapping) -> CalcTarget:
    lower, upper = _limit(extra_info, "lower_limit"), _limit(extra_info, "upper_limit")
    missing = [key for key, limit in (("lower_limit", lower), ("upper_limit", upper)) if limit is None]
    if missing:
        raise ValueError(
            f"calc ground truth {ground_truth!r} is numeric, so extra_info needs {' and '.join(missing)}"
        )
    return CalcTarget("range", ground_truth, value, lower, upper)


def calc_target(ground_truth: str, extra_info: Mapping, *, match: str) -> CalcTarget:
    """Resolve the grading rule. ``match="exact"`` (paper): numeric ground truth → limits range, anything
    else → string equality. ``match="medcalc"`` (MedCalc-Bench evaluator): date calculators (ids 13, 68,
    output type "date"), gestational age (id 69), integer output type, else the limits range."""
    number = _float_or_none(ground_truth)
    if match == "exact":
        if number is None:
            return CalcTarget("string", ground_truth)
        return _range_target(ground_truth, number, extra_info)
    calculator_id = _calculator_id(extra_info)
    output_type = str(extra_info.get("output_type") or "").lower()
    if calculator_id in DATE_CALCULATOR_IDS or output_type == "date":
        gt_date = parse_date(ground_truth)
        if gt_date is None:
            raise ValueError(f"date calculator ground truth {ground_truth!r} is not a date")
        return CalcTarget("date", ground_truth, gt_date)
    if calculator_id == GESTATIONAL_AGE_CALCULATOR_ID or (
        number is None and parse_gestational_age(ground_truth)
    ):
        weeks_days = parse_gestational_age(ground_truth)
        if weeks_days is None:
            raise ValueError(f"gestational-age ground truth {ground_truth!r} is not (weeks, days)")
        return CalcTarget("gestational_age", ground_truth, weeks_days)
    if number is None:
        gt_date = parse_date(ground_truth)
        return CalcTarget("date", ground_truth, gt_date) if gt_date else CalcTarget("string", ground_truth)
    if output_type == "integer":
        return CalcTarget("integer", ground_truth, number)
    return _range_target(ground_truth, number, extra_info)


def _graded(correct: bool, pred: str, rule: str) -> Grade:
    return Grade(1.0 if correct else -1.0, float(correct), 1.0, pred, rule)


def _unread(answer: str) -> Grade:
    return Grade(-1.0, 0.0, 0.0, answer[:PRED_MAX_CHARS], "no_value")


def grade_calc(answer: str, target: CalcTarget, *, match: str) -> Grade:
    """Grade a stripped answer against a resolved target. Under ``match="exact"`` a number is read with the
    paper's ``float(answer)`` (Python float syntax only, so "108 mL/hr" fails); under ``"medcalc"`` with
    :func:`parse_number`, and for integer scores "2 out of 5 criteria" reads as 2 (the count is the score;
    the denominator is not a second value)."""
    if target.kind == "string":
        return _graded(answer == target.ground_truth, answer[:PRED_MAX_CHARS], "string")
    if match != "exact" and len(answer) > CALC_ANSWER_MAX_CHARS:
        return Grade(-1.0, 0.0, 0.0, answer[:PRED_MAX_CHARS], "too_long")
    if target.kind == "date":
        found_date = parse_date(answer)
        if found_date is None:
            return _unread(answer)
        return _graded(found_date == target.value, found_date.strftime("%m/%d/%Y"), "date")
    if target.kind == "gestational_age":
        found_age = parse_gestational_age(answer)
        if found_age is None:
            return _unread(answer)
        return _graded(found_age == target.value, f"({found_age[0]}, {found_age[1]})", "weeks_days")
    if match == "exact":
        value = _float_or_none(answer)
    elif target.kind == "integer":
        value = parse_number(_OUT_OF.sub("", answer))
    else:
        value = parse_number(answer)
    if value is None:
        return _unread(answer)
    if target.kind == "integer":
        correct = round(value) == target.value
    else:
        correct = target.lower <= value <= target.upper
    return _graded(correct, repr(value), "number")
