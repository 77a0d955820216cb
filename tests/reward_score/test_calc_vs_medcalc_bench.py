"""Robust calc against the official MedCalc-Bench evaluator on the real test set (1047 rows).

``official_verdict`` re-implements, from its documented behaviour and without ``eval()``, how the official
evaluator reads an answer text and checks it: dates must start the answer as M/D/YYYY; gestational age is
the first "(w, d)"-like pair after brackets and quotes are dropped; integer scores take "N out of", else the
count of a comma-separated number list, else the last number; decimals take a number before
"mL/min/1.73", else the last percentage divided by 100, else the last number. Ours reads the one value an
answer states. The two agree on clean answers (tested at every limit) and differ, by design, on messy ones;
the disagreements are counted per kind and printed (run with ``-s``) — the figures the README quotes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from reward_score import compute_score

_OFFICIAL_DATE = re.compile(r"^(0?[1-9]|1[0-2])/(0?[1-9]|[12][0-9]|3[01])/(\d{4})")
_OFFICIAL_PAIR = re.compile(r"\(?[\"']?(\d+)\s*(?:weeks?)?[\"']?,?\s*[\"']?(\d+)\s*(?:days?)?[\"']?\s*\)?")
_OFFICIAL_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_OFFICIAL_LIST = re.compile(r"-?\d+(?:, ?-?\d+)+")
_OFFICIAL_EGFR = re.compile(r"(-?\d+(?:\.\d+)?)\s*mL/min/1.73")
_OFFICIAL_PERCENT = re.compile(r"(-?\d+(?:\.\d+)?)%")


def _official_pair(text: str) -> tuple[int, int] | None:
    match = _OFFICIAL_PAIR.search(text.replace("[", "(").replace("]", ")").replace("'", "").replace('"', ""))
    return (int(match.group(1)), int(match.group(2))) if match else None


def _official_value(answer: str, integer: bool) -> float | None:
    if integer:
        if out_of := re.search(r"(\d+) out of", answer):
            return float(out_of.group(1))
        if listed := _OFFICIAL_LIST.search(answer):
            return float(len(listed.group().split(",")))
    elif egfr := _OFFICIAL_EGFR.search(answer):
        return float(egfr.group(1))
    elif percents := _OFFICIAL_PERCENT.findall(answer):
        return float(percents[-1]) / 100
    numbers = _OFFICIAL_NUMBER.findall(answer)
    return float(numbers[-1]) if numbers else None


def official_verdict(answer: str, row: pd.Series) -> bool:
    """Whether the official evaluator marks ``answer`` (the text of its "answer" field) correct."""
    calculator_id, truth = int(row["Calculator ID"]), row["Ground Truth Answer"]
    if calculator_id in (13, 68):
        found = _OFFICIAL_DATE.search(answer)
        read = lambda m: (int(m.group(1)), int(m.group(2)), m.group(3))  # noqa: E731
        return found is not None and read(found) == read(_OFFICIAL_DATE.search(truth))
    if calculator_id == 69:
        return _official_pair(answer) is not None and _official_pair(answer) == _official_pair(truth)
    value = _official_value(answer, row["Output Type"] == "integer")
    if value is None:
        return False
    if row["Output Type"] == "integer":
        return round(value) == float(truth)
    return float(row["Lower Limit"]) <= value <= float(row["Upper Limit"])


def extra_info_for(row: pd.Series) -> dict:
    """The extra_info our preprocessing writes for a MedCalc-Bench row (limits NaN when not numeric)."""

    def limit(text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return math.nan

    return {
        "task": "calc",
        "calculator_id": int(row["Calculator ID"]),
        "output_type": row["Output Type"],
        "lower_limit": limit(row["Lower Limit"]),
        "upper_limit": limit(row["Upper Limit"]),
        "length_budget": 0,
    }


def ours(answer: str, row: pd.Series) -> bool:
    response = f"<think>\nworking it out\n</think>\n<answer>\n{answer}\n</answer>"
    truth = row["Ground Truth Answer"]
    return compute_score("medcalc", response, truth, extra_info_for(row), preset="robust")["acc"] == 1.0


def answers_around(row: pd.Series) -> list[str]:
    """Answers in the evaluator's bare form just inside and just outside what the official rule accepts."""
    calculator_id, truth = int(row["Calculator ID"]), row["Ground Truth Answer"]
    if calculator_id in (13, 68):
        day = datetime.strptime(truth, "%m/%d/%Y")
        return [(day + timedelta(days=d)).strftime("%m/%d/%Y") for d in (-1, 0, 1)] + [
            f"{day.month}/{day.day}/{day.year}"
        ]
    if calculator_id == 69:
        weeks, days = _official_pair(truth)
        return [
            f"('{w} weeks', '{d} days')" for w, d in ((weeks, days), (weeks, days + 1), (weeks + 1, days))
        ]
    if row["Output Type"] == "integer":
        return [repr(float(truth) + delta) for delta in (-0.6, -0.4, 0.0, 0.4, 0.6)]
    lower, upper = float(row["Lower Limit"]), float(row["Upper Limit"])
    near = (math.nextafter(lower, -math.inf), lower, math.nextafter(lower, math.inf))
    return [
        repr(value) for value in (*near, math.nextafter(upper, -math.inf), upper, math.nextafter(upper, 1e9))
    ]


def messy_spellings(row: pd.Series) -> dict[str, str]:
    """Correct answers written as models write them, keyed by the kind of difference they exercise. The
    last sentence of the row's reference explanation ("… = 28.028 kg/m^2.") is the realistic prose case."""
    calculator_id, truth = int(row["Calculator ID"]), row["Ground Truth Answer"]
    sentences = re.split(r"(?<=[.!?])\s+", row["Ground Truth Explanation"].strip())
    found = {"explanation's last sentence": sentences[-1]}
    if calculator_id in (13, 68):
        day = datetime.strptime(truth, "%m/%d/%Y")
        return found | {"ISO date": day.strftime("%Y-%m-%d"), "named month": day.strftime("%B %d, %Y")}
    if calculator_id == 69:
        weeks, days = _official_pair(truth)
        return found | {
            "weeks and days": f"{weeks} weeks and {days} days",
            "bracket pair": f"[{weeks}, {days}]",
        }
    value = float(truth)
    found |= {"unit with a digit (kg/m2)": f"{truth} kg/m2", "percent sign": f"{truth}%"}
    if abs(value) >= 1000:
        found["thousands comma"] = f"{value:,}"
    if value < 0:
        found["Unicode minus"] = truth.replace("-", "\u2212")
    return found


@pytest.fixture(scope="module")
def medcalc_rows(real_data_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(real_data_dir / "medcalc-bench" / "test_data.csv", dtype=str, keep_default_na=False)
    assert len(frame) == 1047
    return frame


def test_ground_truth_as_answer_is_correct_under_both_presets(medcalc_rows: pd.DataFrame) -> None:
    for _, row in medcalc_rows.iterrows():
        for preset in ("medu1", "robust"):
            truth = row["Ground Truth Answer"]
            response = f"<think>\nx\n</think>\n<answer>\n{truth}\n</answer>"
            result = compute_score("medcalc", response, truth, extra_info_for(row), preset=preset)
            assert result["acc"] == 1.0 and result["score"] == 2.0, (preset, row["Row Number"], result)


def test_robust_equals_the_official_rule_at_the_limits(medcalc_rows: pd.DataFrame) -> None:
    inside = outside = 0
    for _, row in medcalc_rows.iterrows():
        for answer in answers_around(row):
            expected = official_verdict(answer, row)
            inside, outside = inside + expected, outside + (not expected)
            assert ours(answer, row) == expected, (row["Row Number"], answer)
            if int(row["Calculator ID"]) not in (13, 68, 69):  # a lead-in and a unit change nothing
                assert ours(f"Result = {answer} units", row) == expected, (row["Row Number"], answer)
    assert inside > 2000 and outside > 2000  # both sides of every limit were exercised


def test_where_the_rules_disagree_on_messy_correct_answers(medcalc_rows: pd.DataFrame) -> None:
    """Every messy spelling states the right value: ours must credit all of them but the prose sentences
    that state several values, and the official evaluator misreads each kind (bar one) at least once."""
    ours_only, official_only, total, credited = Counter(), Counter(), Counter(), Counter()
    rows_disagreeing = set()
    for _, row in medcalc_rows.iterrows():
        for kind, answer in messy_spellings(row).items():
            mine, theirs = ours(answer, row), official_verdict(answer, row)
            total[kind] += 1
            credited[kind, "ours"] += mine
            credited[kind, "official"] += theirs
            ours_only[kind] += mine and not theirs
            official_only[kind] += theirs and not mine
            if mine != theirs:
                rows_disagreeing.add(row["Row Number"])
            if kind != "explanation's last sentence":
                assert mine, (row["Row Number"], kind, answer)
    print(
        f"\nMedCalc-Bench test set, {len(medcalc_rows)} rows: rows where the rules disagree on at least one"
    )
    print(f"correct spelling: {len(rows_disagreeing)}")
    for kind in total:
        print(
            f"  {kind:28s} {total[kind]:5d} answers: ours credits {credited[kind, 'ours']:5d}, official "
            f"{credited[kind, 'official']:5d}; only ours {ours_only[kind]:4d}, "
            f"only official {official_only[kind]:4d}"
        )
    assert ours_only["bracket pair"] == 0  # the official evaluator reads "[17, 6]" too; only ours did not
    assert all(ours_only[kind] > 0 for kind in total if kind != "bracket pair"), ours_only
    assert sum(official_only.values()) == official_only["explanation's last sentence"]
    last = "explanation's last sentence"
    assert ours_only[last] > official_only[last]
