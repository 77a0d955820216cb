"""The criteria of a ``make demo`` run, judged from its ``summary.json`` parts, and its length section.

Why apart from the summary's assembly: each criterion is a target the demo claims to meet, stated once
with its comparison; a value that could not be measured (NaN) is reported as not met, never left out.
Beyond "the score went up", the demo must show that the policy did not collapse to one MCQ letter (the
most common answered letter at most half the letter answers on every MCQ benchmark) and that GRPO still
had signal at the end (at most half the groups with equal rewards over the last third of the steps).
The length criteria are judged only when both held-out evaluations asked the rows under length budgets
(``python -m recipe.medu1.eval --length_budget ...``): exact budgets followed more closely (mean
|L − N| / N after at most 0.7 × before) and maximum budgets kept more often (share with L <= N up by at
least 20 points); a mode without budgets in the runs gives NaN, not met.
"""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import Any

#: name: (comparison, threshold) of each criterion the demo must meet.
CRITERIA = {
    "heldout_score_gain": (">=", 0.3),
    "train_score_gain_last_vs_first_third": (">=", 0.3),
    "heldout_acc_change_points": (">=", -5.0),
    "heldout_top_letter_share_after": ("<=", 0.5),  # the most common MCQ letter, worst benchmark
    "equal_reward_groups_last_third": ("<=", 0.5),
}
#: The length criteria, judged only when both evaluations carried length budgets.
LENGTH_CRITERIA = {
    "heldout_exact_rel_error_after_over_before": ("<=", 0.7),
    "heldout_max_within_budget_gain_points": (">=", 20.0),
}


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else math.nan


def thirds_gain(steps: list[dict[str, Any]]) -> float:
    """Mean training score over the last third of the steps minus the first third."""
    scores = [s["score"] for s in steps]
    third = max(1, len(scores) // 3)
    return _mean(scores[-third:]) - _mean(scores[:third])


def last_third_equal_groups(steps: list[dict[str, Any]]) -> float:
    """Mean share of equal-reward groups over the last third of the steps (NaN when no step has groups, or
    for a summary written before the share was counted)."""
    third = max(1, len(steps) // 3)
    shares = [s.get("equal_reward_groups", math.nan) for s in steps[-third:]]
    return _mean([share for share in shares if not math.isnan(share)])


def top_letter_share(block: dict[str, dict[str, Any]]) -> float:
    """The largest top-letter share over the MCQ benchmarks of one evaluation; NaN without MCQ or when a
    benchmark's share is NaN (no answer named a letter), which ``max`` alone would skip unless first."""
    shares = [b["letters"]["top_letter_share"] for b in block.values() if "letters" in b]
    return max(shares) if shares and not any(math.isnan(share) for share in shares) else math.nan


def judged(values: dict[str, float], targets: dict[str, tuple[str, float]]) -> dict[str, dict[str, Any]]:
    """Each value with its target and whether it was met (a NaN value, i.e. not measured, is not met)."""
    met = {">=": lambda v, t: v >= t, "<=": lambda v, t: v <= t}
    return {
        name: {
            "value": v,
            "target": f"{targets[name][0]} {targets[name][1]}",
            "met": met[targets[name][0]](v, targets[name][1]),
        }
        for name, v in values.items()
    }


def criteria(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each learning target with this run's value and whether it was met."""
    before, after = summary["eval"]["before"]["all"], summary["eval"]["after"]["all"]
    values = {
        "heldout_score_gain": after["score"] - before["score"],
        "train_score_gain_last_vs_first_third": thirds_gain(summary["train"]["steps"]),
        "heldout_acc_change_points": 100.0 * (after["acc"] - before["acc"]),
        "heldout_top_letter_share_after": top_letter_share(summary["eval"]["after"]),
        "equal_reward_groups_last_third": last_third_equal_groups(summary["train"]["steps"]),
    }
    return judged(values, CRITERIA)


def pooled(arms: list[dict[str, Any]], mode: str, key: str) -> float:
    """``key`` over the arms of one mode, weighted by their samples (NaN without such an arm)."""
    chosen = [a for a in arms if a["mode"] == mode]
    total = sum(a["n"] for a in chosen)
    return sum(a[key] * a["n"] for a in chosen) / total if total else math.nan


def length_section(before_dir: str | Path, after_dir: str | Path) -> dict[str, Any] | None:
    """Length adherence over all benchmarks before and after, the pooled figures the criteria read, and
    the criteria; None unless both evaluations carried length budgets."""
    blocks = {}
    for name, folder in (("before", before_dir), ("after", after_dir)):
        metrics = json.loads((Path(folder) / "metrics.json").read_text())
        if "length_adherence" not in metrics:
            return None
        blocks[name] = metrics["length_adherence"]["all"]
    figures = {
        key: {name: pooled(block["arms"], mode, field) for name, block in blocks.items()}
        for key, mode, field in (
            ("exact_rel_error", "exact", "mean_rel_error"),
            ("max_within_budget", "max", "within_budget"),
        )
    }
    error, kept = figures["exact_rel_error"], figures["max_within_budget"]
    values = {
        "heldout_exact_rel_error_after_over_before": error["after"] / error["before"]
        if error["before"]
        else math.nan,
        "heldout_max_within_budget_gain_points": 100.0 * (kept["after"] - kept["before"]),
    }
    return {
        **blocks,
        **figures,
        "exact_length_correlation": {
            name: block["exact_length_correlation"] for name, block in blocks.items()
        },
        "criteria": judged(values, LENGTH_CRITERIA),
    }
