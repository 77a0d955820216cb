"""mmlu_medical.py on small native-format fixtures: rows, ground truths, error paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data_preprocess import mmlu_medical
from data_preprocess.core.records import InvalidRecord


def _options(row: dict) -> dict:
    return json.loads(row["extra_info"]["options"])


def test_mmlu_medical_folders_subjects_and_order(dp, mmlu_dir: Path, tmp_path: Path):
    assert mmlu_medical.convert(str(mmlu_dir), str(tmp_path / "out")) == {
        "dev": 3,
        "test": 3,
        "validation": 3,
    }
    rows = dp.read_rows(tmp_path / "out" / "test.parquet")
    expected = dp.MMLU_ROWS["anatomy"] + dp.MMLU_ROWS["medical_genetics"]
    assert [r["extra_info"]["category"] for r in rows] == ["anatomy", "anatomy", "medical_genetics"]
    for row, source in zip(rows, expected, strict=True):
        assert row["reward_model"]["ground_truth"] == source[5]
        assert list(_options(row).values()) == source[1:5]
    assert rows[0]["extra_info"]["source_id"] == "anatomy_test.csv:1"


def test_mmlu_medical_wrong_column_count(dp, tmp_path: Path):
    path = dp.write_csv(tmp_path / "anatomy_test.csv", [["q", "a", "b", "c", "A"]])
    with pytest.raises(InvalidRecord, match=r"anatomy_test.csv, row 1, field '<columns>'"):
        mmlu_medical.convert(str(path), str(tmp_path / "out"))
    with pytest.raises(FileNotFoundError):
        mmlu_medical.convert(str(tmp_path / "nowhere"), str(tmp_path / "out"))
