"""Print the per-step table of a training run from verl's file logger (``trainer.logger=[...,file]``).

Why: a console log of a verl run is hundreds of wide lines per step; a user checking a (CPU smoke or
GPU) run wants the few numbers that say the loop is healthy — reward, gradient norm, the rollout/actor
log-prob agreement (weight sync reached the rollout engine), and our per-task reward terms.

The file logger writes one JSON object per step: ``{"step": n, "data": {metric: value, ...}}``.
Usage: ``python -m recipe.medu1.analysis.summarize_run --metrics RUN/metrics.jsonl``
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

from recipe.medu1.train.metrics import METRIC_PREFIX, metric_key

HEALTH_COLUMNS = {
    "score": "critic/score/mean",
    "grad_norm": "actor/grad_norm",
    "adv_max": "critic/advantages/max",
    "pg_loss": "actor/pg_loss",
    "rollout_corr": "training/rollout_actor_probs_pearson_corr",
    "step_s": "timing_s/step",
}
TASK_TERMS = ("acc", "format", "length", "response_length")
_TASK_KEY = re.compile(rf"^{METRIC_PREFIX}/(?P<task>[^/]+)/(?P<term>[^/]+)/mean$")


def read_steps(path: str | Path) -> list[tuple[int, dict[str, float]]]:
    """(step, metrics) per step of a file-logger JSONL, in step order; a torn line is ignored.

    Lines of the same step are merged: a resumed run logs its resumed step again (the validation before
    training) after the earlier launch's line of that step.
    """
    steps: dict[int, dict[str, float]] = {}
    for line in Path(path).read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        steps.setdefault(int(record["step"]), {}).update(record["data"])
    return sorted(steps.items())


def table(steps: list[tuple[int, dict[str, float]]]) -> tuple[list[str], list[list[str]]]:
    """Header and rows: health columns, then ``<task>:<term>`` for every task seen in the run."""
    tasks = sorted({m["task"] for _, data in steps for key in data if (m := _TASK_KEY.match(key))})
    task_columns = [(f"{task}:{term}", metric_key(task, term)) for task in tasks for term in TASK_TERMS]
    columns = list(HEALTH_COLUMNS.items()) + task_columns
    header = ["step"] + [name for name, _ in columns]
    rows = [[str(step)] + [_fmt(data.get(key)) for _, key in columns] for step, data in steps if step > 0]
    return header, rows


def validation_rows(steps: list[tuple[int, dict[str, float]]]) -> list[str]:
    """``val-core`` accuracies per data source, for each step where validation ran."""
    lines = []
    for step, data in steps:
        core = {k: v for k, v in data.items() if k.startswith("val-core/")}
        if core:
            lines.append(
                f"step {step}: "
                + ", ".join(f"{k.removeprefix('val-core/')}={_fmt(v)}" for k, v in core.items())
            )
    return lines


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.4g}"


def render(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = [
        "  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True)) for line in [header, *rows]
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", required=True, help="metrics JSONL written by verl's file logger")
    args = parser.parse_args(argv)
    steps = read_steps(args.metrics)
    if not steps:
        parser.error(f"no step metrics in {args.metrics}")
    print("Training steps (per-task columns: medu1/<task>/<term>/mean):")
    print(render(*table(steps)))
    print("\nValidation (val-core):")
    print("\n".join(validation_rows(steps)) or "(no validation metrics logged)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
