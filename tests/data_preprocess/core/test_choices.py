"""Option letters and shuffling: anchored options stay, rows naming other options keep their order."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_preprocess.core.choices import (
    balanced_position,
    can_reorder,
    format_options,
    index_of,
    is_anchored,
    keeps_source_order,
    letter_of,
    lettered,
    names_other_options,
    option_letters,
    shuffle_options,
)


def test_letters_round_trip_and_bounds():
    assert option_letters(5) == ["A", "B", "C", "D", "E"]
    assert [index_of(letter_of(i)) for i in range(26)] == list(range(26))
    for bad in (-1, 26):
        with pytest.raises(ValueError):
            letter_of(bad)
    for bad in ("a", "AB", "", "1"):
        with pytest.raises(ValueError):
            index_of(bad)
    with pytest.raises(ValueError):
        option_letters(27)
    assert format_options(lettered(["x", "y"])) == "A. x\nB. y"


@pytest.mark.parametrize(
    ("text", "anchored"),
    [("All of the above", True), ("None of the above.", True), ("none of these", True),
     ("All the above", True), ("Any of the following", True), ("Above 1.018", False),
     ("Below SMAS & above parotid fascia", False), ("None", False)],
)  # fmt: skip
def test_is_anchored(text: str, anchored: bool):
    assert is_anchored(text) is anchored


@pytest.mark.parametrize(
    ("text", "names"),
    [("Both A and B", True), ("A and C", True), ("A,C", True), ("'B' & 'C'", True), ("All except D", True),
     ("Both (A) & (C)", True), ("B>A>D>C", True), ("Both of the above", True), ("Vitamin A and C", False),
     ("Point B", False), ("Hepatitis B", False), ("E and F", False), ("A 45-year-old man", False)],
)  # fmt: skip
def test_names_other_options(text: str, names: bool):
    assert names_other_options(text, ["A", "B", "C", "D"]) is names


@given(st.integers(min_value=2, max_value=10), st.integers(min_value=0, max_value=9), st.integers())
def test_shuffle_keeps_the_answer_text(n_options: int, answer_index: int, seed: int):
    options = lettered([f"text {i}" for i in range(n_options)])
    answer = letter_of(answer_index % n_options)
    new_options, new_answer = shuffle_options(options, answer, random.Random(seed))
    assert list(new_options) == list(options)
    assert sorted(new_options.values()) == sorted(options.values())
    assert new_options[new_answer] == options[answer]


@given(st.integers(min_value=2, max_value=10), st.data())
def test_shuffle_puts_the_answer_where_asked(n_options: int, data: st.DataObject):
    options = lettered([f"text {i}" for i in range(n_options)])
    answer = letter_of(data.draw(st.integers(0, n_options - 1)))
    at = data.draw(st.integers(0, n_options - 1))
    new_options, new_answer = shuffle_options(options, answer, random.Random(data.draw(st.integers())), at)
    assert new_answer == letter_of(at) and new_options[new_answer] == options[answer]
    assert sorted(new_options.values()) == sorted(options.values())


def test_balanced_position_takes_the_least_used():
    rng = random.Random(0)
    assert balanced_position([0, 1, 2, 3], {0: 2, 1: 1, 2: 2, 3: 1}, rng) in {1, 3}
    assert balanced_position([0, 2], {0: 1, 1: 0, 2: 3}, rng) == 0


@given(st.integers(min_value=2, max_value=6), st.sampled_from(["All of the above", "None of the above"]),
       st.integers(min_value=0, max_value=6), st.integers())  # fmt: skip
def test_anchored_option_stays_in_place(n_plain: int, anchor: str, answer_index: int, seed: int):
    options = lettered([f"text {i}" for i in range(n_plain)] + [anchor])
    answer = letter_of(answer_index % len(options))
    new_options, new_answer = shuffle_options(options, answer, random.Random(seed))
    assert new_options[letter_of(n_plain)] == anchor
    assert new_options[new_answer] == options[answer]
    assert sorted(new_options.values()) == sorted(options.values())


def test_rows_naming_other_options_are_not_shuffled():
    referring = {"A": "Iron", "B": "Vitamin C", "C": "Both A and B", "D": "Neither"}
    anchor_in_the_middle = {"A": "Iron", "B": "None of the above", "C": "Zinc", "D": "Copper"}
    for options in (referring, anchor_in_the_middle):
        assert keeps_source_order(options)
        with pytest.raises(ValueError, match="keep their order"):
            shuffle_options(options, "A", random.Random(0))
    assert not keeps_source_order({"A": "Vitamin A and C", "B": "Iron", "C": "All of the above"})


def test_can_reorder_refuses_order_dependent_or_anchored_answers():
    options = {"A": "Fibrillin", "B": "Collagen", "C": "Elastin", "D": "None of the above"}
    assert can_reorder(options, "A")
    assert not can_reorder(options, "D")  # the anchored answer keeps its letter
    assert not can_reorder(options, "E")  # not an option
    assert not can_reorder({**options, "D": "Both A and B"}, "A")
