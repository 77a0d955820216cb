"""The trained wording: the paper's instructions, the length instruction and the message layout."""

from __future__ import annotations

from data_preprocess.core.prompts import SYSTEM_PROMPT, TYPE_INSTRUCTIONS, build_prompt, length_instruction

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
