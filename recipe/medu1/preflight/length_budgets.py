"""The length budgets of the training and validation rows: the share of rows per source whose prompt asks for
a length ("Think for (maximum) N tokens."), per mode, with the range of N.

Why: Med-U1's length term is paid only on rows that carry a budget (``extra_info.length_budget`` != 0), so a
run meant to learn length control whose data has no budget, or budgets on one source only, trains the
answer objective alone without any error. An exact budget longer than ``data.max_response_length`` can
never be met: the response is cut before it gets there.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from recipe.medu1.preflight.data import DataFile
from recipe.medu1.preflight.findings import Finding, fact, warning

if TYPE_CHECKING:
    from recipe.medu1.preflight.context import Preflight


def budgets_per_source(data_file: DataFile) -> dict[str, list[int]]:
    """Per data source, the signed budget of each row (0: none); empty for a file that was not read."""
    if data_file.table is None:
        return {}
    budgets: dict[str, list[int]] = defaultdict(list)
    sources = data_file.table.column("data_source").to_pylist()
    for source, info in zip(sources, data_file.table.column("extra_info").to_pylist(), strict=True):
        budgets[source].append(int((info or {}).get("length_budget") or 0))
    return dict(budgets)


def _source_text(source: str, budgets: list[int]) -> str:
    modes = Counter("exact" if b > 0 else "max" for b in budgets if b)
    with_budget = sum(modes.values())
    text = f"{source} {with_budget}/{len(budgets)} ({100 * with_budget / len(budgets):.0f} %"
    if with_budget:
        sizes = [abs(b) for b in budgets if b]
        text += f": exact {modes['exact']}, max {modes['max']}, N {min(sizes)}-{max(sizes)}"
    return text + ")"


def check_length_budgets(ctx: Preflight) -> list[Finding]:
    """A summary line per data file with the budgeted share per source, and a warning for exact budgets
    longer than the response cap."""
    lines, findings = [], []
    cap = int(ctx.cfg.data.max_response_length)
    for data_file in ctx.train + ctx.val:
        per_source = budgets_per_source(data_file)
        if not per_source:
            continue
        parts = ", ".join(_source_text(source, budgets) for source, budgets in sorted(per_source.items()))
        lines.append(f"{data_file.key}: {parts}")
        unreachable = sorted({b for budgets in per_source.values() for b in budgets if b > cap})
        if unreachable:
            findings.append(
                warning(
                    f"{data_file.key}: {data_file.path} has exact length budgets above "
                    f"data.max_response_length={cap} (N {unreachable[0]}-{unreachable[-1]}): the response is "
                    "cut before it reaches N, so the length term can never be earned in full"
                )
            )
    if lines:
        findings.insert(0, fact("length budgets", "\n".join(lines)))
    return findings
