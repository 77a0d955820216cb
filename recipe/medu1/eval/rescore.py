"""Score stored predictions under other presets or reward kwargs, side by side, without generating and
without touching the run: ``python -m recipe.medu1.eval.rescore PRED.jsonl --preset medu1 robust``.

Why besides ``python -m recipe.medu1.eval --rescore``: that command re-scores a run *in place* (one
scoring per run directory); a report comparing the paper's rule with the robust one needs both at once
on the same responses. Each scoring is ``recipe.medu1.eval.scoring.score_terms`` (the reward the policy was
trained with) and its metrics ``scoring.source_metrics``; ``--out`` writes them as JSON.

``echo_credited`` counts, per open-ended benchmark, credited responses whose parsed answer only repeats
the question's words (every normalised word of the answer is a word of the question): the one-keyword
and echo answers a policy finds under the paper's Merge. The question is the record's
``extra_info["question"]``, or, for runs made before rows carried it, a mapping given by the caller.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from data_preprocess.registry import task_of
from recipe.medu1.eval.cli import parse_reward_kwargs
from recipe.medu1.eval.scoring import Scoring, score_terms, source_metrics
from recipe.medu1.eval.store import load_predictions
from reward_score.text import normalized_words

RowKey = tuple[str, str, int]  # (data_source, split, index)
DEFAULT_PRESETS = ("medu1", "robust")
#: ``source_metrics`` counts prompts longer than training's limit; irrelevant to a comparison of rules.
_NO_PROMPT_LIMIT = 1 << 30


def question_of(record: Mapping[str, Any], questions: Mapping[RowKey, str] | None = None) -> str | None:
    """The record's question: ``extra_info["question"]``, else ``questions[(source, split, index)]``."""
    stored = (record.get("extra_info") or {}).get("question")
    if isinstance(stored, str) and stored:
        return stored
    if questions is None:
        return None
    return questions.get((str(record["data_source"]), str(record["split"]), int(record["index"])))


def is_echo(pred: str, question: str) -> bool:
    """True when the answer has words and every one of them is a word of the question."""
    words = normalized_words(pred)
    return bool(words) and set(words) <= set(normalized_words(question))


def rescored(records: list[dict[str, Any]], scoring: Scoring) -> list[dict[str, Any]]:
    """Copies of the records with the reward terms of ``scoring`` (the stored ones are left as they are)."""
    return [{**record, **score_terms(record, scoring)} for record in records]


def echo_counts(
    records: list[dict[str, Any]], questions: Mapping[RowKey, str] | None = None
) -> dict[str, int]:
    """Per open-ended data source: credited records whose ``pred`` only repeats the question's words. A
    text record whose question is unknown raises KeyError (it could not be counted either way)."""
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        if task_of(record["data_source"], record["extra_info"]) != "text":
            continue
        source = str(record["data_source"])
        counts[source] += 0
        if float(record["acc"]) != 1.0:
            continue
        question = question_of(record, questions)
        if question is None:
            raise KeyError(f"no question for {source} {record['split']} #{record['index']}")
        counts[source] += is_echo(str(record["pred"]), question)
    return dict(counts)


def echo_credited_by_preset(
    predictions: str | Path,
    presets: tuple[str, ...] = DEFAULT_PRESETS,
    questions: Mapping[RowKey, str] | None = None,
) -> dict[str, dict[str, int]]:
    """{preset: {open-ended data source: echo_credited}} for a ``predictions.jsonl``, each preset with its
    own defaults (what a demo summary reports under the paper's rule and the robust one)."""
    records = load_predictions(predictions)
    return {
        preset: echo_counts(rescored(records, Scoring(preset, {}, False)), questions) for preset in presets
    }


def compare(records: list[dict[str, Any]], scorings: dict[str, Scoring]) -> dict[str, dict[str, Any]]:
    """{scoring name: {data source: metrics (with ``echo_credited`` for open-ended sources)}}."""
    out: dict[str, dict[str, Any]] = {}
    for name, scoring in scorings.items():
        scored = rescored(records, scoring)
        by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in scored:
            by_source[str(record["data_source"])].append(record)
        echoes = echo_counts(scored) if all(question_of(r) for r in scored if _is_text(r)) else {}
        out[name] = {}
        for source, group in sorted(by_source.items()):
            metrics = source_metrics(group, _NO_PROMPT_LIMIT)
            if source in echoes:
                metrics["echo_credited"] = echoes[source]
            out[name][source] = metrics
    return out


def _is_text(record: Mapping[str, Any]) -> bool:
    return task_of(record["data_source"], record["extra_info"]) == "text"


def render(table: dict[str, dict[str, Any]]) -> str:
    """A markdown table: one row per data source, acc (and echo_credited) per scoring."""
    names = list(table)
    sources = sorted({source for per in table.values() for source in per})
    header = ["data source", "n"] + [f"acc {n}" for n in names] + [f"echo_credited {n}" for n in names]
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    for source in sources:
        first = next(per[source] for per in table.values() if source in per)
        accs = [f"{100 * table[n][source]['acc']:.1f} %" for n in names]
        echoes = [str(table[n][source].get("echo_credited", "—")) for n in names]
        lines.append("| " + " | ".join([source, str(first["n"]), *accs, *echoes]) + " |")
    return "\n".join(lines)


def _scorings(presets: list[str], kwargs: list[str]) -> dict[str, Scoring]:
    """One scoring per preset, each with the same ``--reward_kwarg`` options (validated per preset)."""
    scorings = {}
    for preset in presets:
        options = parse_reward_kwargs(kwargs, preset)
        name = preset + "".join(f" {k}={v}" for k, v in options.items())
        scorings[name] = Scoring(preset, options, False)
    return scorings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("predictions", type=Path, help="a predictions.jsonl (or its run directory)")
    parser.add_argument("--preset", nargs="+", default=list(DEFAULT_PRESETS))
    parser.add_argument("--reward_kwarg", action="append", default=[], metavar="KEY=VALUE",
                        help="applied to every preset (e.g. text_metric=rougeL)")  # fmt: skip
    parser.add_argument("--out", type=Path, help="write the metrics of every scoring as JSON")
    args = parser.parse_args(argv)
    path = args.predictions / "predictions.jsonl" if args.predictions.is_dir() else args.predictions
    try:
        scorings = _scorings(args.preset, args.reward_kwarg)
    except ValueError as error:  # an unknown preset or kwarg, named by compute_score
        parser.error(str(error))
    records = load_predictions(path)
    if not records:
        print(f"{path}: no predictions", file=sys.stderr)
        return 2
    table = compare(records, scorings)
    print(render(table))
    if args.out:
        args.out.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
