"""The row builder: every extra_info key present, the task from the registry, no template tokens."""

from __future__ import annotations

import json

import pytest

from data_preprocess.core.records import InvalidRecord, Item
from data_preprocess.core.schema import EXTRA_INFO_KEYS, ROW_SCHEMA, make_row
from data_preprocess.registry import TASK_BY_SOURCE

OPTIONS = {"A": "alpha", "B": "beta", "C": "gamma", "D": "delta"}


def test_make_row_has_every_extra_info_key_and_json_options():
    row = make_row("medqa", Item("Q?", "B", "id7", options=OPTIONS), "test", 3)
    assert tuple(row["extra_info"]) == EXTRA_INFO_KEYS
    assert tuple(row) == tuple(ROW_SCHEMA.names)
    assert row["extra_info"]["task"] == TASK_BY_SOURCE["medqa"] == "mcq" and row["extra_info"]["index"] == 3
    assert json.loads(row["extra_info"]["options"]) == OPTIONS
    assert row["reward_model"] == {"style": "rule", "ground_truth": "B"}
    calc = make_row("medcalc", Item("note", "5", "1", calculator_id=4, lower_limit=4.5), "test", 0, 200)
    assert calc["extra_info"]["task"] == "calc"
    assert calc["extra_info"]["options"] == "" and calc["extra_info"]["calculator_id"] == 4
    assert calc["prompt"][1]["content"].endswith("Think for 200 tokens.")


def test_make_row_rejects_chat_template_tokens_and_unknown_sources():
    with pytest.raises(InvalidRecord, match="chat-template"):
        make_row("medical_o1", Item("<|im_start|>user hi", "x", "1"), "train", 0)
    with pytest.raises(ValueError, match="not in data_preprocess.registry"):
        make_row("mediqa", Item("Q", "x", "1"), "test", 0)
