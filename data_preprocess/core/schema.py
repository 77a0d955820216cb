"""The parquet row contract every converter writes, and the builder of one row.

Why one schema: files of different datasets must concatenate (verl reads a list of files into one
table, and ``mix.py`` concatenates them), so every file has the same columns and the same
``extra_info`` keys and types, whether or not a dataset uses a field.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from data_preprocess.core.prompts import CHAT_TEMPLATE_MARKERS, build_prompt, question_text
from data_preprocess.core.records import InvalidRecord, Item
from data_preprocess.registry import TASK_BY_SOURCE

#: The split names a converter may write (``<split>.parquet``).
SPLITS = ("train", "validation", "test", "dev")

EXTRA_INFO_TYPE = pa.struct(
    [
        ("task", pa.string()),
        ("split", pa.string()),
        ("index", pa.int64()),
        ("source_id", pa.string()),
        ("options", pa.string()),
        ("calculator_id", pa.int64()),
        ("calculator_name", pa.string()),
        ("category", pa.string()),
        ("output_type", pa.string()),
        ("lower_limit", pa.float64()),
        ("upper_limit", pa.float64()),
        ("length_budget", pa.int64()),
        ("question", pa.string()),
    ]
)

#: The one Arrow schema of every output file, so parquet files of different datasets concatenate.
ROW_SCHEMA = pa.schema(
    [
        ("data_source", pa.string()),
        ("prompt", pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))),
        ("ability", pa.string()),
        ("reward_model", pa.struct([("style", pa.string()), ("ground_truth", pa.string())])),
        ("extra_info", EXTRA_INFO_TYPE),
    ]
)
EXTRA_INFO_KEYS = tuple(field.name for field in EXTRA_INFO_TYPE)


def make_row(data_source: str, item: Item, split: str, index: int, length_budget: int = 0) -> dict[str, Any]:
    """The verl row for one item; every ``extra_info`` key is always present (see ``ROW_SCHEMA``).

    The task comes from the dataset registry, so a data source that is not registered cannot be
    written (its rows would reach the reward without a known task).
    """
    if data_source not in TASK_BY_SOURCE:
        raise ValueError(f"data_source {data_source!r} is not in data_preprocess.registry")
    task = TASK_BY_SOURCE[data_source]
    prompt = build_prompt(item.question, task, item.options, length_budget)
    for message in prompt:
        marker = next((m for m in CHAT_TEMPLATE_MARKERS if m in message["content"]), None)
        if marker:
            raise InvalidRecord("question", f"contains the chat-template token {marker!r}")
    return {
        "data_source": data_source,
        "prompt": prompt,
        "ability": "medical",
        "reward_model": {"style": "rule", "ground_truth": item.ground_truth},
        "extra_info": {
            "task": task,
            "split": split,
            "index": index,
            "source_id": item.source_id,
            "options": json.dumps(item.options, ensure_ascii=False) if item.options else "",
            "calculator_id": item.calculator_id,
            "calculator_name": item.calculator_name,
            "category": item.category,
            "output_type": item.output_type,
            "lower_limit": item.lower_limit,
            "upper_limit": item.upper_limit,
            "length_budget": length_budget,
            "question": question_text(item.question, item.options),
        },
    }
