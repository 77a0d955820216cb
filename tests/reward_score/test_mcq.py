"""MCQ correctness: the paper's exact rule and every accepted / hedged / rejected robust form."""

from __future__ import annotations

import json
import math

import pytest

from reward_score.grade import Grade
from reward_score.mcq import (
    MCQ_ANSWER_MAX_CHARS,
    McqReading,
    grade_mcq_exact,
    grade_mcq_robust,
    letters_by_text,
    parse_options,
    read_mcq,
)

OPTIONS = {
    "A": "Aspirin",
    "B": "Heparin infusion",
    "C": "Warfarin",
    "D": "A. baumannii infection",  # an option text that itself looks letter-prefixed
}
# Options of hedges and clean answers seen in model outputs.
ANTIDOTES = {"A": "Naloxone", "B": "No", "C": "Flumazenil", "D": "Physostigmine", "E": "Anti-D IgG"}
BETA_BLOCKERS = {"A": "Nadolol", "B": "Video-capsule endoscopy", "C": "Propranolol"}


@pytest.mark.parametrize(
    ("answer", "truth", "expected"),
    [
        ("B", "B", (1.0, 1.0, 1.0, "exact_letter")),
        ("C", "B", (-1.0, 0.0, 1.0, "exact_letter")),
        ("b", "B", (-1.0, 0.0, 0.0, "no_letter")),  # case-sensitive
        ("(B)", "B", (-1.0, 0.0, 0.0, "no_letter")),  # no normalisation
        ("B.", "B", (-1.0, 0.0, 0.0, "no_letter")),
        ("Heparin infusion", "B", (-1.0, 0.0, 0.0, "no_letter")),
        ("B", "yes", (0.0, 0.0, 1.0, "exact_letter")),  # ground truth not a letter: term 0
        ("O", "O", (0.0, 0.0, 0.0, "no_letter")),  # the official letter set ends at N
    ],
)
def test_exact_rule(answer: str, truth: str, expected: tuple) -> None:
    grade = grade_mcq_exact(answer, truth)
    assert (grade.term, grade.acc, grade.parsed, grade.rule) == expected and grade.pred == answer


ACCEPTED = [  # (answer, options, letter, rule)
    ("B", OPTIONS, "B", "letter"),
    ("b", OPTIONS, "B", "letter"),
    ("(B)", OPTIONS, "B", "letter"),
    ("[B]", OPTIONS, "B", "letter"),
    ("B.", OPTIONS, "B", "letter"),
    ("B)", OPTIONS, "B", "letter"),
    ("B:", OPTIONS, "B", "letter"),
    ("**B**", OPTIONS, "B", "letter"),
    ("`B`", OPTIONS, "B", "letter"),
    ("_B_", OPTIONS, "B", "letter"),
    ("Answer: B", OPTIONS, "B", "letter"),
    ("answer: (b)", OPTIONS, "B", "letter"),
    ("The answer is B", OPTIONS, "B", "letter"),
    ("The answer is (B).", OPTIONS, "B", "letter"),
    ("The correct answer is: B", OPTIONS, "B", "letter"),
    ("Final answer: **B**", OPTIONS, "B", "letter"),
    ("Option B", OPTIONS, "B", "letter"),
    ("Answer: Option B", OPTIONS, "B", "letter"),
    ("B or B", OPTIONS, "B", "letter"),  # one distinct letter
    ("B. Heparin infusion", OPTIONS, "B", "letter_lead"),
    ("(B) Heparin infusion", OPTIONS, "B", "letter_lead"),
    ("B) Heparin infusion", OPTIONS, "B", "letter_lead"),
    ("B. heparin   INFUSION", OPTIONS, "B", "letter_lead"),
    ("B. some paraphrase of the option", OPTIONS, "B", "letter_lead"),
    ("B. B", OPTIONS, "B", "letter_lead"),
    ("(B) B12 deficiency", OPTIONS, "B", "letter_lead"),  # a letter-like token inside a word
    ("B. Vitamin A deficiency", OPTIONS, "B", "letter_lead"),  # a capital inside a phrase is no letter
    ("B. A common cause of bleeding", OPTIONS, "B", "letter_lead"),  # the article "A"
    ("Heparin infusion", OPTIONS, "B", "option_text"),
    ("heparin infusion.", OPTIONS, "B", "option_text"),
    ("  HEPARIN\n infusion ", OPTIONS, "B", "option_text"),
    ("**Heparin infusion**", OPTIONS, "B", "option_text"),
    ("A. baumannii infection", OPTIONS, "D", "option_text"),  # an option text that looks prefixed
    ("D. A. baumannii infection", OPTIONS, "D", "letter_lead"),
    # clean answers that must stay accepted
    ("B. No", ANTIDOTES, "B", "letter_lead"),
    ("(B) Video-capsule endoscopy", BETA_BLOCKERS, "B", "letter_lead"),
    ("B) text", BETA_BLOCKERS, "B", "letter_lead"),
    ("Physostigmine", ANTIDOTES, "D", "option_text"),
    # Unicode lead-ins and separators
    ("Final answer — C", ANTIDOTES, "C", "letter"),
    ("Answer：C", ANTIDOTES, "C", "letter"),
    ("Answer:（C）", ANTIDOTES, "C", "letter"),
    ("Answer → C", ANTIDOTES, "C", "letter"),
    ("【C】", ANTIDOTES, "C", "letter"),
    ("Ｃ", ANTIDOTES, "C", "letter"),  # full-width letter
    ("Anti\u2011D IgG", ANTIDOTES, "E", "option_text"),  # non-breaking hyphen vs "-"
    ("E. Anti\u2010D\u00a0IgG", ANTIDOTES, "E", "letter_lead"),
    # list and quote markers around the letter
    ("- **B.** No", ANTIDOTES, "B", "letter_lead"),
    ("1. **B.** No", ANTIDOTES, "B", "letter_lead"),
    ("> **B)** No", ANTIDOTES, "B", "letter_lead"),
    # LaTeX wrappers, parenthesised and dashed option text, personal lead-ins
    ("\\textbf{C}", ANTIDOTES, "C", "letter"),
    ("\\text{C}", ANTIDOTES, "C", "letter"),
    ("A (Nadolol)", BETA_BLOCKERS, "A", "letter_lead"),
    ("A – Nadolol", BETA_BLOCKERS, "A", "letter_lead"),
    ("My answer is A", BETA_BLOCKERS, "A", "letter"),
    ("My choice: (A)", BETA_BLOCKERS, "A", "letter"),
]


@pytest.mark.parametrize(("answer", "options", "letter", "rule"), ACCEPTED)
def test_robust_accepts(answer: str, options: dict, letter: str, rule: str) -> None:
    assert read_mcq(answer, options) == McqReading(letter, rule)


HEDGES = [  # (answer, options): read as an answer, and wrong whatever the ground truth
    # hedges and retractions: a leading letter followed by a second answer
    ("(A) Naloxone is best. (D) Physostigmine is best.", ANTIDOTES),
    ("(A) and also (C)", ANTIDOTES),
    ("A. Naloxone. Actually the answer is C", ANTIDOTES),
    ("Answer: C. Actually I change my mind: Answer: B", ANTIDOTES),
    ("A. Naloxone. D. Physostigmine", ANTIDOTES),
    ("A. Naloxone, or maybe C", ANTIDOTES),
    ("A. Naloxone (final answer: D)", ANTIDOTES),
    # several letters
    ("A or B", OPTIONS),
    ("A, B", OPTIONS),
    ("A/B", OPTIONS),
    ("A and B", OPTIONS),
    ("B & C", OPTIONS),
    ("both A and C", OPTIONS),
    ("(A) or (B)", OPTIONS),
    ("B. or A", OPTIONS),
    ("B. A", OPTIONS),
    ("B - A", OPTIONS),
    ("B.\nA.", OPTIONS),
    ("(B)(A)", OPTIONS),
    ("[B] [A]", OPTIONS),
    ("B) and C", OPTIONS),
    ("B. or a", OPTIONS),
    # a letter carrying a different option's text
    ("C. Heparin infusion", OPTIONS),
    ("B. Aspirin", OPTIONS),
]


@pytest.mark.parametrize(("answer", "options"), HEDGES)
def test_robust_hedges(answer: str, options: dict) -> None:
    assert read_mcq(answer, options) == McqReading(None, "hedge")
    for truth in options:
        grade = grade_mcq_robust(answer, truth, options, letters_by_text(options))
        assert (grade.term, grade.acc, grade.parsed, grade.rule) == (-1.0, 0.0, 1.0, "hedge")


@pytest.mark.parametrize(
    ("answer", "rule"),
    [
        ("E", "not_an_option"),  # a letter outside the options
        ("E. Heparin infusion", "not_an_option"),
        ("Heparin", "no_letter"),  # not exactly an option text
        ("I think it is B because of bleeding", "no_letter"),
        ("", "no_letter"),
        ("Answer:", "no_letter"),
        ("~~B.~~", "no_letter"),  # strikethrough stays unread
        ("~~B.~~ C", "no_letter"),
        ("B" + " " * MCQ_ANSWER_MAX_CHARS, "too_long"),
    ],
)
def test_robust_rejects(answer: str, rule: str) -> None:
    assert read_mcq(answer, OPTIONS) == McqReading(None, rule)
    grade = grade_mcq_robust(answer, "B", OPTIONS, letters_by_text(OPTIONS))
    assert (grade.term, grade.acc, grade.parsed, grade.rule) == (-1.0, 0.0, 0.0, rule)


def test_robust_grade_fields() -> None:
    index = letters_by_text(OPTIONS)
    assert grade_mcq_robust("(b)", "B", OPTIONS, index) == Grade(1.0, 1.0, 1.0, "B", "letter")
    assert grade_mcq_robust("Aspirin", "B", OPTIONS, index) == Grade(-1.0, 0.0, 1.0, "A", "option_text")
    assert grade_mcq_robust("B", "yes", OPTIONS, index) == Grade(0.0, 0.0, 1.0, "B", "letter")


def test_duplicate_option_texts_are_ambiguous() -> None:
    assert read_mcq("same", {"A": "same", "B": "same", "C": "other"}) == McqReading(None, "no_letter")


def test_without_options_any_single_letter_is_read() -> None:
    assert read_mcq("(e)", {}) == McqReading("E", "letter")
    assert read_mcq("Heparin infusion", {}) == McqReading(None, "no_letter")


@pytest.mark.parametrize(
    "value",
    [json.dumps(OPTIONS), OPTIONS, {**OPTIONS, "E": None, "F": None}, json.dumps({**OPTIONS, "E": None})],
)
def test_parse_options_forms(value: object) -> None:
    assert parse_options(value) == OPTIONS


@pytest.mark.parametrize("value", [None, "", math.nan, "{}", {}])
def test_parse_options_empty(value: object) -> None:
    assert parse_options(value) == {}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "mapping"),
        (["A"], "mapping"),
        ({"AB": "x"}, "single letter"),
        ({"A": 3}, "must be a string"),
    ],
)
def test_parse_options_rejects_malformed(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_options(value)


@pytest.mark.parametrize(
    "answer",
    [
        "B. Heparin infusion, although C is correct",
        "B, but C would be better",
        "B, however C is the right one",
        "B. Heparin infusion, whereas C is what guidelines give",
    ],
)
def test_a_letter_followed_by_a_contrast_naming_another_letter_is_a_hedge(answer: str) -> None:
    assert read_mcq(answer, OPTIONS) == McqReading(None, "hedge")


def test_a_contrast_word_before_a_capital_inside_a_phrase_is_still_no_letter() -> None:
    assert read_mcq("B. Heparin infusion, though vitamin C levels do not matter", OPTIONS).letter == "B"
