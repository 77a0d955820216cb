"""Grading a response in the option order it saw, and naming its answer in the row's order."""

from __future__ import annotations

from recipe.medu1.train.seen_order import as_seen, row_letter

ORDER = {
    "ground_truth": "A",
    "options": '{"A": "PCI", "B": "aspirin"}',
    "question": "Next step?\nA. PCI\nB. aspirin",
    "row_letter": {"A": "B", "B": "A"},
}
ROW_INFO = {
    "task": "mcq",
    "options": '{"A": "aspirin", "B": "PCI"}',
    "question": "Next step?\nA. aspirin\nB. PCI",
}


def test_without_an_order_the_row_is_graded_as_it_is():
    assert as_seen("B", ROW_INFO, None) == ("B", ROW_INFO)


def test_with_an_order_its_letter_options_and_question_are_graded():
    truth, info = as_seen("B", ROW_INFO, ORDER)
    assert truth == "A"
    assert (info["options"], info["question"], info["task"]) == (ORDER["options"], ORDER["question"], "mcq")
    assert ROW_INFO["options"] == '{"A": "aspirin", "B": "PCI"}'  # the row's dict is left alone


def test_pred_is_named_in_the_row_order_and_non_letters_pass_through():
    assert row_letter("A", ORDER) == "B"
    assert row_letter("", ORDER) == "" and row_letter("unparsed", ORDER) == "unparsed"
    assert row_letter("A", None) == "A"
