"""The trained wording: the paper's instructions, the length instruction (and its rewriting) and the message
layout."""

from __future__ import annotations

import pytest

from data_preprocess.core.prompts import (
    SYSTEM_PROMPT,
    TYPE_INSTRUCTIONS,
    build_prompt,
    length_instruction,
    with_length_budget,
)

OPTIONS = {"A": "alpha", "B": "beta", "C": "gamma", "D": "delta"}


def test_type_instructions_are_the_papers_wording():
    assert TYPE_INSTRUCTIONS["mcq"] == (
        "Please provide only the single option letter (e.g., A, B, C, D, etc.) "
        "within the <answer> </answer> tags."
    )
    assert TYPE_INSTRUCTIONS["calc"] == (
        "Please provide the numerical value (e.g., 42 or 3.14) or specific answer (e.g., 10/25/2020 or "
        "('17 weeks', '6 days')) within the <answer> </answer> tags."
    )
    assert TYPE_INSTRUCTIONS["text"] == "Please provide your text answer within the <answer> </answer> tags."
    assert "<think> </think>" in SYSTEM_PROMPT and "<answer> </answer>" in SYSTEM_PROMPT
    assert "first thinks" in SYSTEM_PROMPT


def test_length_instruction_signs():
    assert length_instruction(0) == ""
    assert length_instruction(512) == "Think for 512 tokens."
    assert length_instruction(-300) == "Think for maximum 300 tokens."


def test_build_prompt_mcq_layout():
    messages = build_prompt("Which one?", "mcq", OPTIONS, length_budget=-100)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"] == SYSTEM_PROMPT
    assert messages[1]["content"] == (
        "Which one?\nA. alpha\nB. beta\nC. gamma\nD. delta\n"
        + TYPE_INSTRUCTIONS["mcq"]
        + " Think for maximum 100 tokens."
    )


def test_build_prompt_without_options_or_budget():
    messages = build_prompt("  A note.\n", "calc")
    assert messages[1]["content"] == f"A note.\n{TYPE_INSTRUCTIONS['calc']}"


def row(messages: list[dict[str, str]], budget: int) -> dict:
    return {
        "data_source": "medqa",
        "prompt": messages,
        "extra_info": {"split": "test", "index": 7, "length_budget": budget},
    }


@pytest.mark.parametrize("task", ["mcq", "calc", "text"])
@pytest.mark.parametrize("budget", [256, -512])
def test_length_instruction_matches_training_prompts(task: str, budget: int) -> None:
    """Appending the budget at evaluation gives exactly the prompt preprocessing writes for that budget,
    also when the row already carried another budget (read from its extra_info)."""
    wanted = build_prompt("What is the dose?", task, length_budget=budget)
    messages, info = with_length_budget(row(build_prompt("What is the dose?", task), 0), budget)
    assert messages == wanted and info["length_budget"] == budget
    other = build_prompt("What is the dose?", task, length_budget=1000)
    messages, info = with_length_budget(row(other, 1000), budget)
    assert messages == wanted and info["length_budget"] == budget
    assert with_length_budget(row(other, 1000), None) == (other, row(other, 1000)["extra_info"])


def test_rewriting_replaces_the_instruction_and_never_appends_a_second() -> None:
    """Every budget, applied to a row that already carries one, leaves exactly one instruction: the new one
    (or none for budget 0)."""
    written = row(build_prompt("What is the dose?", "mcq", length_budget=-300), -300)
    for budget, wanted in ((64, "Think for 64 tokens."), (-32, "Think for maximum 32 tokens."), (0, "")):
        messages, info = with_length_budget(written, budget)
        user = messages[-1]["content"]
        assert user.count("Think for") == (1 if budget else 0) and user.endswith(wanted or "tags.")
        assert info["length_budget"] == budget
        again, _ = with_length_budget({**written, "prompt": messages, "extra_info": info}, 16)
        assert again[-1]["content"].count("Think for") == 1 and again[-1]["content"].endswith("16 tokens.")
    assert written["prompt"][-1]["content"].endswith(
        "Think for maximum 300 tokens."
    )  # the row is not mutated


def test_length_budget_refuses_a_row_whose_prompt_lacks_its_instruction() -> None:
    plain = build_prompt("What is the dose?", "mcq")
    with pytest.raises(ValueError, match=r"medqa test row 7: extra_info.length_budget is 300"):
        with_length_budget(row(plain, 300), 100)
