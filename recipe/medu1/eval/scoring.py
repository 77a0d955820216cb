"""Scoring of stored predictions with the reward's own parsers, and their aggregation into metrics.

Why here and not in the generator: ``metrics.json`` must be a pure function of ``predictions.jsonl``
(so ``--rescore`` and any reader can recompute it), and every answer is scored by the same
``reward_score.compute_score`` the policy was trained with, so nothing is parsed differently between
training and evaluation. Three accuracies are kept apart, never mixed:

* ``acc``: the chosen preset and reward kwargs (what the run is scored with);
* ``acc_strict``: always the paper's plain ``medu1`` preset, whatever was chosen;
* ``acc_freeform`` (only with ``--freeform``): the chosen scoring plus the evaluation-only free-form
  fallback, which reads tag-less prose answers (baselines that never learned the tags).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any, NamedTuple

from data_preprocess.registry import task_of
from recipe.medu1.eval.adherence import budget_of, length_adherence
from recipe.medu1.eval.letters import letter_distribution
from reward_score import RESULT_KEYS, compute_score


class Scoring(NamedTuple):
    """How a run's responses are scored (stored in settings.json; changed only by ``--rescore``)."""

    preset: str
    reward_kwargs: dict[str, Any]
    freeform: bool


def score_terms(record: dict[str, Any], scoring: Scoring) -> dict[str, Any]:
    """The reward terms of one stored sample (every key of ``RESULT_KEYS``), plus ``acc_strict`` and,
    with ``scoring.freeform``, ``acc_freeform`` and ``rule_freeform``.

    ``response_length`` is the stored generated-token count (EOS included), the count verl gives the
    reward, so the length term matches training exactly.
    """

    def score(preset: str, options: dict[str, Any]) -> dict[str, Any]:
        return compute_score(
            record["data_source"],
            record["response"],
            record["ground_truth"],
            extra_info=record["extra_info"],
            preset=preset,
            response_length=int(record["response_tokens"]),
            **options,
        )

    result = score(scoring.preset, scoring.reward_kwargs)
    plain = scoring.preset == "medu1" and not scoring.reward_kwargs
    terms = {key: result[key] for key in RESULT_KEYS}
    terms["acc_strict"] = float((result if plain else score("medu1", {}))["acc"])
    if scoring.freeform:
        lenient = score(scoring.preset, {**scoring.reward_kwargs, "freeform_fallback": True})
        terms["acc_freeform"] = float(lenient["acc"])
        terms["rule_freeform"] = lenient["rule"]
    return terms


def _mean(values: list[float]) -> float:
    return float(statistics.fmean(values)) if values else 0.0


def _breakdown(records: list[dict[str, Any]], field: str) -> dict[str, dict[str, float]]:
    """Accuracy per value of ``extra_info[field]`` (MedCalc output type / calculator category)."""
    groups: dict[str, list[float]] = defaultdict(list)
    for record in records:
        groups[str(record["extra_info"].get(field) or "unknown")].append(float(record["acc"]))
    return {name: {"n": len(accs), "acc": _mean(accs)} for name, accs in sorted(groups.items())}


def _questions(records: list[dict[str, Any]], train_max_prompt_length: int) -> dict[str, Any]:
    """Per-question counts: pass@n / mean@n (over the samples of one prompt, i.e. one question under one
    length budget), prompts truncated to fit the context, prompts longer than training's
    ``data.max_prompt_length`` (verl's ``filter_overlong_prompts`` drops those from validation, so they
    explain a gap between validation and evaluation numbers)."""
    by_prompt: dict[tuple[str, int, int], list[float]] = defaultdict(list)
    truncated: set[tuple[str, int]] = set()
    overlong: set[tuple[str, int]] = set()
    for r in records:
        question = (str(r["split"]), int(r["index"]))
        by_prompt[(*question, budget_of(r))].append(float(r["acc"]))
        if r["truncated"]:
            truncated.add(question)
        if int(r["prompt_tokens"]) > train_max_prompt_length:
            overlong.add(question)
    counts: dict[str, Any] = {
        "n_questions": len({prompt[:2] for prompt in by_prompt}),
        "n_truncated": len(truncated),
        "n_over_train_limit": len(overlong),
    }
    n = max(len(accs) for accs in by_prompt.values())
    if n > 1:
        counts[f"mean@{n}"] = _mean([_mean(accs) for accs in by_prompt.values()])
        counts[f"pass@{n}"] = _mean([max(accs) for accs in by_prompt.values()])
    return counts


def source_metrics(records: list[dict[str, Any]], train_max_prompt_length: int) -> dict[str, Any]:
    """Metrics of one data source (all samples of all its questions)."""
    tokens = [int(r["response_tokens"]) for r in records]
    metrics: dict[str, Any] = {
        "n": len(records),
        "acc": _mean([float(r["acc"]) for r in records]),
        "acc_strict": _mean([float(r["acc_strict"]) for r in records]),
        "score": _mean([float(r["score"]) for r in records]),
        "format": _mean([float(r["format"]) for r in records]),
        "unparsed_rate": 1.0 - _mean([float(r["parsed"]) for r in records]),
        "mean_response_tokens": _mean([float(t) for t in tokens]),
        "median_response_tokens": float(statistics.median(tokens)),
        "n_capped": sum(bool(r["capped"]) for r in records),
        "rules": dict(sorted(Counter(str(r["rule"]) for r in records).items())),
        **_questions(records, train_max_prompt_length),
    }
    if all("acc_freeform" in r for r in records):
        metrics["acc_freeform"] = _mean([float(r["acc_freeform"]) for r in records])
        metrics["rules_freeform"] = dict(sorted(Counter(str(r["rule_freeform"]) for r in records).items()))
    if any(task_of(r["data_source"], r["extra_info"]) == "calc" for r in records):
        metrics["per_output_type"] = _breakdown(records, "output_type")
        metrics["per_category"] = _breakdown(records, "category")
    if any(task_of(r["data_source"], r["extra_info"]) == "mcq" for r in records):
        metrics["letters"] = letter_distribution(records)
    return metrics


def aggregate(records: list[dict[str, Any]], config: dict[str, Any]) -> dict[str, Any]:
    """``metrics.json``: per data source metrics (with the answer letters of MCQ sources), the macro
    accuracies over sources, the length adherence per budget when any prompt carried one, and the config
    (whose ``train_max_prompt_length`` sets the overlong-prompt count)."""
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_source[str(record["data_source"])].append(record)
    limit = int(config["train_max_prompt_length"])
    per_source = {source: source_metrics(group, limit) for source, group in sorted(by_source.items())}
    metrics: dict[str, Any] = {
        "per_source": per_source,
        "macro_acc": _mean([m["acc"] for m in per_source.values()]),
        "config": config,
    }
    if all("acc_freeform" in m for m in per_source.values()):
        metrics["macro_acc_freeform"] = _mean([m["acc_freeform"] for m in per_source.values()])
    adherence = length_adherence(records)
    if adherence is not None:
        metrics["length_adherence"] = adherence
    return metrics
