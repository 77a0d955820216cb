"""How many rows ``data.filter_overlong_prompts`` would drop, per file and data source.

Why: verl drops prompts longer than ``data.max_prompt_length`` from validation too, while the evaluator
keeps them, so a source with long prompts (MedCalc patient notes) is scored on different questions in
validation and evaluation unless the drop is known. With a local tokenizer the count is exact (each
prompt templated and tokenized as verl's ``RLHFDataset`` does); with a hub id it is estimated from
characters and labelled so.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from recipe.medu1.preflight.composition import plain
from recipe.medu1.preflight.data import DataFile
from recipe.medu1.preflight.findings import Finding, error, fact, warning
from recipe.medu1.preflight.model import usable_tokenizer

if TYPE_CHECKING:
    from recipe.medu1.preflight.context import Preflight

#: Characters per token assumed without a tokenizer, as a (dense, sparse) range around a measurement:
#: MedCalc-Bench's 1047 test prompts average 3.8 characters per token with SmolLM2's 49k-token BPE
#: (which, like Qwen2.5's, splits numbers into single digits), and that estimate gives 18 prompts over
#: 2048 tokens where the tokenizer counts 16. Qwen2.5's 151k vocabulary packs text at least as densely
#: per token. The dense end gives the upper drop count.
CHARS_PER_TOKEN = (3.5, 4.5)
#: Chat-template tokens around each message (role header and end marker), plus the generation prompt.
TEMPLATE_TOKENS_PER_MESSAGE = 5


def exact_lengths(tokenizer: Any, prompts: list[list[dict]], chat_kwargs: dict) -> list[int]:
    """Prompt tokens exactly as verl's filter counts them (``RLHFDataset.doc2len``)."""
    from verl.utils.tokenizer import normalize_token_ids

    return [
        len(
            normalize_token_ids(
                tokenizer.apply_chat_template(p, add_generation_prompt=True, tokenize=True, **chat_kwargs)
            )
        )
        for p in prompts
    ]


def estimated_lengths(prompts: list[list[dict]], chars_per_token: float) -> list[int]:
    """Prompt tokens estimated from characters (no tokenizer available offline)."""
    return [
        round(sum(len(str(m.get("content") or "")) for m in p) / chars_per_token)
        + TEMPLATE_TOKENS_PER_MESSAGE * (len(p) + 1)
        for p in prompts
    ]


def _over_per_source(data_file: DataFile, lengths: list[int], limit: int) -> Counter:
    sources = data_file.table.column("data_source").to_pylist()
    return Counter(s for s, n in zip(sources, lengths, strict=True) if n > limit)


def _drops(ctx: Preflight, data_file: DataFile) -> tuple[Counter, Counter]:
    """(low, high) rows over the limit per source; equal when counted exactly."""
    limit = int(ctx.cfg.data.max_prompt_length)
    prompt_key = str(ctx.cfg.data.get("prompt_key", "prompt"))
    prompts = data_file.table.column(prompt_key).to_pylist()
    tokenizer = usable_tokenizer(ctx)
    if tokenizer is not None:
        chat_kwargs = plain(ctx.cfg.data.get("apply_chat_template_kwargs"))
        exact = _over_per_source(data_file, exact_lengths(tokenizer, prompts, chat_kwargs), limit)
        return exact, exact
    sparse, dense = (estimated_lengths(prompts, cpt) for cpt in reversed(CHARS_PER_TOKEN))
    return _over_per_source(data_file, sparse, limit), _over_per_source(data_file, dense, limit)


def _count(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def check_overlong_prompts(ctx: Preflight) -> list[Finding]:
    """Per file and source: rows over ``data.max_prompt_length`` (dropped, or left-truncated at rollout)."""
    data = ctx.cfg.data
    exact = usable_tokenizer(ctx) is not None
    action = (
        "dropped by data.filter_overlong_prompts"
        if data.filter_overlong_prompts
        else "left-truncated at rollout"
    )
    how = (
        "exact (local tokenizer)"
        if exact
        else (
            f"estimated from characters ({CHARS_PER_TOKEN[0]:g}-{CHARS_PER_TOKEN[1]:g} per token; "
            "a local MODEL_PATH gives the exact count)"
        )
    )
    lines, findings = [f"rows over data.max_prompt_length={data.max_prompt_length}, {action}; {how}:"], []
    for data_file in ctx.train + ctx.val:
        if data_file.table is None:
            continue
        low, high = _drops(ctx, data_file)
        per_source = ", ".join(
            f"{s} {_count(low[s], high[s])}/{n}" for s, n in sorted(data_file.sources.items())
        )
        lines.append(f"{data_file.key.removeprefix('data.')} {data_file.path}: {per_source}")
        if exact and sum(low.values()) == data_file.rows:
            findings.append(
                error(
                    f"every prompt of {data_file.path} is longer than "
                    f"data.max_prompt_length={data.max_prompt_length}: all would be {action}"
                )
            )
        elif data_file.key == "data.val_files" and sum(high.values()) and data.filter_overlong_prompts:
            sources = ", ".join(f"{s} {_count(low[s], high[s])}" for s in sorted(high))
            findings.append(
                warning(
                    f"validation drops prompts over data.max_prompt_length={data.max_prompt_length} "
                    f"({sources}"
                    f"{'' if exact else ', estimated'}) that the evaluator keeps: validation and evaluation "
                    "scores of those sources are over different questions"
                )
            )
    return [fact("long prompts", "\n".join(lines)), *findings]
