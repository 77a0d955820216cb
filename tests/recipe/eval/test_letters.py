"""The MCQ answer-letter view on hand-made scored samples of known letter."""

from __future__ import annotations

import math

import pytest

from recipe.medu1.eval.letters import NO_LETTER, answer_letter, letter_distribution


def sample(index: int, gold: str, pred: str, parsed: float = 1.0, rule: str = "letter", **extra) -> dict:
    return {
        "split": "test",
        "index": index,
        "ground_truth": gold,
        "pred": pred,
        "parsed": parsed,
        "rule": rule,
        **extra,
    }


def test_answer_letter_reads_only_a_single_parsed_letter() -> None:
    assert answer_letter(sample(0, "A", "d")) == "D"
    assert answer_letter(sample(0, "A", "D", rule="exact_letter")) == "D"
    assert answer_letter(sample(0, "A", "nothing here", parsed=0.0, rule="no_answer")) == NO_LETTER
    assert answer_letter(sample(0, "A", "A or B", rule="hedge")) == NO_LETTER
    assert answer_letter(sample(0, "A", "aspirin", parsed=0.0, rule="no_letter")) == NO_LETTER


OPTIONS = '{"A": "Aspirin", "B": "Heparin", "C": "Staph", "D": "Warfarin"}'


def test_answer_letter_is_the_letter_the_answer_names_whatever_the_preset_credited() -> None:
    """Under the paper's exact rule "C. Staph" is no letter (wrong); the view still counts it as C, so a
    policy that writes "C. <text>" everywhere shows as collapsed on C."""

    def under_exact(answer: str) -> dict:
        response = f"<think>x</think>\n<answer>{answer}</answer>"
        extra = {"response": response, "extra_info": {"options": OPTIONS}}
        return sample(0, "A", answer, parsed=1.0, rule="no_letter", **extra)

    assert answer_letter(under_exact("C. Staph")) == "C"
    assert answer_letter(under_exact("Option D")) == "D"
    assert answer_letter(under_exact("Heparin")) == "B"
    assert answer_letter(under_exact("A or B")) == NO_LETTER
    assert answer_letter(under_exact("a bacterium")) == NO_LETTER
    untagged = sample(0, "A", "", parsed=0.0, rule="no_answer", response="C. Staph", extra_info={})
    assert answer_letter(untagged) == NO_LETTER
    collapsed = [under_exact(f"C. {text}") for text in ("Staph", "Staph aureus", "Staph.")]
    view = letter_distribution(collapsed)
    assert view["top_letter"] == "C" and view["top_letter_share"] == 1.0


def test_a_collapsed_model_is_seen_next_to_the_best_constant_letter() -> None:
    # 4 questions x 2 samples; gold letters D, B, A, D; the model answers D 7 times and fails to parse once.
    golds = ["D", "B", "A", "D"]
    records = [sample(i, gold, "D") for i, gold in enumerate(golds)]
    records += [sample(i, gold, "D") for i, gold in enumerate(golds[:3])]
    records.append(sample(3, "D", "", parsed=0.0, rule="no_answer"))
    view = letter_distribution(records)
    assert view["answers"] == {"D": 7, NO_LETTER: 1}
    assert view["top_letter"] == "D" and view["top_letter_share"] == 1.0
    assert view["gold"] == {"A": 1, "B": 1, "D": 2}  # per question, not per sample
    # Gold per sample: D 4, B 2, A 2 of 8 -> answering D everywhere scores 4/8.
    assert view["best_constant_letter"] == "D" and view["best_constant_acc"] == 0.5


def test_a_spread_of_answers_and_ties() -> None:
    records = [sample(0, "A", "A"), sample(1, "B", "C"), sample(2, "C", "B"), sample(3, "D", "B")]
    view = letter_distribution(records)
    assert view["answers"] == {"A": 1, "B": 2, "C": 1}
    assert view["top_letter"] == "B" and view["top_letter_share"] == pytest.approx(0.5)
    # Every gold letter once: the tie goes to the first letter.
    assert (view["best_constant_letter"], view["best_constant_acc"]) == ("A", 0.25)


def test_no_letter_at_all() -> None:
    view = letter_distribution([sample(0, "C", "", parsed=0.0, rule="no_answer")])
    assert view["answers"] == {NO_LETTER: 1} and view["top_letter"] == ""
    assert math.isnan(view["top_letter_share"])  # not measured, so never a pass of the collapse limit
    assert view["best_constant_letter"] == "C" and view["best_constant_acc"] == 1.0
