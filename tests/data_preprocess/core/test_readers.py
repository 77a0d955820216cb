"""Split names from file names, and the readers' errors naming file and row."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_preprocess.core.readers import infer_split, read_jsonl, split_from_name
from data_preprocess.core.records import InvalidRecord


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("test_data.csv", "test"),
        ("phrases_no_exclude_test.jsonl", "test"),
        ("all_dev_good.jsonl", "dev"),
        ("validation.jsonl", "validation"),
        ("anatomy_val.csv", "validation"),
        ("train_data.csv", "train"),
        ("questions.jsonl", None),
        ("contest.jsonl", None),
    ],
)
def test_split_from_name(name: str, split: str | None):
    assert split_from_name(name) == split


def test_infer_split_explicit_wins_and_unknown_raises():
    assert infer_split("questions.jsonl", "train") == "train"
    assert infer_split("x_test.jsonl", None) == "test"
    with pytest.raises(ValueError, match="--split"):
        infer_split("questions.jsonl", None)


def test_read_jsonl_names_the_bad_line(tmp_path: Path):
    path = tmp_path / "x_test.jsonl"
    path.write_text('{"a": 1}\n\n{broken\n', encoding="utf-8")
    records = read_jsonl(path)
    assert next(records) == (str(path), 1, {"a": 1})
    with pytest.raises(InvalidRecord, match=r"x_test.jsonl, row 3, field '<json>'"):
        next(records)
