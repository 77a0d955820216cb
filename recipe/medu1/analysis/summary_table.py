"""The before/after table of a ``make demo`` run, rendered from its ``summary.json`` as Markdown.

Why a script: the README and the results page show this table, and a table retyped by hand drifts from
the run it claims to describe. Pasting this output keeps every figure traceable to one ``summary.json``.
One row per held-out benchmark and one for all of them; each cell reads "before → after". The lines under
the table give the training score per GRPO step, the credited open-ended answers that only repeat the
question, and each learning criterion with its target.

Usage::

    python -m recipe.medu1.analysis.summary_table outputs/quickstart/summary.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

HEADER = "| benchmark | task | n | score | acc | format +1 | tokens |\n|---|---|---|---|---|---|---|"


def _arrow(before: float, after: float, spec: str) -> str:
    return f"{before:{spec}} → {after:{spec}}"


def _questions(row: dict[str, Any]) -> str:
    """Questions, with the samples per question on the all-benchmarks row (where they are summed)."""
    if row["task"] != "all" or not row["n"]:
        return str(row["n"])
    return f"{row['n']} (×{row['samples'] // row['n']} samples)"


def table(summary: dict[str, Any]) -> str:
    """The held-out before/after table: score, accuracy, share in format and mean response tokens."""
    before, after = summary["eval"]["before"], summary["eval"]["after"]
    benchmarks = [name for name in before if name != "all"] + ["all"]
    lines = [HEADER]
    for name in benchmarks:
        b, a = before[name], after[name]
        cells = [
            name,
            b["task"],
            _questions(b),
            _arrow(b["score"], a["score"], "+.2f"),
            _arrow(b["acc"], a["acc"], ".0%"),
            _arrow(b["format_rate"], a["format_rate"], ".0%"),
            _arrow(b["mean_tokens"], a["mean_tokens"], ".0f"),
        ]
        lines.append(f"| {' | '.join(cells)} |")
    return "\n".join(lines)


def notes(summary: dict[str, Any]) -> list[str]:
    """What the table cannot show: the training trend, echo answers, and whether each criterion was met."""
    before, after = summary["eval"]["before"], summary["eval"]["after"]
    scores = " ".join(f"{step['score']:+.2f}" for step in summary["train"]["steps"])
    lines = [f"Training score per step: {scores}."]
    for name, row in before.items():
        if "echo_credited" in row:
            lines.append(
                f"{name}: credited answers that only repeat the question's words: "
                f"{row['echo_credited']} before, {after[name]['echo_credited']} after."
            )
    targets = {**summary["criteria"], **summary.get("length", {}).get("criteria", {})}
    for name, c in targets.items():
        lines.append(f"{name}: {c['value']:+.2f} (target {c['target']}, {'met' if c['met'] else 'not met'}).")
    return lines


def render(summary: dict[str, Any]) -> str:
    return table(summary) + "\n\n" + "\n".join(notes(summary))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("summary", type=Path, help="summary.json of a make demo run")
    args = parser.parse_args(argv)
    print(render(json.loads(args.summary.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
