"""Evaluation prompts: the length budgets of ``--length_budget`` and the chat-templated, truncated token ids.

A requested budget replaces the row's own instruction through
:func:`data_preprocess.core.prompts.with_length_budget`, the rewriting the training mixture uses too.
"""

from __future__ import annotations

from typing import Any, NamedTuple


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


def encode_prompt(tokenizer: Any, messages: list[dict[str, str]], max_prompt_tokens: int) -> EncodedPrompt:
    """Token ids of the chat-templated prompt, left-truncated to ``max_prompt_tokens`` like verl's
    ``truncation='left'``, with the full length (what verl's ``filter_overlong_prompts`` measures)."""
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    ids = list(tokenizer(text, add_special_tokens=False)["input_ids"])
    return EncodedPrompt(ids[-max_prompt_tokens:], len(ids))
