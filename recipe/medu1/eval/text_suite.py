"""Which open-ended answers each text rule credits, on real pairs: ``python -m recipe.medu1.eval.text_suite``.

Prints one table per source and one over all sources: per answer kind (see
:mod:`recipe.medu1.eval.text_pairs`), whether it should be credited and the share each rule credits —
``robust`` (the robust preset's default), ``medu1`` (the paper's Merge > 45) and ``rougeL`` (ROUGE-L
above ``--rouge-threshold``) — then the shares over all gaming and all good answers, against the goal
(gaming credited ≤ 3 %, good credited ≥ 75 %). Each answer is scored through ``compute_score`` inside
``<think>…</think><answer>…</answer>``, with the row's question in ``extra_info`` as a converter writes it.
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from pathlib import Path

from recipe.medu1.eval.text_pairs import GAMING_KINDS, GOOD_KINDS, Case, suite
from reward_score import compute_score

GOAL_GAMING, GOAL_GOOD = 0.03, 0.75


def rules(rouge_threshold: float) -> dict[str, dict[str, object]]:
    """The compared rules as ``compute_score`` kwargs."""
    return {
        "robust": {"preset": "robust"},
        "medu1": {"preset": "medu1"},
        "rougeL": {"preset": "medu1", "text_metric": "rougeL", "text_threshold": rouge_threshold},
    }


def credited(case: Case, kwargs: dict[str, object]) -> bool:
    response = f"<think>\nreasoning\n</think>\n<answer>{case.answer}</answer>"
    info = {"task": "text", "question": case.pair.question}
    return compute_score(case.pair.source, response, case.pair.reference, info, **kwargs)["acc"] == 1.0


def credit_table(cases: list[Case], rule_kwargs: dict[str, dict[str, object]]) -> dict[str, dict[str, float]]:
    """{kind (and "all gaming" / "all good"): {"n": count, rule: share credited}}."""
    counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for case in cases:
        group = "all good" if case.should_credit else "all gaming"
        for key in (case.kind, group):
            counts[key]["n"] += 1
        for rule, kwargs in rule_kwargs.items():
            if credited(case, kwargs):
                for key in (case.kind, group):
                    counts[key][rule] += 1
    order = [*GOOD_KINDS, *GAMING_KINDS, "all good", "all gaming"]
    return {
        kind: {"n": counts[kind]["n"], **{r: counts[kind][r] / counts[kind]["n"] for r in rule_kwargs}}
        for kind in order
        if counts[kind]["n"]
    }


def render(title: str, table: dict[str, dict[str, float]], rule_names: list[str]) -> str:
    lines = [f"## {title}", "", f"| kind | should credit | n | {' | '.join(rule_names)} |",
             "|---|---|---:|" + "---:|" * len(rule_names)]  # fmt: skip
    for kind, row in table.items():
        should = "yes" if kind in GOOD_KINDS or kind == "all good" else "no"
        shares = " | ".join(f"{100 * row[r]:.1f} %" for r in rule_names)
        lines.append(f"| {kind} | {should} | {int(row['n'])} | {shares} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data_root", type=Path, default=os.environ.get("MEDU1_REAL_DATA"))
    parser.add_argument("--per_source", type=int, default=None, help="a seeded sample of pairs per source")
    parser.add_argument("--rouge-threshold", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.data_root is None:
        parser.error("give --data_root or set MEDU1_REAL_DATA")
    cases = suite(args.data_root, args.per_source, args.seed)
    rule_kwargs = rules(args.rouge_threshold)
    names = list(rule_kwargs)
    for source in dict.fromkeys(case.pair.source for case in cases):
        print(render(source, credit_table([c for c in cases if c.pair.source == source], rule_kwargs), names))
        print()
    overall = credit_table(cases, rule_kwargs)
    print(render("all sources", overall, names))
    gaming, good = overall["all gaming"]["robust"], overall["all good"]["robust"]
    print(f"\nrobust: gaming credited {100 * gaming:.1f} % (goal <= {100 * GOAL_GAMING:.0f} %), "
          f"good credited {100 * good:.1f} % (goal >= {100 * GOAL_GOOD:.0f} %)")  # fmt: skip


if __name__ == "__main__":
    main()
