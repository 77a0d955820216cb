"""Evaluation prompts: the length budgets of ``--length_budget`` and the chat-templated, truncated token ids.

Why from ``extra_info``: a row's ``extra_info["length_budget"]`` says which length instruction its
prompt carries (the converters append it as the last sentence of the user turn, separated by one
space). The evaluator trusts that field, replaces exactly that instruction, and refuses a row whose
prompt does not end with it, instead of guessing from the prompt text (a silent guess would append a
second, contradicting instruction).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from data_preprocess.core.prompts import length_suffix


class EncodedPrompt(NamedTuple):
    """The prompt token ids fed to the model and the full templated length before truncation."""

    ids: list[int]
    full_length: int


def parse_length_budget(text: str) -> int:
    """``N`` or ``exact:N`` -> N; ``max:N`` -> -N (the signed budget of the data contract); ``none`` -> 0
    (no length instruction at all)."""
    if text == "none":
        return 0
    mode, _, number = text.rpartition(":")
    if mode not in ("", "exact", "max") or not number.isdigit() or int(number) <= 0:
        raise ValueError(f"--length_budget must be none, N, exact:N or max:N with N > 0, got {text!r}")
    return -int(number) if mode == "max" else int(number)


def parse_length_budgets(texts: list[str] | None) -> list[int] | None:
    """The budgets of one run in the given order, repeats dropped; None (no flag) -> None: every row
    keeps the instruction it was written with."""
    return None if texts is None else list(dict.fromkeys(parse_length_budget(text) for text in texts))


def with_length_budget(
    row: dict[str, Any], budget: int | None
) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """The row's chat messages and extra_info with the length instruction for ``budget`` (None: unchanged;
    0: no instruction).

    The row's own instruction (``extra_info["length_budget"]``, 0 = none) is removed first, so the prompt
    never carries two; a prompt that does not end with it raises ``ValueError`` naming the row.
    """
    messages = [dict(m) for m in row["prompt"]]
    info = dict(row["extra_info"])
    if budget is None:
        return messages, info
    user = max(i for i, m in enumerate(messages) if m["role"] == "user")
    content = messages[user]["content"]
    own = int(info.get("length_budget") or 0)
    if own:
        suffix = length_suffix(own)
        if not content.endswith(suffix):
            raise ValueError(
                f"{row['data_source']} {info.get('split')} row {info.get('index')}: extra_info.length_budget "
                f"is {own} but the user prompt does not end with {suffix.strip()!r}"
            )
        content = content[: -len(suffix)]
    messages[user]["content"] = content + length_suffix(budget)
    info["length_budget"] = budget
    return messages, info


def encode_prompt(tokenizer: Any, messages: list[dict[str, str]], max_prompt_tokens: int) -> EncodedPrompt:
    """Token ids of the chat-templated prompt, left-truncated to ``max_prompt_tokens`` like verl's
    ``truncation='left'``, with the full length (what verl's ``filter_overlong_prompts`` measures)."""
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    ids = list(tokenizer(text, add_special_tokens=False)["input_ids"])
    return EncodedPrompt(ids[-max_prompt_tokens:], len(ids))
