"""The length budgets of the training and validation rows: the share of rows per source whose prompt asks for
a length ("Think for (maximum) N tokens."), per mode, with the range of N.

Why: Med-U1's length term is paid only on rows that carry a budget (``extra_info.length_budget`` != 0), so a
run meant to learn length control whose data has no budget, or budgets on one source only, trains the
answer objective alone without any error. An exact budget longer than ``data.max_response_length`` can
never be met: the response is cut before it gets there. And the term's scales must fit the response cap:
the paper's ``length_scale`` 1500 / ``length_max_scale`` 500 are sized for 4096-token responses; under a
128-token cap the exact term could then move by at most 128 / 1500 = 0.085 over every possible length, a
signal lost next to the ±1 of format and answer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from data_preprocess.core.prompts import length_mode
from recipe.medu1.preflight.data import DataFile
from recipe.medu1.preflight.findings import Finding, fact, warning
from recipe.medu1.preflight.reward import configured_settings
from reward_score import resolve_settings

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
    modes = Counter(length_mode(b) for b in budgets if b)
    with_budget = sum(modes.values())
    text = f"{source} {with_budget}/{len(budgets)} ({100 * with_budget / len(budgets):.0f} %"
    if with_budget:
        sizes = [abs(b) for b in budgets if b]
        text += f": exact {modes['exact']}, max {modes['max']}, N {min(sizes)}-{max(sizes)}"
    return text + ")"


#: Below this, the length term's whole reach over the response cap (cap / scale) is called too small.
MIN_LENGTH_TERM_REACH = 0.5
#: The response cap the paper's scales were chosen for (its data.max_response_length).
PAPER_RESPONSE_CAP = 4096


def _weak_scales(ctx: Preflight, modes: set[str], cap: int) -> list[Finding]:
    """A warning per budget mode whose term cannot move by MIN_LENGTH_TERM_REACH over the response cap,
    with the paper's scale resized to this cap."""
    settings = configured_settings(ctx)
    if settings is None:
        return []
    paper, _ = resolve_settings({"preset": "medu1"})
    findings = []
    for mode, key in (("exact", "length_scale"), ("max", "length_max_scale")):
        scale = getattr(settings, key)
        if mode in modes and cap / scale < MIN_LENGTH_TERM_REACH:
            resized = round(getattr(paper, key) * cap / PAPER_RESPONSE_CAP)
            findings.append(
                warning(
                    f"{mode} length budgets: with {key}={scale:g} and data.max_response_length={cap} the "
                    f"length term moves by at most {cap / scale:.3f} over every possible length; the paper's "
                    f"{key}={getattr(paper, key):g} is for {PAPER_RESPONSE_CAP}-token responses, resized to "
                    f"this cap it is {resized}: +reward.custom_reward_function.reward_kwargs.{key}={resized}"
                )
            )
    return findings


def check_length_budgets(ctx: Preflight) -> list[Finding]:
    """A summary line per data file with the budgeted share per source, and a warning for exact budgets
    longer than the response cap."""
    lines, findings, modes = [], [], set()
    cap = int(ctx.cfg.data.max_response_length)
    for data_file in ctx.train + ctx.val:
        per_source = budgets_per_source(data_file)
        if not per_source:
            continue
        modes |= {length_mode(b) for budgets in per_source.values() for b in budgets if b}
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
    findings += _weak_scales(ctx, modes, cap)
    if lines:
        findings.insert(0, fact("length budgets", "\n".join(lines)))
    return findings
