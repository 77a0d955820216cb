"""mmlu_pro.py on small native-format fixtures: rows, ground truths, error paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data_preprocess import mmlu_pro
from data_preprocess.core.records import InvalidRecord


def _options(row: dict) -> dict:
    return json.loads(row["extra_info"]["options"])


def test_mmlu_pro_native_filters_health_and_checks_index(dp, tmp_path: Path):
    options = [f"option {i}" for i in range(10)]
    records = [
        {"question_id": 11, "question": "Q1", "options": options, "answer": "J", "answer_index": 9,
         "cot_content": "", "category": "health", "src": "ori_mmlu-nutrition"},
        {"question_id": 12, "question": "Law?", "options": options[:4], "answer": "A", "answer_index": 0,
         "cot_content": "", "category": "law", "src": "ori_mmlu-law"},
        {"question_id": 13, "question": "Q3", "options": options[:3], "answer": "B", "answer_index": 2,
         "cot_content": "", "category": "health", "src": "stemez-Health"},
    ]  # fmt: skip
    path = dp.write_jsonl(tmp_path / "test.jsonl", records)
    with pytest.raises(InvalidRecord, match=r"row 3, field 'answer_index'"):
        mmlu_pro.convert(str(path), str(tmp_path / "out"))
    assert mmlu_pro.convert(str(path), str(tmp_path / "out"), skip_invalid=True) == {"test": 1}
    row = dp.read_rows(tmp_path / "out" / "test.parquet")[0]
    assert row["data_source"] == "mmlu_pro_health" and row["extra_info"]["source_id"] == "11"
    assert row["reward_model"]["ground_truth"] == "J" and len(_options(row)) == 10
    assert "\nJ. option 9\n" in row["prompt"][1]["content"]


def test_mmlu_pro_reformatted(dp, tmp_path: Path):
    record = {
        "realidx": 6002,
        "question": "Polyomaviruses cause?",
        "options": {"A": "Tumours", "B": "Nil"},
        "answer_idx": "B",
        "category": "health",
        "src": "ori_mmlu-virology",
        "answer": "Nil",
    }
    path = dp.write_jsonl(tmp_path / "test.jsonl", [record])
    mmlu_pro.convert(str(path), str(tmp_path / "out"))
    row = dp.read_rows(tmp_path / "out" / "test.parquet")[0]
    assert row["extra_info"]["source_id"] == "6002" and row["reward_model"]["ground_truth"] == "B"
    assert row["extra_info"]["category"] == "ori_mmlu-virology"


def test_split_converts_only_the_named_local_split(dp, tmp_path: Path):
    record = {"question_id": 1, "question": "Q", "options": ["a", "b"], "answer": "B", "answer_index": 1,
              "category": "health", "src": "s"}  # fmt: skip
    folder = tmp_path / "release"
    dp.write_jsonl(folder / "test.jsonl", [record, dict(record, question_id=2)])
    dp.write_jsonl(folder / "validation.jsonl", [dict(record, question_id=3)])
    assert mmlu_pro.convert(str(folder), str(tmp_path / "all")) == {"test": 2, "validation": 1}
    assert mmlu_pro.convert(str(folder), str(tmp_path / "one"), split="validation") == {"validation": 1}
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["validation.parquet"]
    missing = r"--split train names no input split \(the input has: test, validation\)"
    with pytest.raises(ValueError, match=missing):
        mmlu_pro.convert(str(folder), str(tmp_path / "none"), split="train")
