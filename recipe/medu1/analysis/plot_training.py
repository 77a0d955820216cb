"""Per-task training curves from verl's per-step generation dumps (the paper's training analysis).

Usage::

    python -m recipe.medu1.analysis.plot_training ROLLOUT_DIR [--output_dir DIR] [--tokenizer MODEL]

verl 0.9.1 writes one ``<global_step>.jsonl`` per step into ``trainer.rollout_data_dir`` (training
rollouts) and ``trainer.validation_data_dir`` (validation), one line per response with the columns
``input``, ``output``, ``gts``, ``score``, ``step`` and then every reward-extra-info list of the same
length: with our reward that is ``score`` (overwriting the summed score with the same value), ``acc``,
``format``, ``answer``, ``length``, ``parsed``, ``pred``, plus ``reward`` and ``uid`` in validation
dumps (``PPOTrainer._write_generations`` / ``_validate`` in ``verl/trainer/ppo/v1/trainer_base.py``).
verl's own rollout dumps carry only the summed score; the ``medu1`` trainer (``recipe.medu1.train.trainer``)
adds ``data_source``, ``task``, ``response_length`` and the reward terms to them, so with our recipe
training rollouts give the full per-task curves.

verl writes no ``data_source`` column into validation dumps, so the task of a line is read from its ``task``
column (the medu1 reward manager adds it to every reward's extra info), else from a ``data_source`` column
through the dataset registry. Response tokens come from a ``response_length``/``response_tokens`` column
when the trainer adds one, else from re-tokenising ``output`` with ``--tokenizer`` (EOS is not in the
decoded text, so that count is one lower than verl's when the model stopped), else that curve is left empty.

The share of equal-reward groups (GRPO groups whose responses all got the same reward, hence zero
advantage: the part of the step that cannot learn) is counted per step and task from the ``group``
column the trainer adds (the prompt's uid), else from the prefix of verl's ``uid`` key
(``<prompt uid>_<session>_<index>``); groups of one response are left out (see
``recipe.medu1.train.metrics.equal_reward_groups``, the same function the trainer logs with).

Outputs: ``training_curves.csv`` (one row per step and task, plus task "all") and
``training_curves.png`` (2x3 panels: acc, format, length term, score, response tokens, equal-reward
groups).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from data_preprocess import registry
from recipe.medu1.train.metrics import ALL_TASKS, equal_reward_groups, metric_key

#: The reward columns averaged per (step, task); then the response tokens and the equal-reward group share.
TERMS = ("acc", "format", "length", "score")
METRICS = (*TERMS, "response_tokens", "equal_reward_groups")
PANELS = (
    ("acc", "accuracy"),
    ("format", "format term"),
    ("length", "length term"),
    ("score", "score"),
    ("response_tokens", "response tokens"),
    ("equal_reward_groups", "share of GRPO groups with equal rewards"),
)
TOKEN_COLUMNS = ("response_length", "response_tokens")


def read_dumps(dump_dir: str | Path) -> list[dict[str, Any]]:
    """Every line of every ``<step>.jsonl`` in ``dump_dir``, in step order."""
    files = sorted(
        (p for p in Path(dump_dir).glob("*.jsonl") if re.fullmatch(r"\d+", p.stem)), key=lambda p: int(p.stem)
    )
    if not files:
        raise FileNotFoundError(f"no <step>.jsonl dumps in {dump_dir} (set trainer.rollout_data_dir)")
    lines: list[dict[str, Any]] = []
    for file in files:
        with open(file, encoding="utf-8") as handle:
            lines.extend(json.loads(line) for line in handle if line.strip())
    return lines


def task_of(line: dict[str, Any]) -> str:
    """The task of one dumped response: its ``task`` column (the medu1 reward manager adds it to every
    reward's extra info), else the registry's task of its ``data_source`` column."""
    return registry.task_of(line.get("data_source"), {"task": line.get("task")})


def response_tokens(line: dict[str, Any], tokenizer: Any) -> float:
    for column in TOKEN_COLUMNS:
        if line.get(column) is not None:
            return float(line[column])
    if tokenizer is not None:
        return float(len(tokenizer(str(line.get("output", "")), add_special_tokens=False)["input_ids"]))
    return math.nan


def _value(line: dict[str, Any], key: str) -> float:
    value = line.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan


def group_of(line: dict[str, Any]) -> str | None:
    """The GRPO group of a dumped response: the trainer's ``group`` column, else the prompt uid that starts
    verl's ``uid`` key; None when the line has neither."""
    if line.get("group") is not None:
        return str(line["group"])
    return str(line["uid"]).split("_", 1)[0] if line.get("uid") is not None else None


def equal_reward_shares(lines: list[dict[str, Any]]) -> dict[tuple[int, str], float]:
    """Per (step, task) and (step, "all"): the share of groups whose scores are all equal."""
    by_step: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        if group_of(line) is not None and not math.isnan(_value(line, "score")):
            by_step[int(line["step"])].append(line)
    shares: dict[tuple[int, str], float] = {}
    for step, members in by_step.items():
        found = equal_reward_groups(
            [str(group_of(m)) for m in members],
            [task_of(m) for m in members],
            [_value(m, "score") for m in members],
        )
        for task in {task_of(m) for m in members} | {ALL_TASKS}:
            key = metric_key(task, "equal_reward_groups")
            if key in found:
                shares[(step, task)] = found[key]
    return shares


def curves(lines: list[dict[str, Any]], tokenizer: Any = None) -> list[dict[str, Any]]:
    """Mean of each metric per (step, task), plus task "all", and the share of equal-reward groups; NaN
    where the dump lacks the column."""
    groups: dict[tuple[int, str], list[dict[str, float]]] = defaultdict(list)
    for line in lines:
        values = {key: _value(line, key) for key in TERMS}
        values["response_tokens"] = response_tokens(line, tokenizer)
        for task in (task_of(line), ALL_TASKS):
            groups[(int(line["step"]), task)].append(values)
    shares = equal_reward_shares(lines)
    rows = []
    for (step, task), members in sorted(groups.items()):
        row: dict[str, Any] = {"step": step, "task": task, "n": len(members)}
        for key in (*TERMS, "response_tokens"):
            present = [m[key] for m in members if not math.isnan(m[key])]
            row[key] = statistics.fmean(present) if present else math.nan
        row["equal_reward_groups"] = shares.get((step, task), math.nan)
        rows.append(row)
    return rows


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["step", "task", "n", *METRICS])
        writer.writeheader()
        writer.writerows(
            {k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in rows
        )


def write_png(rows: list[dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    tasks = sorted({r["task"] for r in rows}, key=lambda t: (t == ALL_TASKS, t))
    fig, axes = plt.subplots(2, 3, figsize=(17, 8), sharex=True)
    for ax, (key, label) in zip(axes.flat, PANELS, strict=True):
        drawn = False
        for task in tasks:
            points = [(r["step"], r[key]) for r in rows if r["task"] == task and not math.isnan(r[key])]
            if points:
                steps, values = zip(*points, strict=True)
                style = {"color": "black", "linestyle": "--"} if task == ALL_TASKS else {}
                ax.plot(steps, values, marker="o", markersize=3, label=task, **style)
                drawn = True
        if drawn:
            ax.legend(fontsize=8)
        else:
            ax.text(0.5, 0.5, f"no '{key}' in the dumps", ha="center", va="center", transform=ax.transAxes)
        if key == "equal_reward_groups":
            ax.set_ylim(-0.05, 1.05)
        ax.set_title(label)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("training step")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump_dir", help="trainer.rollout_data_dir or trainer.validation_data_dir")
    parser.add_argument("--output_dir", default=None, help="default: the dump directory")
    parser.add_argument("--tokenizer", default=None, help="count response tokens by re-tokenising outputs")
    args = parser.parse_args(argv)
    tokenizer = None
    if args.tokenizer:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
    rows = curves(read_dumps(args.dump_dir), tokenizer)
    out = Path(args.output_dir or args.dump_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(rows, out / "training_curves.csv")
    write_png(rows, out / "training_curves.png", f"Med-U1 training curves: {Path(args.dump_dir).name}")
    print(f"{len(rows)} (step, task) points -> {out / 'training_curves.csv'}, {out / 'training_curves.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
