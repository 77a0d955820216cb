"""The length-adherence picture: mean response length L against the budget N, per mode, for one or more runs.

Usage (several runs in one picture, e.g. before and after training)::

    python -m recipe.medu1.eval.length_figure --run before DIR --run after DIR --out length.png

Why a picture of L against N: a model that follows "Think for N tokens." puts its points on the diagonal
L = N, one that only learnt "be short" draws a flat line; under "Think for maximum N tokens." the points
belong below the diagonal. The line of the same rows without an instruction shows where the model goes
unasked. L counts the response tokens including EOS (the reward's count). Drawn from ``metrics.json``
alone (its ``length_adherence`` block over all benchmarks), so the evaluator and any later comparison
draw the same thing.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

from data_preprocess.core.files import write_atomic
from recipe.medu1.eval.store import METRICS

MODES = (("exact", "exact: 'Think for N tokens.'"), ("max", "max: 'Think for maximum N tokens.'"))


def write_length_figure(runs: dict[str, dict[str, Any]], path: str | Path) -> None:
    """One panel per mode: per run, mean L at each N (the maximum panel labels each point with its L <= N
    share), the diagonal L = N, and the run's mean L without an instruction as a dashed line.

    ``runs`` maps a label to a ``length_adherence`` block (``metrics.json["length_adherence"]["all"]``).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (mode, title) in zip(axes, MODES, strict=True):
        budgets: list[int] = []
        for colour, (label, block) in zip(colours, runs.items(), strict=False):
            arms = [a for a in block["arms"] if a["mode"] == mode]
            none = [a for a in block["arms"] if a["mode"] == "none"]
            if arms:
                xs, ys = [a["budget"] for a in arms], [a["mean_length"] for a in arms]
                ax.plot(xs, ys, marker="o", color=colour, label=f"{label}")
                budgets += xs
                if mode == "max":
                    for a in arms:
                        share = f"{100 * a['within_budget']:.0f} %"
                        point = (a["budget"], a["mean_length"])
                        ax.annotate(share, point, xytext=(4, 4), textcoords="offset points", fontsize=7)
            if none:
                unasked = none[0]["mean_length"]
                ax.axhline(
                    unasked, color=colour, linestyle="--", linewidth=1, label=f"{label}, no instruction"
                )
        if budgets:
            top = max(budgets) * 1.1
            ax.plot([0, top], [0, top], color="grey", linestyle=":", linewidth=1, label="L = N")
            ax.set_xlim(0, top)
            ax.legend(fontsize=8)
        else:
            ax.text(0.5, 0.5, f"no {mode} budget", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(title + (" (labels: share with L <= N)" if mode == "max" else ""), fontsize=9)
        ax.set_xlabel("budget N (tokens)")
        ax.set_ylabel("mean response tokens L (EOS included)")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    write_atomic(path, png.getvalue())


def read_block(run_dir: str | Path) -> dict[str, Any]:
    """The all-benchmark ``length_adherence`` block of an evaluation directory (an error when it has none)."""
    metrics = json.loads((Path(run_dir) / METRICS).read_text(encoding="utf-8"))
    if "length_adherence" not in metrics:
        raise SystemExit(f"{run_dir}: no length budgets in {METRICS} (evaluate with --length_budget)")
    return metrics["length_adherence"]["all"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--run",
        nargs=2,
        action="append",
        required=True,
        metavar=("LABEL", "DIR"),
        help="a label and an evaluation directory (repeatable)",
    )
    parser.add_argument("--out", required=True, help="the PNG to write")
    args = parser.parse_args(argv)
    write_length_figure({label: read_block(folder) for label, folder in args.run}, args.out)
    print(f"length adherence of {len(args.run)} run(s) -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
