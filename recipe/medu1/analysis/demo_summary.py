"""``summary.json`` of a ``make demo`` run: model, warm-up, GRPO per step and task, held-out before/after.

Why one file: the demo's claim is "GRPO with the Med-U1 reward measurably improves a real model", and that
claim needs the numbers side by side: the training score per step (from verl's rollout dumps), the
held-out evaluation before and after GRPO (both after the warm-up, same rows, same sampling), and what
it cost (seconds, peak RAM). ``criteria`` states each target and whether this run met it.

``n`` counts held-out questions and ``samples`` the responses scored (several per question).
Rates: ``format`` in a training step and ``format_rate`` in an evaluation are the share of responses whose
format term is +1; ``parsed`` is the share whose answer was read; ``score`` is the mean Med-U1 reward with
the training preset ``medu1``.

``echo_credited`` (open-ended benchmarks): responses credited as correct whose answer only repeats words
of the question (e.g. "Refsum disease" for "What is the outlook for Refsum disease?"). The paper's Merge
metric is half answer-word *precision* against the reference, so a short answer made of the question's
own entity scores above the threshold; a rise of this count is GRPO finding that blind spot, not learning
medicine, and the summary keeps it next to ``acc`` so nobody mistakes one for the other.

``letters`` (MCQ benchmarks): the answered letters, the top letter's share among the letter answers, the
gold letters and the best constant letter's accuracy on the same samples (``recipe.medu1.eval.letters``):
a policy that answers one letter everywhere scores that letter's gold share, which is no learning.
``equal_reward_groups`` (per training step and task): the share of GRPO groups whose rewards were all equal
(zero advantage), the part of a step that cannot learn. ``length`` (when both evaluations asked the
held-out rows under length budgets): the adherence per mode and budget before and after, over all
benchmarks, with its criteria.

Usage::

    python -m recipe.medu1.analysis.demo_summary --out OUT/summary.json --model_dir M --warmup_dir W \\
        --rollouts R --metrics metrics.jsonl --eval_before DIR --eval_after DIR --seconds S --mem_log F \\
        --held_out TEST.parquet [...]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from data_preprocess import registry
from recipe.medu1.analysis.demo_criteria import criteria, length_section
from recipe.medu1.analysis.plot_training import equal_reward_shares, read_dumps, task_of
from recipe.medu1.analysis.summarize_run import read_steps
from recipe.medu1.cpu.resources import gb
from recipe.medu1.eval.rescore import echo_credited_by_preset
from recipe.medu1.eval.store import PREDICTIONS, load_predictions
from reward_score.text import normalized_words


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else math.nan


def _rates(lines: list[dict[str, Any]]) -> dict[str, float]:
    return {
        "score": _mean([float(x["score"]) for x in lines]),
        "format": _mean([float(float(x["format"]) > 0) for x in lines]),
        "acc": _mean([float(x["acc"]) for x in lines]),
        "parsed": _mean([float(x["parsed"]) for x in lines]),
        "n": len(lines),
    }


def train_steps(rollout_dir: str | Path) -> list[dict[str, Any]]:
    """Per GRPO step: mean score over all responses, and score/format/acc/parsed per task."""
    by_step: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in read_dumps(rollout_dir):
        by_step[int(line["step"])].append(line)
    steps = []
    for step, lines in sorted(by_step.items()):
        by_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for line in lines:
            by_task[task_of(line)].append(line)
        per_task = {task: _rates(group) for task, group in sorted(by_task.items())}
        shares = equal_reward_shares(lines)
        for task, rates in per_task.items():
            rates["equal_reward_groups"] = shares.get((step, task), math.nan)
        steps.append(
            {
                "step": step,
                "score": _rates(lines)["score"],
                "equal_reward_groups": shares.get((step, "all"), math.nan),
                "per_task": per_task,
            }
        )
    return steps


RowKey = tuple[str, str, int]
"""(data_source, split, index): how an evaluation record names its held-out row."""


def question_words(held_out: list[str | Path]) -> dict[RowKey, set[str]]:
    """The normalised words of each held-out row's last user message (the question the model saw)."""
    words: dict[RowKey, set[str]] = {}
    for path in held_out:
        for row in pq.read_table(path, columns=["data_source", "prompt", "extra_info"]).to_pylist():
            key = (row["data_source"], row["extra_info"]["split"], int(row["extra_info"]["index"]))
            words[key] = set(normalized_words(row["prompt"][-1]["content"]))
    return words


def echo_credited(eval_dir: str | Path, questions: dict[RowKey, set[str]]) -> dict[str, int]:
    """Per open-ended benchmark: credited responses whose parsed answer only repeats the question's words."""
    counts: dict[str, int] = defaultdict(int)
    for record in load_predictions(Path(eval_dir) / PREDICTIONS):
        if (
            registry.task_of(record["data_source"], record["extra_info"]) != "text"
            or float(record["acc"]) != 1.0
        ):
            continue
        key = (record["data_source"], record["split"], int(record["index"]))
        if key not in questions:
            raise KeyError(f"{eval_dir}: prediction for {key} has no row in the held-out files")
        answer = normalized_words(str(record["pred"]))
        counts[record["data_source"]] += bool(answer) and set(answer) <= questions[key]
    return dict(counts)


def eval_block(eval_dir: str | Path, questions: dict[RowKey, set[str]]) -> dict[str, dict[str, Any]]:
    """Per benchmark (data source) and over all rows: the held-out metrics of one evaluation run."""
    metrics = json.loads((Path(eval_dir) / "metrics.json").read_text())
    echoes = echo_credited(eval_dir, questions)
    # The same responses rescored under the paper's rule and the robust one: how many echoes each credits.
    by_preset = echo_credited_by_preset(Path(eval_dir) / PREDICTIONS)
    block: dict[str, dict[str, Any]] = {}
    for source, m in metrics["per_source"].items():
        block[source] = {
            "task": registry.task_of(source, None),
            "n": m["n_questions"],
            "samples": m["n"],
            "score": m["score"],
            "acc": m["acc"],
            "format_rate": (m["format"] + 1.0) / 2.0,  # the format term is +1 or -1
            "unparsed_rate": m["unparsed_rate"],
            "mean_tokens": m["mean_response_tokens"],
        }
        if block[source]["task"] == "text":
            block[source]["echo_credited"] = echoes.get(source, 0)
            block[source]["echo_credited_by_preset"] = {p: c.get(source, 0) for p, c in by_preset.items()}
        if "letters" in m:
            block[source]["letters"] = m["letters"]
    total = sum(b["samples"] for b in block.values())
    block["all"] = {"task": "all", "n": sum(b["n"] for b in block.values()), "samples": total}
    for key in ("score", "acc", "format_rate", "unparsed_rate", "mean_tokens"):
        block["all"][key] = sum(b[key] * b["samples"] for s, b in block.items() if s != "all") / total
    return block


def peak_rss_gb(mem_log: str | Path) -> float:
    """Peak of the demo's memory samples (one KiB figure per line: the PSS of its processes), in GB."""
    samples = [int(x) for x in Path(mem_log).read_text().split()]
    return gb(max(samples)) if samples else math.nan


def seconds_per_step(metrics_jsonl: str | Path) -> list[float]:
    return [data["timing_s/step"] for _, data in read_steps(metrics_jsonl) if "timing_s/step" in data]


def build(args: argparse.Namespace) -> dict[str, Any]:
    model = json.loads((Path(args.model_dir) / "medu1_model.json").read_text())
    warmup = json.loads((Path(args.warmup_dir) / "medu1_warmup.json").read_text())
    step_seconds = seconds_per_step(args.metrics)
    questions = question_words(args.held_out)
    summary: dict[str, Any] = {
        "model": {
            k: model[k] for k in ("name", "wheel", "wheel_version", "gguf_sha256", "licence", "parameters")
        },
        "warmup": {
            k: warmup[k]
            for k in ("pairs", "pairs_in_format", "pairs_per_task", "steps", "seconds", "final_loss")
        },
        "train": {
            "seconds_per_step": _mean(step_seconds),
            "step_seconds": step_seconds,
            "steps": train_steps(args.rollouts),
        },
        "eval": {
            "backend": json.loads((Path(args.eval_after) / "metrics.json").read_text())["config"]["backend"],
            "before": eval_block(args.eval_before, questions),
            "after": eval_block(args.eval_after, questions),
        },
        "seconds": args.seconds,
        "peak_rss_gb": peak_rss_gb(args.mem_log),
    }
    summary["criteria"] = criteria(summary)
    length = length_section(args.length_before or args.eval_before, args.length_after or args.eval_after)
    if length is not None:
        summary["length"] = length
    return summary


def render(summary: dict[str, Any]) -> str:
    """The before/after table, the training trend and the criteria, as Markdown."""
    before, after = summary["eval"]["before"], summary["eval"]["after"]
    lines = [
        "| benchmark | task | n | score before | score after | acc before | acc after | format+1 before | "
        "format+1 after | tokens before | tokens after |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for source in before:
        b, a = before[source], after[source]
        lines.append(
            f"| {source} | {b['task']} | {b['n']} | {b['score']:+.2f} | {a['score']:+.2f} | {b['acc']:.0%} | "
            f"{a['acc']:.0%} | {b['format_rate']:.0%} | {a['format_rate']:.0%} | {b['mean_tokens']:.0f} | "
            f"{a['mean_tokens']:.0f} |"
        )
    for source in before:
        if "echo_credited" in before[source]:
            lines.append(
                f"\n{source}: credited answers that only repeat the question's words: "
                f"{before[source]['echo_credited']} before, {after[source]['echo_credited']} after"
            )
    for source in before:
        if "letters" in before[source]:
            b, a = before[source]["letters"], after[source]["letters"]
            lines.append(
                f"\n{source}: top answer letter {b['top_letter'] or '-'} {b['top_letter_share']:.0%} before, "
                f"{a['top_letter'] or '-'} {a['top_letter_share']:.0%} after; best constant letter "
                f"{a['best_constant_letter']} scores {a['best_constant_acc']:.0%} "
                f"(acc after {after[source]['acc']:.0%})"
            )
    if "length" in summary:
        header = "| mode | N | mean L before | after | abs(L-N)/N before | after | L<=N before | after |"
        lines += ["", header, "|---|---|---|---|---|---|---|---|"]
        after_arms = {(a["mode"], a["budget"]): a for a in summary["length"]["after"]["arms"]}
        for b in summary["length"]["before"]["arms"]:
            a = after_arms.get((b["mode"], b["budget"]))
            if a is None:
                continue
            error = f"{b['mean_rel_error']:.2f} | {a['mean_rel_error']:.2f}" if b["budget"] else "- | -"
            kept = f"{b['within_budget']:.0%} | {a['within_budget']:.0%}" if b["budget"] else "- | -"
            lines.append(
                f"| {b['mode']} | {b['budget'] or '-'} | {b['mean_length']:.0f} | {a['mean_length']:.0f} | "
                f"{error} | {kept} |"
            )
    steps = summary["train"]["steps"]
    scores = " ".join(f"{s['score']:+.2f}" for s in steps)
    dead = " ".join(f"{s['equal_reward_groups']:.0%}" for s in steps)
    lines += ["", f"Training score per step: {scores}", f"Equal-reward groups per step: {dead}", ""]
    targets = {**summary["criteria"], **summary.get("length", {}).get("criteria", {})}
    for name, c in targets.items():
        lines.append(
            f"- {name}: {c['value']:+.2f} (target {c['target']}): {'met' if c['met'] else 'NOT met'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in (
        "out",
        "model_dir",
        "warmup_dir",
        "rollouts",
        "metrics",
        "eval_before",
        "eval_after",
        "mem_log",
    ):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--held_out", nargs="+", required=True, help="the evaluated held-out parquet files")
    for name in ("before", "after"):
        parser.add_argument(
            f"--length_{name}",
            default=None,
            help=f"the evaluation {name} GRPO under length budgets (default: --eval_{name}, if it has them)",
        )
    parser.add_argument("--seconds", type=float, required=True, help="wall time of the whole demo")
    args = parser.parse_args(argv)
    summary = build(args)
    Path(args.out).write_text(json.dumps(summary, indent=2) + "\n")
    print(render(summary))
    print(f"\n{args.out}: {summary['seconds']:.0f} s in all, peak RAM {summary['peak_rss_gb']:.1f} GB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
