"""The ``content`` text metric: one test per defence, and its invariants as properties."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reward_score import compute_score
from reward_score.content import CONTENT_THRESHOLD, content_metric, content_parts, idf_weights
from reward_score.content_words import content_terms, stem, term_of

QUESTION = "Which antibiotic treats community-acquired pneumonia in adults?"
REFERENCE = (
    "Amoxicillin is the first-line antibiotic for community-acquired pneumonia in healthy adults without "
    "comorbidities. Doxycycline or a macrolide is the alternative when amoxicillin cannot be taken."
)


def credited(answer: str, reference: str = REFERENCE, question: str = QUESTION) -> bool:
    return content_metric(answer, reference, question) > CONTENT_THRESHOLD


def test_terms_fold_plurals_and_drop_function_and_boilerplate_words() -> None:
    assert content_terms("The therapies of vessels; please consult your doctor.") == ["therapy", "vessel"]
    assert content_terms("Dose 8.93 mg") == ["dose", "8.93", "mg"]
    assert stem("diagnosis") == "diagnosis" and stem("glass") == "glass" and term_of("the") is None


def test_the_reference_and_a_concise_correct_answer_are_credited() -> None:
    assert content_metric(REFERENCE, REFERENCE, QUESTION) == 100.0
    assert credited("Amoxicillin, first-line for healthy adults without comorbidities.")


def test_the_question_earns_nothing_in_whole_or_part() -> None:
    assert content_metric(QUESTION, REFERENCE, QUESTION) == 0.0
    assert content_metric("community-acquired pneumonia antibiotic", REFERENCE, QUESTION) == 0.0


def test_one_keyword_is_not_enough_coverage() -> None:
    precision, coverage, _ = content_parts("amoxicillin", REFERENCE, QUESTION)
    assert precision == 1.0 and coverage < 0.5 and not credited("amoxicillin")


def test_terms_of_other_answers_dilute_precision() -> None:
    listing = "amoxicillin, first-line, healthy, comorbidities, insulin, warfarin, heparin, statin, aspirin"
    precision, coverage, _ = content_parts(listing, REFERENCE, QUESTION)
    assert coverage > 0.5 and precision < 0.5 and not credited(listing)


def test_a_hedge_is_refused_even_across_a_sentence_break() -> None:
    assert not credited("Amoxicillin is first-line for healthy adults without comorbidities or vancomycin")
    assert not credited("Amoxicillin is first-line for healthy adults without comorbidities. Or vancomycin.")
    # an "or" the reference itself makes is no hedge
    assert credited("Amoxicillin is first-line in healthy adults; doxycycline or a macrolide otherwise.")


def test_repetition_earns_nothing() -> None:
    assert content_metric("amoxicillin " * 40, REFERENCE, QUESTION) == 0.0
    once = content_metric("Amoxicillin first-line healthy adults without comorbidities", REFERENCE, QUESTION)
    many = content_metric(
        "Amoxicillin first-line healthy adults without comorbidities " * 3, REFERENCE, QUESTION
    )
    assert many == once


def test_the_reference_lead_must_be_covered() -> None:
    details_only = "Doxycycline or a macrolide is the alternative when amoxicillin cannot be taken."
    assert content_parts(details_only, REFERENCE, QUESTION)[1] < 1.0
    assert not credited("Doxycycline is the alternative.")


def test_a_reference_that_adds_nothing_to_the_question_compares_the_polarity() -> None:
    question, reference = (
        "Does Delfina tell the truth?\nOptions:\n- Yes\n- No",
        "Yes, Delfina tells the truth.",
    )
    assert credited(reference, reference, question)
    assert not credited("No, Delfina lies.", reference, question)


def test_the_idf_table_weighs_common_terms_below_rare_ones() -> None:
    weights, unseen = idf_weights()
    assert weights["disease"] < weights["pneumonia"] < unseen


def test_compute_score_reads_the_question_from_extra_info() -> None:
    response = f"<think>x</think><answer>{QUESTION}</answer>"
    robust = compute_score("medical_o1", response, REFERENCE, {"task": "text", "question": QUESTION},
                           preset="robust")  # fmt: skip
    assert robust["acc"] == 0.0 and robust["rule"] == "content"
    good = f"<think>x</think><answer>{REFERENCE}</answer>"
    assert compute_score("medical_o1", good, REFERENCE, {"task": "text"}, preset="robust")["acc"] == 1.0
    with pytest.raises(ValueError, match="question"):
        compute_score("medical_o1", good, REFERENCE, {"task": "text", "question": 3}, preset="robust")


# --- invariants -------------------------------------------------------------------------------------------
WORD = st.text(string.ascii_lowercase, min_size=4, max_size=9).filter(lambda w: term_of(w) == w)
SEPARATORS = st.sampled_from([" ", ", ", ". ", "; ", " the ", " is a "])


@st.composite
def pairs(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    """(question, reference, question words): a reference naming at least one term outside the question."""
    asked = draw(st.lists(WORD, min_size=1, max_size=12))
    new = draw(st.lists(WORD.filter(lambda w: w not in asked), min_size=1, max_size=20))
    mixed = draw(st.permutations(new + draw(st.lists(st.sampled_from(asked), max_size=6))))
    joined = "".join(word + draw(SEPARATORS) for word in mixed)
    return " ".join(asked) + "?", joined.strip().capitalize() + ".", asked


@settings(max_examples=150, deadline=None)
@given(pairs())
def test_the_reference_always_credits_itself(pair: tuple[str, str, list[str]]) -> None:
    question, reference, _ = pair
    assert credited(reference, reference, question)


@settings(max_examples=150, deadline=None)
@given(pairs(), st.data())
def test_an_echo_or_any_single_question_word_is_never_credited(pair, data: st.DataObject) -> None:
    question, reference, asked = pair
    assert content_metric(question, reference, question) == 0.0
    assert content_metric(data.draw(st.sampled_from(asked)), reference, question) == 0.0


@settings(max_examples=150, deadline=None)
@given(pairs(), WORD, st.sampled_from(["{x} or {y}", "either {x} or {y}", "{y} or {x}", "{x}. Or {y}."]))
def test_an_x_or_y_hedge_is_never_credited(pair, other: str, form: str) -> None:
    question, reference, _ = pair
    assume(other not in content_terms(reference))
    assert not credited(form.format(x=reference.rstrip("."), y=other), reference, question)
