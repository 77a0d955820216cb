"""Text metrics: official normaliser quirks, EMS, BLEU parity with nltk, ROUGE-L parity with rouge-score."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from rouge_score.rouge_scorer import _score_lcs

from reward_score.bench import text_pair
from reward_score.grade import PRED_MAX_CHARS, Grade
from reward_score.text import (
    TEXT_ANSWER_MAX_CHARS,
    bleu,
    bleu_individual,
    ems,
    grade_text,
    lcs_length,
    merge,
    normalize_text,
    rouge_l,
    text_metric,
    token_f1,
)

# --- an independent, literal rendering of the official normaliser, used as the oracle ----------------------
PUNCT = [
    ";",
    r"/",
    "[",
    "]",
    '"',
    "{",
    "}",
    "(",
    ")",
    "=",
    "+",
    "\\",
    "_",
    "-",
    ">",
    "<",
    "@",
    "`",
    ",",
    "?",
    "!",
]
COMMA_STRIP = re.compile(r"(\d)(\,)(\d)")
PERIOD_STRIP = re.compile(r"(?!<=\d)(\.)(?!\d)")  # the official, mistyped pattern
NUMBERS = {"none": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}
NUMBERS |= {"six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10"}


def official_normalize(text: str) -> str:
    out = text
    for p in PUNCT:
        if (p + " " in text or " " + p in text) or (re.search(COMMA_STRIP, text) is not None):
            out = out.replace(p, "")
        else:
            out = out.replace(p, " ")
    out = PERIOD_STRIP.sub("", out, count=re.UNICODE)
    words = [NUMBERS.get(w, w) for w in out.lower().split()]
    words = [w for w in words if w not in ("a", "an", "the")]
    contractions = {"dont": "don't", "isnt": "isn't", "somebody'd": "somebodyd", "wont": "won't"}
    return " ".join(contractions.get(w, w) for w in words).replace(",", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, world", "hello world"),  # ", " touches a space: commas deleted
        ("a-b", "b"),  # no space around "-": replaced by a space, then the article "a" is dropped
        ("x - y", "x y"),  # "-" touches a space: deleted everywhere
        ("left-sided x - y", "leftsided x y"),  # ... including inside words
        ("1,000 (approx)", "1000 approx"),  # digit-comma-digit: every mark deleted
        ("(approx)", "approx"),
        ("Dr. Smith gave 3.5 mg.", "dr smith gave 3.5 mg"),
        ("Two patients had none", "2 patients had 0"),
        ("The an A case", "case"),
        ("Dont worry, it isnt", "don't worry it isn't"),
        ("somebody'd", "somebodyd"),  # a table quirk kept
        ("a;b c; d", "ab c d"),
        ("why?yes", "why yes"),
        ("", ""),
    ],
)
def test_normalizer_examples(text: str, expected: str) -> None:
    assert normalize_text(text) == expected == official_normalize(text)


def test_only_32_periods_are_removed() -> None:
    text = " ".join(["x."] * 40)
    assert normalize_text(text) == " ".join(["x"] * 32 + ["x."] * 8) == official_normalize(text)


normalizer_text = st.lists(
    st.sampled_from(list("ab Z19.,;/[]\"{}()=+\\_-><@`?!'\n\t") + ["the", "one", "dont", "none", "A"]),
    max_size=60,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(normalizer_text)
def test_normalizer_equals_the_official_steps(text: str) -> None:
    assert normalize_text(text) == official_normalize(text)


def test_ems_is_reference_type_precision() -> None:
    reference = "Community-acquired pneumonia"
    assert ems("pneumonia", reference) == 100.0
    assert ems("The patient has pneumonia pneumonia", reference) == 25.0  # 1 type / 4 tokens
    assert ems("", reference) == 0.0
    assert ems("...", reference) == 0.0


# --- BLEU ---------------------------------------------------------------------------------------------------
WEIGHTS = {1: (1, 0, 0, 0), 2: (0, 1, 0, 0), 3: (0, 0, 1, 0)}
SMOOTH = SmoothingFunction().method1


def nltk_individual(hypothesis: list[str], reference: list[str], n: int) -> float:
    return sentence_bleu([reference], hypothesis, weights=WEIGHTS[n], smoothing_function=SMOOTH)


def official_bleu(answer: str, reference: str) -> float:
    hyp, ref = answer.split(), reference.split()
    return sum(round(nltk_individual(hyp, ref, n), 4) for n in (1, 2, 3)) / 3


tokens = st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "A", "b."]), max_size=25)


@settings(max_examples=500, deadline=None)
@given(tokens, tokens)
def test_individual_bleu_equals_nltk_exactly(hypothesis: list[str], reference: list[str]) -> None:
    ours = bleu_individual(hypothesis, reference, (1, 2, 3))
    assert ours == [nltk_individual(hypothesis, reference, n) for n in (1, 2, 3)]


@pytest.mark.parametrize(
    ("hypothesis", "reference"),
    [
        ("", "a b c"),  # empty hypothesis
        ("x y z", "a b c"),  # no unigram match: nltk returns 0 for every order
        ("a", "a b c d e"),  # shorter than n: method1 smoothing on an empty n-gram count, brevity penalty
        ("a b", "a b"),
        ("a b c d e f", "a b c"),  # longer than the reference: no brevity penalty
        ("a b a b a b", "a b"),  # clipping
        ("c b a", "a b c"),  # unigram matches only: smoothed 2/3-grams
        ("a b c", ""),
    ],
)
def test_bleu_edge_cases_equal_nltk(hypothesis: str, reference: str) -> None:
    assert bleu(hypothesis, reference) == official_bleu(hypothesis, reference)


def test_bleu_and_merge_equal_nltk_on_realistic_text() -> None:
    rng = random.Random(7)
    for _ in range(150):
        answer, reference = text_pair(rng)
        assert bleu(answer, reference) == official_bleu(answer, reference)
        assert merge(answer, reference) == 0.5 * ems(answer, reference) + 0.5 * official_bleu(
            answer, reference
        )


# --- ROUGE-L and F1 -----------------------------------------------------------------------------------------
def dp_lcs(a: list[str], b: list[str]) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
    return table[-1][-1]


small_tokens = st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=80)


@settings(max_examples=300, deadline=None)
@given(small_tokens, small_tokens)
def test_bit_parallel_lcs_equals_dynamic_programming(a: list[str], b: list[str]) -> None:
    assert lcs_length(a, b) == dp_lcs(a, b)


def test_rouge_l_equals_rouge_score_lcs_on_normalised_tokens() -> None:
    rng = random.Random(3)
    for _ in range(150):
        answer, reference = text_pair(rng)
        expected = (
            100 * _score_lcs(normalize_text(reference).split(), normalize_text(answer).split()).fmeasure
        )
        assert rouge_l(answer, reference) == expected
    assert rouge_l("", "a b") == 0.0 == rouge_l("x", "")


def test_token_f1() -> None:
    assert token_f1("aspirin daily", "Aspirin, daily.") == 100.0
    expected = 100 * 2 * (1 / 3) * (1 / 2) / ((1 / 3) + (1 / 2))  # 1 shared of 3 candidate and 2 reference
    assert token_f1("aspirin twice daily", "aspirin weekly") == pytest.approx(expected)
    assert token_f1("x", "y") == 0.0
    common = Counter("p q q".split()) & Counter("q q r".split())
    assert token_f1("p q q", "q q r") == pytest.approx(100 * sum(common.values()) / 3)


def test_text_metric_dispatch() -> None:
    answer, reference = "heart failure with reduced ejection", "Heart failure with reduced ejection fraction"
    assert text_metric("ems", answer, reference) == ems(answer, reference)
    assert text_metric("bleu", answer, reference) == bleu(answer, reference)
    assert text_metric("merge", answer, reference) == merge(answer, reference)
    assert text_metric("rougeL", answer, reference) == rouge_l(answer, reference)
    assert text_metric("f1", answer, reference) == token_f1(answer, reference)


# --- grading ------------------------------------------------------------------------------------------------
def test_grade_text_binary_threshold_is_strict() -> None:
    # EMS 100, BLEU of one token against a long reference is small: Merge just above 50.
    value = merge("pneumonia", "the pneumonia")
    grade = grade_text("pneumonia", "the pneumonia", metric="merge", threshold=45, reward="binary", scale=100)
    assert grade == Grade(1.0, 1.0, 1.0, "pneumonia", "merge") and value > 45
    strict = grade_text(
        "pneumonia", "the pneumonia", metric="merge", threshold=value, reward="binary", scale=1
    )
    assert (strict.term, strict.acc) == (-1.0, 0.0)


def test_grade_text_continuous_is_metric_over_scale() -> None:
    answer, reference = "aspirin daily", "aspirin daily for life"
    grade = grade_text(answer, reference, metric="ems", threshold=45, reward="continuous", scale=100)
    assert grade.term == ems(answer, reference) / 100 and grade.acc == 1.0 and grade.rule == "ems"
    # BLEU is on a 0-1 scale: with the paper's threshold 45 it can never pass (official quirk, kept).
    grade = grade_text(answer, reference, metric="bleu", threshold=45, reward="continuous", scale=100)
    assert grade.term == pytest.approx(bleu(answer, reference) / 100) and grade.acc == 0.0
    grade = grade_text(answer, reference, metric="ems", threshold=45, reward="continuous", scale=1)
    assert grade.term == 1.0  # clipped


def test_grade_text_length_cap() -> None:
    answer = "pneumonia " * (TEXT_ANSWER_MAX_CHARS // 10 + 1)
    grade = grade_text(answer, "pneumonia", metric="ems", threshold=45, reward="binary", scale=100)
    assert grade == Grade(-1.0, 0.0, 0.0, answer[:PRED_MAX_CHARS], "too_long")
