"""Scoring of stored predictions with the reward's own parsers, and their aggregation into metrics.

Why here and not in the generator: ``metrics.json`` must be a pure function of ``predictions.jsonl``
(so ``--rescore`` and any reader can recompute it), and every answer is scored by the same
``reward_score.compute_score`` the policy was trained with, so nothing is parsed differently between
training and evaluation. ``acc_strict`` is always the paper's ``medu1`` preset, whatever preset was
chosen, so a table can show both the lenient and the official reading.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from reward_score import compute_score

TERMS = ("score", "acc", "format", "answer", "length", "parsed", "pred")


def score_terms(
    record: dict[str, Any], preset: str, reward_kwargs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The reward terms of one stored sample under ``preset`` and ``reward_kwargs`` (any other option of
    ``compute_score``, e.g. ``text_metric``), plus ``acc_strict`` (the plain medu1 preset).

    ``response_length`` is the stored generated-token count (EOS included), the count verl gives the
    reward, so the length term matches training exactly.
    """
    reward_kwargs = reward_kwargs or {}

    def score(with_preset: str, options: dict[str, Any]) -> dict[str, Any]:
        return compute_score(
            record["data_source"],
            record["response"],
            record["ground_truth"],
            extra_info=record["extra_info"],
            preset=with_preset,
            response_length=int(record["response_tokens"]),
            **options,
        )

    result = score(preset, reward_kwargs)
    strict = result if (preset == "medu1" and not reward_kwargs) else score("medu1", {})
    terms = {key: result[key] for key in TERMS}
    terms["acc_strict"] = float(strict["acc"])
    return terms


def _mean(values: list[float]) -> float:
    return float(statistics.fmean(values)) if values else 0.0


def _breakdown(records: list[dict[str, Any]], field: str) -> dict[str, dict[str, float]]:
    """Accuracy per value of ``extra_info[field]`` (MedCalc output type / calculator category)."""
    groups: dict[str, list[float]] = defaultdict(list)
    for record in records:
        groups[str(record["extra_info"].get(field) or "unknown")].append(float(record["acc"]))
    return {name: {"n": len(accs), "acc": _mean(accs)} for name, accs in sorted(groups.items())}


def length_control(records: list[dict[str, Any]]) -> dict[str, float] | None:
    """The paper's length-controlled view: mean |L − N| and the share of responses with L ≤ N, over the
    samples that carried a budget N (exact or maximum); None when none did."""
    pairs = [
        (int(r["response_tokens"]), abs(int(r["extra_info"].get("length_budget") or 0)))
        for r in records
        if r["extra_info"].get("length_budget")
    ]
    if not pairs:
        return None
    return {
        "n": len(pairs),
        "mean_budget": _mean([budget for _, budget in pairs]),
        "mean_abs_error": _mean([abs(length - budget) for length, budget in pairs]),
        "within_budget": _mean([float(length <= budget) for length, budget in pairs]),
    }


def source_metrics(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Metrics of one data source (all samples of all its questions)."""
    tokens = [int(r["response_tokens"]) for r in records]
    by_question: dict[tuple[str, int], list[float]] = defaultdict(list)
    truncated: set[tuple[str, int]] = set()
    for r in records:
        question = (str(r["split"]), int(r["index"]))
        by_question[question].append(float(r["acc"]))
        if r["truncated"]:
            truncated.add(question)
    metrics: dict[str, Any] = {
        "n": len(records),
        "n_questions": len(by_question),
        "acc": _mean([float(r["acc"]) for r in records]),
        "acc_strict": _mean([float(r["acc_strict"]) for r in records]),
        "score": _mean([float(r["score"]) for r in records]),
        "format": _mean([float(r["format"]) for r in records]),
        "unparsed_rate": 1.0 - _mean([float(r["parsed"]) for r in records]),
        "mean_response_tokens": _mean([float(t) for t in tokens]),
        "median_response_tokens": float(statistics.median(tokens)),
        "n_truncated": len(truncated),
    }
    n = max(len(accs) for accs in by_question.values())
    if n > 1:
        metrics[f"mean@{n}"] = _mean([_mean(accs) for accs in by_question.values()])
        metrics[f"pass@{n}"] = _mean([max(accs) for accs in by_question.values()])
    if any(r["extra_info"].get("task") == "calc" for r in records):
        metrics["per_output_type"] = _breakdown(records, "output_type")
        metrics["per_category"] = _breakdown(records, "category")
    control = length_control(records)
    if control is not None:
        metrics["length_control"] = control
    return metrics


def aggregate(records: list[dict[str, Any]], config: dict[str, Any]) -> dict[str, Any]:
    """``metrics.json``: per data source metrics, the macro accuracy over sources, and the config."""
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_source[str(record["data_source"])].append(record)
    per_source = {source: source_metrics(group) for source, group in sorted(by_source.items())}
    return {
        "per_source": per_source,
        "macro_acc": _mean([m["acc"] for m in per_source.values()]),
        "config": config,
    }
