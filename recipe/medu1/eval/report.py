"""The human-facing outputs of an evaluation: ``report.md`` (the table) and ``report.png`` (the figure).

Why separate from the metrics: the report only renders ``metrics.json`` (plus response lengths for the
histogram), so a paper table can always be traced back to the JSON and the predictions behind it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recipe.medu1.eval.store import write_atomic


def _pct(value: float) -> str:
    return f"{100 * value:.1f}"


def render_markdown(metrics: dict[str, Any]) -> str:
    """The benchmark table, MedCalc breakdowns, length control and the settings behind them."""
    per_source = metrics["per_source"]
    config = metrics["config"]
    pass_keys = sorted({k for m in per_source.values() for k in m if k.startswith(("mean@", "pass@"))})
    header = [
        "benchmark",
        "n",
        "acc %",
        "acc_strict %",
        *[f"{k} %" for k in pass_keys],
        "unparsed %",
        "mean tokens",
        "median tokens",
        "truncated",
    ]
    lines = [
        "# Med-U1 evaluation",
        "",
        f"Model `{config.get('model')}`, scoring preset `{config.get('preset')}` "
        f"(acc_strict = official `medu1` preset), backend `{config.get('backend')}`, "
        f"temperature {config.get('temperature')}, top_p {config.get('top_p')}, "
        f"max_new_tokens {config.get('max_new_tokens')}, n {config.get('n')}, seed {config.get('seed')}.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|",
    ]
    for source, m in per_source.items():
        row = [
            source,
            str(m["n"]),
            _pct(m["acc"]),
            _pct(m["acc_strict"]),
            *[_pct(m[k]) if k in m else "" for k in pass_keys],
            _pct(m["unparsed_rate"]),
            f"{m['mean_response_tokens']:.1f}",
            f"{m['median_response_tokens']:.0f}",
            str(m["n_truncated"]),
        ]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", f"**Macro accuracy over {len(per_source)} benchmark(s): {_pct(metrics['macro_acc'])} %**"]
    for source, m in per_source.items():
        for key, title in (("per_output_type", "output type"), ("per_category", "category")):
            if key in m:
                lines += [
                    "",
                    f"## {source}: accuracy per {title}",
                    "",
                    f"| {title} | n | acc % |",
                    "|---|---:|---:|",
                ]
                lines += [f"| {name} | {g['n']} | {_pct(g['acc'])} |" for name, g in m[key].items()]
    controlled = {s: m["length_control"] for s, m in per_source.items() if "length_control" in m}
    if controlled:
        lines += [
            "",
            "## Length control",
            "",
            "| benchmark | n | mean budget N | mean abs(L - N) | L <= N % |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {s} | {c['n']} | {c['mean_budget']:.0f} | {c['mean_abs_error']:.1f} "
            f"| {_pct(c['within_budget'])} |"
            for s, c in controlled.items()
        ]
    return "\n".join(lines) + "\n"


def write_markdown(metrics: dict[str, Any], path: str | Path) -> None:
    write_atomic(path, render_markdown(metrics))


def write_figure(metrics: dict[str, Any], records: list[dict[str, Any]], path: str | Path) -> None:
    """Two panels: accuracy per benchmark (acc and acc_strict bars, macro line) and the response-length
    distribution per benchmark (box plots with the max_new_tokens limit marked)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    per_source = metrics["per_source"]
    sources = list(per_source)
    fig, (ax_acc, ax_len) = plt.subplots(1, 2, figsize=(13, max(3.5, 0.55 * len(sources) + 1.8)))
    y = range(len(sources))
    acc = [100 * per_source[s]["acc"] for s in sources]
    strict = [100 * per_source[s]["acc_strict"] for s in sources]
    ax_acc.barh([i + 0.2 for i in y], acc, height=0.4, label=f"acc ({metrics['config'].get('preset')})")
    ax_acc.barh([i - 0.2 for i in y], strict, height=0.4, label="acc_strict (medu1)")
    for i, value, strict_value in zip(y, acc, strict, strict=True):
        ax_acc.text(value + 1, i + 0.2, f"{value:.1f}", va="center", fontsize=8)
        ax_acc.text(strict_value + 1, i - 0.2, f"{strict_value:.1f}", va="center", fontsize=8)
    ax_acc.axvline(
        100 * metrics["macro_acc"],
        color="black",
        linestyle="--",
        linewidth=1,
        label=f"macro acc {100 * metrics['macro_acc']:.1f}",
    )
    ax_acc.set_yticks(list(y), sources)
    ax_acc.invert_yaxis()
    ax_acc.set_xlim(0, 110)
    ax_acc.set_xlabel("accuracy (%)")
    ax_acc.set_title("Accuracy per benchmark")
    ax_acc.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, fontsize=8)

    lengths = [[int(r["response_tokens"]) for r in records if r["data_source"] == s] for s in sources]
    ax_len.boxplot(lengths, orientation="horizontal", tick_labels=sources, showfliers=True)
    ax_len.invert_yaxis()
    limit = metrics["config"].get("max_new_tokens")
    if limit:
        ax_len.axvline(limit, color="red", linestyle=":", linewidth=1, label=f"max_new_tokens {limit}")
        ax_len.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), fontsize=8)
    ax_len.set_xlabel("response tokens (EOS included)")
    ax_len.set_title("Response length distribution")
    fig.tight_layout()
    tmp = Path(path).with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=120, bbox_inches="tight")
    plt.close(fig)
    tmp.replace(path)
