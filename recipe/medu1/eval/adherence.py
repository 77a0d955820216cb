"""Length adherence per budget: how closely responses follow "Think for (maximum) N tokens.", per mode and N.

Why per budget and next to the unbudgeted rows: Med-U1's second objective is length control, and a single
pooled |L − N| cannot tell a model that reads the number from one that is merely short. Each (mode, N)
arm is reported on the same questions, with the arm without any instruction beside it, so both the
adherence and what the instruction costs in score and accuracy are visible.

L is ``response_tokens``: the generated tokens including the EOS token, the count verl's reward manager
gives the reward's length term (its attention mask over the response), so these figures measure what the
training reward rewarded. A sample's arm is its ``extra_info["length_budget"]``: > 0 exact, < 0 maximum,
0 none.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from data_preprocess.core.prompts import length_mode

#: Relative distances |L − N| / N whose within-share is reported (as ``within_10`` and ``within_25``).
TOLERANCES = (0.10, 0.25)


def budget_of(record: dict[str, Any]) -> int:
    """The signed length budget a stored sample's prompt carried (0: none)."""
    return int(record["extra_info"].get("length_budget") or 0)


def _mean(values: list[float]) -> float:
    return float(statistics.fmean(values)) if values else 0.0


def arm_metrics(budget: int, records: list[dict[str, Any]]) -> dict[str, Any]:
    """One arm's row: ``mode``, ``budget`` N (0 for none), ``n``, ``mean_length``, ``score``, ``acc``, and
    with a budget ``mean_abs_error`` |L − N|, ``mean_rel_error`` |L − N| / N, ``within_10`` / ``within_25``
    (share with |L − N| <= 10 % / 25 % of N) and ``within_budget`` (share with L <= N: the maximum mode's
    target)."""
    lengths = [int(r["response_tokens"]) for r in records]
    row: dict[str, Any] = {
        "mode": length_mode(budget),
        "budget": abs(budget),
        "n": len(records),
        "mean_length": _mean([float(length) for length in lengths]),
        "score": _mean([float(r["score"]) for r in records]),
        "acc": _mean([float(r["acc"]) for r in records]),
    }
    if budget:
        target = abs(budget)
        errors = [abs(length - target) for length in lengths]
        row["mean_abs_error"] = _mean([float(e) for e in errors])
        row["mean_rel_error"] = _mean([e / target for e in errors])
        for tolerance in TOLERANCES:
            row[f"within_{round(100 * tolerance)}"] = _mean([float(e <= tolerance * target) for e in errors])
        row["within_budget"] = _mean([float(length <= target) for length in lengths])
    return row


def exact_length_correlation(records: list[dict[str, Any]]) -> float | None:
    """Pearson correlation of N and L over the exact-budget samples: near 1 when the model reads the number,
    near 0 when every budget gives the same lengths; None with fewer than two distinct N or constant L."""
    pairs = [(budget_of(r), int(r["response_tokens"])) for r in records if budget_of(r) > 0]
    budgets, lengths = [p[0] for p in pairs], [p[1] for p in pairs]
    if len(set(budgets)) < 2 or len(set(lengths)) < 2:
        return None
    return float(statistics.correlation(budgets, lengths))


def _block(records: list[dict[str, Any]]) -> dict[str, Any]:
    by_budget: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_budget[budget_of(record)].append(record)
    order = sorted(by_budget, key=lambda b: (["none", "exact", "max"].index(length_mode(b)), abs(b)))
    return {
        "arms": [arm_metrics(budget, by_budget[budget]) for budget in order],
        "exact_length_correlation": exact_length_correlation(records),
    }


def length_adherence(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """``{"all": block, "per_source": {source: block}}`` with a block = ``arms`` (one :func:`arm_metrics` row
    per budget, the arm without instruction first, then exact and maximum by N) and
    ``exact_length_correlation``; None when no sample carried a budget."""
    if not any(budget_of(r) for r in records):
        return None
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_source[str(record["data_source"])].append(record)
    return {
        "all": _block(records),
        "per_source": {source: _block(group) for source, group in sorted(by_source.items())},
    }
