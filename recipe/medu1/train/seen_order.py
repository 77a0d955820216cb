"""What an MCQ response saw when an agent loop showed it the options in another order, and how it is graded.

Why a module of its own: the agent loop (:mod:`recipe.medu1.train.agent_loop`, in verl's agent-loop worker)
writes the order and the reward manager (:mod:`recipe.medu1.train.reward_manager`, in verl's reward-loop
worker) reads it; the field's name and meaning live here, without importing verl, so neither plugin pulls
the other's registry into its process.
"""

from __future__ import annotations

from typing import Any

#: Key in a sample's ``extra_fields`` (verl hands them to the reward manager as ``tool_extra_fields``) under
#: which the agent loop leaves the order the sample saw: ``ground_truth`` (its letter), ``options`` (JSON),
#: ``question`` (with the option lines as shown) and ``row_letter`` (shown letter -> the row's letter);
#: None or absent: the row's own order.
OPTION_ORDER_FIELD = "medu1_option_order"


def as_seen(ground_truth: str, extra_info: dict[str, Any], order: dict[str, Any] | None) -> tuple[str, dict]:
    """The ground truth and extra_info the response must be graded against: the row's, or, when the
    sample saw its options in another order, that order's answer letter, options and question."""
    if not order:
        return ground_truth, extra_info
    return order["ground_truth"], {**extra_info, "options": order["options"], "question": order["question"]}


def row_letter(pred: str, order: dict[str, Any] | None) -> str:
    """``pred`` named in the row's own order (unchanged when the sample saw the row's order or ``pred``
    names no option), so that majority voting over a group compares options, not the letters each sample
    happened to see."""
    return order["row_letter"].get(pred, pred) if order else pred
