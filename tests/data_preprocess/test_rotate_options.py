"""rotate_options.py: each MCQ question once per position of its right option, everything rewritten together,
rows that must keep their order left out and counted, seeded bytes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from data_preprocess.core.files import write_parquet
from data_preprocess.core.records import Item
from data_preprocess.core.schema import make_row
from data_preprocess.registry import task_of
from data_preprocess.rotate_options import rotate_file

OPTIONS = {"A": "Fibrillin", "B": "Collagen", "C": "Elastin", "D": "Keratin"}


def mcq(index: int, options: dict[str, str] = OPTIONS, answer: str = "A") -> dict:
    item = Item(
        question="Which protein is defective in Marfan syndrome?",
        ground_truth=answer,
        source_id=f"test.jsonl:{index}",
        options=options,
    )
    return make_row("medmcqa", item, "test", index)


def held_out(tmp_path: Path, rows: list[dict]) -> Path:
    return write_parquet(rows, tmp_path / "in" / "medmcqa" / "test.parquet")


def test_each_question_once_per_letter_with_prompt_question_and_answer_rewritten(tmp_path):
    counts = rotate_file(held_out(tmp_path, [mcq(0), mcq(1, answer="C")]), tmp_path / "out", seed=1)
    rows = pq.read_table(tmp_path / "out" / "medmcqa" / "test.parquet").to_pylist()
    assert counts["rows"] == 8 and counts["gold"] == {"A": 2, "B": 2, "C": 2, "D": 2}
    for row in rows:
        options = json.loads(row["extra_info"]["options"])
        gold = row["reward_model"]["ground_truth"]
        question, answer_text = (
            ("test.jsonl:0", "Fibrillin")
            if "test.jsonl:0 " in row["extra_info"]["source_id"]
            else ("test.jsonl:1", "Elastin")
        )
        assert options[gold] == answer_text and sorted(options.values()) == sorted(OPTIONS.values())
        assert row["extra_info"]["source_id"] == f"{question} | answer at {gold}"
        lines = "\n".join(f"{letter}. {text}" for letter, text in options.items())
        assert lines in row["prompt"][-1]["content"] and lines in row["extra_info"]["question"]
    assert [row["extra_info"]["index"] for row in rows] == list(range(8))  # evaluation keys samples by index


def test_rows_that_must_keep_their_order_are_left_out_and_counted(tmp_path):
    rows = [
        mcq(0),
        mcq(1, {**OPTIONS, "D": "Both A and B"}),
        mcq(2, {**OPTIONS, "D": "None of the above"}, "D"),
    ]
    counts = rotate_file(held_out(tmp_path, rows), tmp_path / "out", seed=1)
    assert counts["rows"] == 4 and counts["left_out"] == {"options keep their order": 2}


def test_an_anchored_option_keeps_its_letter_and_the_others_rotate(tmp_path):
    rotate_file(held_out(tmp_path, [mcq(0, {**OPTIONS, "D": "None of the above"})]), tmp_path / "out", seed=1)
    rows = pq.read_table(tmp_path / "out" / "medmcqa" / "test.parquet").to_pylist()
    assert Counter(row["reward_model"]["ground_truth"] for row in rows) == {"A": 1, "B": 1, "C": 1}
    assert all(json.loads(row["extra_info"]["options"])["D"] == "None of the above" for row in rows)


def test_a_file_without_movable_mcq_rows_is_refused_naming_it(tmp_path):
    path = held_out(tmp_path, [mcq(0, {**OPTIONS, "D": "Both A and B"})])
    with pytest.raises(SystemExit, match="test.parquet: no MCQ row"):
        rotate_file(path, tmp_path / "out", seed=1)


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_orders(tmp_path):
    path = held_out(tmp_path, [mcq(i) for i in range(6)])
    outputs = {}
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        rotate_file(path, tmp_path / name, seed=seed)
        outputs[name] = (tmp_path / name / "medmcqa" / "test.parquet").read_bytes()
    assert outputs["a"] == outputs["b"] and outputs["a"] != outputs["c"]


def test_other_tasks_are_left_out_and_every_other_field_is_kept(tmp_path):
    calc = {
        **mcq(1),
        "data_source": "medcalc",
        "extra_info": {**mcq(1)["extra_info"], "task": "calc", "options": ""},
    }
    source = {**mcq(0), "extra_info": {**mcq(0)["extra_info"], "length_budget": 64, "question": None}}
    counts = rotate_file(held_out(tmp_path, [source, calc]), tmp_path / "out", seed=1)
    assert counts["left_out"] == {"not MCQ": 1} and task_of("medcalc", calc["extra_info"]) == "calc"
    for row in pq.read_table(tmp_path / "out" / "medmcqa" / "test.parquet").to_pylist():
        assert (row["data_source"], row["ability"], row["prompt"][0]) == (
            "medmcqa",
            source["ability"],
            source["prompt"][0],
        )
        info = row["extra_info"]
        assert (info["split"], info["length_budget"], info["question"]) == ("test", 64, None)


def test_a_malformed_options_field_names_file_and_row_and_the_input_is_never_overwritten(tmp_path):
    broken = {**mcq(1), "extra_info": {**mcq(1)["extra_info"], "options": "{not json"}}
    path = held_out(tmp_path, [mcq(0), broken])
    with pytest.raises(SystemExit, match=r"test.parquet, row 1: "):
        rotate_file(path, tmp_path / "out", seed=1)
    with pytest.raises(SystemExit, match="would overwrite the input"):
        rotate_file(held_out(tmp_path, [mcq(0)]), tmp_path / "in", seed=1)
