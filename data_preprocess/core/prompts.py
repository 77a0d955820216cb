"""The prompt wording the model is trained on: the system prompt, the per-task answer instructions and
the length instruction, and the chat messages built from them.

Why here and only here: a policy learns the exact wording, so training data, toy data and evaluation
prompts must all come from these strings.

A row's ``extra_info["length_budget"]`` says which length instruction its prompt carries (appended as the
last sentence of the user turn, after one space). :func:`with_length_budget` trusts that field, replaces
exactly that instruction, and refuses a row whose prompt does not end with it, instead of guessing from the
prompt text (a silent guess would append a second, contradicting instruction).
"""

from __future__ import annotations

from typing import Any

from data_preprocess.core.choices import format_options

#: The R1-Zero-style system prompt of the official Med-U1 MCQ parquets, verbatim.
SYSTEM_PROMPT = (
    "You are a helpful medical assistant. There is a conversation between User and Assistant. "
    "The user asks a medical question, and the Assistant solves it. The Assistant first thinks about "
    "the reasoning process in the mind and then provides the user with just the final answer. "
    "The reasoning process and final answer are enclosed within <think> </think> and <answer> </answer> "
    "tags, respectively, i.e., <think> reasoning process here </think><answer> final answer here </answer>."
)

#: Per-task answer instruction, the paper's exact wording; its keys are the tasks (mcq, calc, text).
TYPE_INSTRUCTIONS: dict[str, str] = {
    "mcq": "Please provide only the single option letter (e.g., A, B, C, D, etc.) within the "
    "<answer> </answer> tags.",
    "calc": "Please provide the numerical value (e.g., 42 or 3.14) or specific answer (e.g., 10/25/2020 "
    "or ('17 weeks', '6 days')) within the <answer> </answer> tags.",
    "text": "Please provide your text answer within the <answer> </answer> tags.",
}

#: Chat-template control tokens that must never appear inside a message: the official Med-U1 parquets
#: stored prompts already templated, so the trainer templated them a second time. We store plain
#: messages and let the trainer apply the template once.
CHAT_TEMPLATE_MARKERS = ("<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|begin_of_text|>", "<|eot_id|>")


def length_instruction(length_budget: int) -> str:
    """The L1-style instruction for a signed budget: >0 exact, <0 maximum, 0 none (empty string)."""
    if length_budget > 0:
        return f"Think for {length_budget} tokens."
    if length_budget < 0:
        return f"Think for maximum {-length_budget} tokens."
    return ""


def length_mode(length_budget: int) -> str:
    """The mode a signed budget asks for: "exact" (> 0), "max" (< 0) or "none" (0)."""
    return "exact" if length_budget > 0 else "max" if length_budget < 0 else "none"


def length_suffix(length_budget: int) -> str:
    """What a length budget appends to the user turn (a space, then the instruction; "" for 0), so that the
    evaluator can strip and replace it exactly as the converters wrote it."""
    return f" {length_instruction(length_budget)}" if length_budget else ""


def question_text(question: str, options: dict[str, str] | None = None) -> str:
    """The question as the user sees it: the question, then its option lines; no instruction. Rows keep it
    in ``extra_info["question"]`` so a reward can tell an answer that restates the question from one
    that answers it."""
    body = question.strip()
    return f"{body}\n{format_options(options)}" if options else body


def build_prompt(
    question: str, task: str, options: dict[str, str] | None = None, length_budget: int = 0
) -> list[dict[str, str]]:
    """Chat messages [system, user]; the user turn is :func:`question_text`, then the type (+ length)
    instruction."""
    body = question_text(question, options)
    instruction = TYPE_INSTRUCTIONS[task] + length_suffix(length_budget)
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"{body}\n{instruction}"},
    ]


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
