"""The evaluation-only free-form fallback: where it reads, what it accepts, what it still refuses."""

from __future__ import annotations

import json

import pytest

from reward_score import compute_score
from reward_score.freeform import FREEFORM_TAIL_MAX_CHARS, freeform_tail

OPTIONS = {"A": "Naloxone", "B": "Flumazenil", "C": "Physostigmine", "D": "Acute pancreatitis"}
MCQ = {"task": "mcq", "options": json.dumps(OPTIONS)}
CALC = {
    "task": "calc",
    "calculator_id": 2,
    "output_type": "decimal",
    "lower_limit": 24.0,
    "upper_limit": 26.5,
}
FREEFORM = {"preset": "robust", "freeform_fallback": True}


def mcq(response: str, truth: str = "C", **kwargs: object) -> dict:
    return compute_score("medqa", response, truth, MCQ, **(FREEFORM | kwargs))


@pytest.mark.parametrize(
    ("response", "rule"),
    [
        ("<think>Opioids are excluded.</think>The answer is C.", "freeform_anchor"),
        ("Final answer: C", "freeform_anchor"),
        ("Reasoning first.\nAnswer: (C)", "freeform_anchor"),
        ("**Final Answer**: C", "freeform_anchor"),
        ("The correct option is C, physostigmine.", "freeform_anchor"),
        ("The answer is not A. The answer is C", "freeform_anchor"),  # the negated anchor names nothing
        ("A. Naloxone: no\nB. Flumazenil: no\nAnswer: C", "freeform_anchor"),  # options discussed first
        ("## Final Response\n\nThe answer is C", "freeform_anchor"),
        ("<think>the answer is A</think>\nThe answer is C", "freeform_anchor"),  # only the tail is read
        ("Anticholinergic toxidrome.\n**C**", "freeform_last_line"),
        ("Anticholinergic toxidrome.\n(C)", "freeform_last_line"),
        ("Physostigmine is the antidote.", "freeform_option_text"),
        ("The antidote here is physostigmine.", "freeform_option_text"),
        ("Answer：（C）", "freeform_anchor"),  # full-width, folded before anchors are searched
    ],
)
def test_accepted(response: str, rule: str) -> None:
    result = mcq(response)
    assert (result["acc"], result["parsed"], result["pred"], result["rule"]) == (1.0, 1.0, "C", rule)
    assert result["format"] == -1.0  # no tags: the format term is never earned by the fallback


@pytest.mark.parametrize(
    "response",
    [
        "The answer is A or C",
        "The answer is A/C",
        "The answer is both A and C",
        "The answer is (A) Naloxone. (C) Physostigmine.",
        "The answer is A. On reflection, the answer is C.",  # two anchored answers, two letters
        "Answer: C\n(A) Naloxone would also work",  # a later line opens with another letter
        "Naloxone, or rather Physostigmine",  # two option texts, one at each edge
    ],
)
def test_hedges_are_read_and_wrong(response: str) -> None:
    for truth in "AC":
        result = mcq(response, truth)
        assert (result["acc"], result["parsed"], result["rule"]) == (0.0, 1.0, "hedge"), truth


@pytest.mark.parametrize(
    ("response", "rule"),
    [
        ("The diagnosis is not Acute pancreatitis.", "no_answer"),  # negation guard
        ("Acute pancreatitis is unlikely here.", "no_answer"),
        ("The answer is not D", "no_answer"),
        ("I would go with C or so", "no_answer"),  # no anchor, no lone letter, no option text at an edge
        ("The answer is E", "not_an_option"),
        ("Answer: E.\nE", "not_an_option"),
        ("", "no_answer"),
    ],
)
def test_refused(response: str, rule: str) -> None:
    result = mcq(response, "D")
    assert (result["acc"], result["parsed"], result["rule"]) == (0.0, 0.0, rule)


def test_only_without_tags_and_without_boxed() -> None:
    assert mcq("<think>x</think><answer></answer> The answer is C")["rule"] == "no_answer"  # a tag exists
    assert mcq("<think>x</think><answer>A</answer> The answer is C")["pred"] == "A"
    assert mcq("The answer is \\boxed{A}. The answer is C")["pred"] == "A"  # boxed comes first under robust
    assert mcq("The answer is C", freeform_fallback=False)["rule"] == "no_answer"


def test_the_configured_rule_reads_what_the_fallback_found() -> None:
    """Under the paper's exact rule the located answer must itself be a bare letter."""
    assert mcq("The answer is C.", preset="medu1")["acc"] == 1.0
    assert mcq("The answer is (C).", preset="medu1")["rule"] == "no_letter"
    assert mcq("Physostigmine is the antidote.", preset="medu1")["acc"] == 0.0


@pytest.mark.parametrize(
    ("response", "acc", "parsed"),
    [
        ("CrCl = (140 - 70) * 60 / (72 * 1.2) = 25.2 mL/min", 1.0, 1.0),
        ("The answer is 25.2 mL/min, which is moderately reduced (stage 3)", 1.0, 1.0),
        ("So the clearance is approximately 25.0.", 1.0, 1.0),
        ("CrCl = 25.2 ... wait, the final answer is 30", 0.0, 1.0),  # the last anchor decides
        ("The answer is 25 or 30", 0.0, 0.0),  # the last anchor holds two values: not read
        ("25.2", 0.0, 0.0),  # no anchor
    ],
)
def test_calc(response: str, acc: float, parsed: float) -> None:
    result = compute_score("medcalc", response, "25.2", CALC, **FREEFORM)
    assert (result["acc"], result["parsed"]) == (acc, parsed)
    assert result["rule"] == (
        "freeform_anchor" if parsed else ("no_value" if "or" in response else "no_answer")
    )


def test_calc_dates_through_the_fallback() -> None:
    info = {"task": "calc", "calculator_id": 13, "output_type": "date"}
    result = compute_score("medcalc", "The due date is 2014-09-23.", "09/23/2014", info, **FREEFORM)
    assert (result["acc"], result["pred"], result["rule"]) == (1.0, "09/23/2014", "freeform_anchor")


def test_text_reads_the_tail() -> None:
    response = "<think>thinking about pneumonia</think>\nCommunity acquired pneumonia"
    result = compute_score(
        "medical_o1", response, "Community-acquired pneumonia", {"task": "text"}, **FREEFORM
    )
    assert (result["acc"], result["pred"], result["rule"]) == (
        1.0,
        "Community acquired pneumonia",
        "freeform_tail",
    )


def test_tail_is_capped_and_starts_at_the_last_heading() -> None:
    assert freeform_tail("x" * 100_000 + "</think> end") == "end"
    assert len(freeform_tail("y" * 100_000)) == FREEFORM_TAIL_MAX_CHARS
    assert freeform_tail("intro\n## Final Response\nThe answer is C") == "## Final Response\nThe answer is C"
    assert freeform_tail("a\n## Final answer\nB\nmore\n**Final Answer**: C") == "**Final Answer**: C"
    assert freeform_tail("Answer: A\nFinal answer\nC") == "Final answer\nC"
    assert freeform_tail("Answer: A\nFinal answer: C") == "Answer: A\nFinal answer: C"  # inline: no heading


@pytest.mark.parametrize("separator", [":", "=", "-", "->", "=>", "\u2192", "\u21d2"])
def test_every_lead_in_separator_reads_the_same_in_prose_and_in_a_tag(separator: str) -> None:
    """One lead-in grammar for the tag reader and the fallback: "Final answer ⇒ C" reads in both."""
    prose = mcq(f"<think>Anticholinergic.</think> Final answer {separator} C")
    tagged = mcq(f"<think>Anticholinergic.</think><answer>Final answer {separator} C</answer>")
    assert (prose["acc"], prose["pred"], prose["rule"]) == (1.0, "C", "freeform_anchor")
    assert (tagged["acc"], tagged["pred"], tagged["rule"]) == (1.0, "C", "letter")


@pytest.mark.parametrize(
    "response",
    [
        "<think>x</think>The wrong diagnosis is Physostigmine",
        "<think>x</think>Physostigmine is the incorrect choice.",
        "<think>x</think>The least likely option is Physostigmine",
    ],
)
def test_an_option_text_qualified_as_wrong_names_nothing(response: str) -> None:
    assert mcq(response)["rule"] == "no_answer"


@pytest.mark.parametrize("response", ["The wrong answer is C.", "The incorrect answer would be C"])
def test_an_anchor_qualified_as_wrong_names_nothing(response: str) -> None:
    assert mcq(f"<think>x</think>{response}")["rule"] == "no_answer"
