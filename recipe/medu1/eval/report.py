"""The human-facing outputs of an evaluation: ``report.md`` (the tables) and ``report.png`` (the figure).

Why separate from the metrics: the report only renders ``metrics.json`` (plus response lengths for the
histogram), so a paper table can always be traced back to the JSON and the predictions behind it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from data_preprocess.core.files import write_atomic
from reward_score import RULES


def _pct(value: float) -> str:
    return f"{100 * value:.1f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A markdown table, first column left-aligned and the others right-aligned."""
    rule = "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"
    return ["| " + " | ".join(header) + " |", rule, *("| " + " | ".join(row) + " |" for row in rows)]


def _summary(metrics: dict[str, Any]) -> list[str]:
    """The one-row-per-benchmark table: accuracies, unparsed share, lengths and the prompt/response caps."""
    per_source = metrics["per_source"]
    config = metrics["config"]
    pass_keys = sorted({k for m in per_source.values() for k in m if k.startswith(("mean@", "pass@"))})
    freeform = "macro_acc_freeform" in metrics
    header = ["benchmark", "n", "acc %", "acc_strict %", *(["acc_freeform %"] if freeform else [])]
    header += [f"{k} %" for k in pass_keys]
    header += ["unparsed %", "mean tokens", "median tokens", "capped", "truncated", "over train limit"]
    rows = [
        [
            source,
            str(m["n"]),
            _pct(m["acc"]),
            _pct(m["acc_strict"]),
            *([_pct(m["acc_freeform"])] if freeform else []),
            *[_pct(m[k]) if k in m else "" for k in pass_keys],
            _pct(m["unparsed_rate"]),
            f"{m['mean_response_tokens']:.1f}",
            f"{m['median_response_tokens']:.0f}",
            str(m["n_capped"]),
            str(m["n_truncated"]),
            str(m["n_over_train_limit"]),
        ]
        for source, m in per_source.items()
    ]
    macro = f"**Macro accuracy over {len(per_source)} benchmark(s): {_pct(metrics['macro_acc'])} %"
    if freeform:
        macro += f" (acc_freeform {_pct(metrics['macro_acc_freeform'])} %)"
    notes = [
        "",
        f"capped: responses that hit max_new_tokens {config.get('max_new_tokens')} without EOS; "
        "truncated: questions whose prompt was left-cut to fit the context; over train limit: questions "
        f"whose prompt exceeds training's data.max_prompt_length {config.get('train_max_prompt_length')} "
        "(verl's filter_overlong_prompts drops them from validation, this evaluation keeps them).",
    ]
    return [*_table(header, rows), "", macro + "**", *notes]


def _rules(metrics: dict[str, Any]) -> list[str]:
    """How answers were read: the count of each grader rule per benchmark (and with the fallback)."""
    lines = ["", "## Parsed by rule", ""]
    for source, m in metrics["per_source"].items():
        columns = [("rules", "samples")] + (
            [("rules_freeform", "with --freeform")] if "rules_freeform" in m else []
        )
        names = sorted({name for key, _ in columns for name in m[key]})
        rows = [
            [name, *(str(m[key].get(name, 0)) for key, _ in columns), RULES.get(name, "")] for name in names
        ]
        lines += [f"### {source}", "", *_table(["rule", *(t for _, t in columns), "meaning"], rows), ""]
    return lines


def _breakdowns(per_source: dict[str, Any]) -> list[str]:
    """MedCalc accuracy per output type and calculator category."""
    lines: list[str] = []
    for source, m in per_source.items():
        for key, title in (("per_output_type", "output type"), ("per_category", "category")):
            if key in m:
                rows = [[name, str(g["n"]), _pct(g["acc"])] for name, g in m[key].items()]
                lines += ["", f"## {source}: accuracy per {title}", "", *_table([title, "n", "acc %"], rows)]
    return lines


def _letters(per_source: dict[str, Any]) -> list[str]:
    """Per MCQ benchmark: answered letters, gold letters and the best constant letter beside the accuracy."""
    lettered = {s: m for s, m in per_source.items() if "letters" in m}
    if not lettered:
        return []

    def counts(distribution: dict[str, int]) -> str:
        return " ".join(f"{letter} {n}" for letter, n in distribution.items())

    header = ["benchmark", "acc %", "best constant letter", "its acc %", "top answer", "its share %",
              "answers (samples)", "gold (questions)"]  # fmt: skip
    rows = [
        [
            s,
            _pct(m["acc"]),
            m["letters"]["best_constant_letter"],
            _pct(m["letters"]["best_constant_acc"]),
            m["letters"]["top_letter"] or "-",
            _pct(m["letters"]["top_letter_share"]),
            counts(m["letters"]["answers"]),
            counts(m["letters"]["gold"]),
        ]
        for s, m in lettered.items()
    ]
    note = (
        "its share: the top letter's share among the samples that answered one letter (none = unparsed or "
        "a hedge); best constant letter: answering it everywhere would score its acc on these samples."
    )
    return ["", "## Answer letters (MCQ)", "", *_table(header, rows), "", note]


def _adherence_rows(arms: list[dict[str, Any]]) -> list[list[str]]:
    def pct(arm: dict[str, Any], key: str) -> str:
        return _pct(arm[key]) if key in arm and (key != "within_budget" or arm["mode"] == "max") else ""

    return [
        [
            a["mode"],
            str(a["budget"]) if a["budget"] else "",
            str(a["n"]),
            f"{a['mean_length']:.1f}",
            f"{a['mean_abs_error']:.1f}" if "mean_abs_error" in a else "",
            f"{a['mean_rel_error']:.2f}" if "mean_rel_error" in a else "",
            pct(a, "within_10"),
            pct(a, "within_25"),
            pct(a, "within_budget"),
            f"{a['score']:+.2f}",
            _pct(a["acc"]),
        ]
        for a in arms
    ]


def _length_adherence(metrics: dict[str, Any]) -> list[str]:
    """Per benchmark and over all: one row per (mode, N), the rows without an instruction first."""
    adherence = metrics.get("length_adherence")
    if not adherence:
        return []
    header = ["mode", "N", "n", "mean L", "mean abs(L - N)", "mean abs(L - N) / N", "within 10 %",
              "within 25 %", "L <= N %", "score", "acc %"]  # fmt: skip
    lines = [
        "",
        "## Length adherence per budget",
        "",
        "L = response tokens including EOS, the count the reward's length term uses; within x %: "
        "abs(L - N) <= x % of N; L <= N is the maximum mode's target; the correlation is Pearson's over "
        "the exact-budget samples.",
    ]
    blocks = {"all benchmarks": adherence["all"], **adherence["per_source"]}
    for name, block in blocks.items():
        correlation = block["exact_length_correlation"]
        lines += ["", f"### {name}", "", *_table(header, _adherence_rows(block["arms"]))]
        if correlation is not None:
            lines += ["", f"corr(N, L) over exact budgets: {correlation:+.2f}"]
    return lines


def render_markdown(metrics: dict[str, Any]) -> str:
    """The benchmark table, how answers were parsed, MedCalc breakdowns, MCQ answer letters and the length
    adherence per budget."""
    config = metrics["config"]
    lines = [
        "# Med-U1 evaluation",
        "",
        f"Model `{config.get('model')}`, scoring preset `{config.get('preset')}` "
        f"(acc_strict = official `medu1` preset), backend `{config.get('backend')}` (seed scope "
        f"`{config.get('seed_scope')}`), temperature {config.get('temperature')}, "
        f"top_p {config.get('top_p')}, "
        f"max_new_tokens {config.get('max_new_tokens')}, n {config.get('n')}, seed {config.get('seed')}.",
        "",
        *_summary(metrics),
        *_rules(metrics),
        *_breakdowns(metrics["per_source"]),
        *_letters(metrics["per_source"]),
        *_length_adherence(metrics),
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
    macro = 100 * metrics["macro_acc"]
    ax_acc.axvline(macro, color="black", linestyle="--", linewidth=1, label=f"macro acc {macro:.1f}")
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
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    write_atomic(path, png.getvalue())
