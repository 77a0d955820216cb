"""The medu1_option_orders agent loop: the responses of a group see the options in different orders, every
letter equally often right within a group, and the reward grades against the order the response saw."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from types import SimpleNamespace

import pytest
from verl.experimental.agent_loop.single_turn_agent_loop import SingleTurnAgentLoop

from data_preprocess.core.prompts import build_prompt, question_text
from recipe.medu1.train.agent_loop import OptionOrderAgentLoop, option_order
from recipe.medu1.train.seen_order import OPTION_ORDER_FIELD, as_seen
from reward_score import compute_score

OPTIONS = {"A": "Elastin", "B": "Dystrophin", "C": "Collagen", "D": "Fibrillin"}
QUESTION = "Marfan syndrome is caused by mutations in the gene which encodes _______."


def mcq_row(options: dict[str, str] = OPTIONS, answer: str = "D") -> dict:
    """A sample's fields as verl hands them to an agent loop."""
    return {
        "raw_prompt": build_prompt(QUESTION, "mcq", options, length_budget=40),
        "reward_model": {"style": "rule", "ground_truth": answer},
        "extra_info": {
            "task": "mcq",
            "options": json.dumps(options),
            "question": question_text(QUESTION, options),
        },
        "data_source": "mmlu_medical",
    }


def group(row: dict, uid: str = "group-1", n: int = 8) -> list[dict]:
    return [option_order(row, uid, k) for k in range(n)]


def test_every_letter_is_right_equally_often_within_a_group():
    for uid in ("a", "b", "c"):
        assert Counter(order["ground_truth"] for order in group(mcq_row(), uid)) == Counter("AABBCCDD")


def test_the_answer_text_follows_its_letter_and_the_prompt_shows_the_new_order():
    for order in group(mcq_row()):
        options = json.loads(order["options"])
        assert options[order["ground_truth"]] == "Fibrillin"
        assert sorted(options.values()) == sorted(OPTIONS.values())
        user = order["messages"][-1]["content"]
        assert question_text(QUESTION, options) in user
        assert user.endswith("Think for 40 tokens.")  # the instruction and budget are kept
        assert order["question"] == question_text(QUESTION, options)
        assert {order["row_letter"][new]: text for new, text in options.items()} == OPTIONS


def test_the_order_depends_only_on_group_and_position():
    assert group(mcq_row(), "x") == group(mcq_row(), "x")
    assert [o["options"] for o in group(mcq_row(), "x")] != [o["options"] for o in group(mcq_row(), "y")]


def test_responses_with_the_right_option_at_one_position_share_one_prompt():
    # 4 distinct prompts per group of 8 (the CPU adapter computes each distinct prompt once), and the
    # other options still move between groups.
    for uid in ("a", "b", "c"):
        orders = group(mcq_row(), uid)
        by_letter = {order["ground_truth"]: order["messages"] for order in orders}
        assert len({json.dumps(order["messages"]) for order in orders}) == 4
        assert all(order["messages"] == by_letter[order["ground_truth"]] for order in orders)
    arrangements = {order["options"] for uid in range(40) for order in group(mcq_row(), str(uid))}
    assert len(arrangements) > 12


def test_the_shared_row_is_not_mutated():
    row = mcq_row()
    before = json.dumps(row, sort_keys=True)
    group(row)
    assert json.dumps(row, sort_keys=True) == before


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ({**mcq_row(), "extra_info": {"task": "calc"}}, "not an MCQ"),
        (mcq_row({**OPTIONS, "D": "Both A and B"}), "an option names others"),
        (mcq_row({**OPTIONS, "D": "None of the above"}, answer="D"), "the answer is anchored"),
        (mcq_row({**OPTIONS, "D": "Elastin"}, answer="A"), "two options share a text"),
        ({**mcq_row(), "raw_prompt": build_prompt(QUESTION, "mcq", None)}, "no option lines in the prompt"),
    ],
)
def test_rows_that_must_keep_their_order_keep_it(row, why):
    assert option_order(row, "g", 3) is None, why


def test_an_anchored_option_keeps_its_letter():
    orders = group(mcq_row({**OPTIONS, "D": "All of the above"}, answer="B"), n=6)
    assert {json.loads(o["options"])["D"] for o in orders} == {"All of the above"}
    assert Counter(o["ground_truth"] for o in orders) == Counter("AABBCC")


def test_a_response_right_in_its_order_scores_as_right():
    for order in group(mcq_row()):
        response = f"<think>Fibrillin.</think><answer>{order['ground_truth']}</answer>"
        truth, info = as_seen("D", mcq_row()["extra_info"], order)
        assert compute_score("mmlu_medical", response, truth, extra_info=info, preset="robust")["acc"] == 1.0


def run_loop(row: dict, monkeypatch) -> tuple[dict, SimpleNamespace]:
    """The loop's run() with verl's single-turn run replaced by one that records what it was given."""
    seen = {}

    async def single_turn(self, sampling_params, **kwargs):
        seen.update(kwargs)
        return SimpleNamespace(extra_fields={"turn_scores": []})

    monkeypatch.setattr(SingleTurnAgentLoop, "run", single_turn)
    loop = OptionOrderAgentLoop.__new__(OptionOrderAgentLoop)
    output = asyncio.run(loop.run({}, **row, uid="g", session_id=5))
    return seen, output


def test_the_loop_samples_on_the_reordered_prompt_and_records_the_order(monkeypatch):
    seen, output = run_loop(mcq_row(), monkeypatch)
    expected = option_order(mcq_row(), "g", 5)
    assert seen["raw_prompt"] == expected["messages"]
    assert output.extra_fields[OPTION_ORDER_FIELD] == {k: v for k, v in expected.items() if k != "messages"}


def test_the_loop_leaves_other_tasks_alone(monkeypatch):
    row = {**mcq_row(), "extra_info": {"task": "text"}}
    seen, output = run_loop(row, monkeypatch)
    assert seen["raw_prompt"] == row["raw_prompt"]
    assert output.extra_fields[OPTION_ORDER_FIELD] is None
