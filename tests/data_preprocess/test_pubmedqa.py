"""pubmedqa.py on small native-format fixtures: rows, ground truths, error paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data_preprocess import pubmedqa
from data_preprocess.core.records import InvalidRecord


def test_pubmedqa_official_split_and_contexts(dp, pubmedqa_dir: Path, tmp_path: Path):
    assert pubmedqa.convert(str(pubmedqa_dir), str(tmp_path / "out")) == {"train": 2, "test": 2}
    test = dp.read_rows(tmp_path / "out" / "test.parquet")
    assert [r["extra_info"]["source_id"] for r in test] == ["102", "103"]
    assert [r["reward_model"]["ground_truth"] for r in test] == ["C", "B"]
    train = dp.read_rows(tmp_path / "out" / "train.parquet")
    assert [r["extra_info"]["source_id"] for r in train] == ["101", "104"]
    content = train[0]["prompt"][1]["content"]
    assert "BACKGROUND: Hypertension is common." in content and "RESULTS: Exercise reduced" in content
    assert "Question: Does exercise lower blood pressure" in content
    assert "\nA. yes\nB. no\nC. maybe\n" in content
    assert pubmedqa.convert(str(pubmedqa_dir / "ori_pqal.json"), str(tmp_path / "t"), split="test") == {
        "test": 2
    }


def test_pubmedqa_errors(dp, pubmedqa_dir: Path, tmp_path: Path):
    (pubmedqa_dir / "test_ground_truth.json").unlink()
    with pytest.raises(FileNotFoundError, match="test_ground_truth"):
        pubmedqa.convert(str(pubmedqa_dir), str(tmp_path / "out"))
    (pubmedqa_dir / "test_ground_truth.json").write_text(json.dumps({"102": "yes"}))
    with pytest.raises(InvalidRecord, match="disagrees"):
        pubmedqa.convert(str(pubmedqa_dir), str(tmp_path / "out"))
    bad = dict(dp.PUBMEDQA, **{"104": dict(dp.PUBMEDQA["104"], final_decision="probably")})
    (pubmedqa_dir / "ori_pqal.json").write_text(json.dumps(bad))
    (pubmedqa_dir / "test_ground_truth.json").write_text(json.dumps({"102": "maybe"}))
    with pytest.raises(InvalidRecord, match=r"row 4, field 'final_decision'"):
        pubmedqa.convert(str(pubmedqa_dir), str(tmp_path / "out"))
    with pytest.raises(ValueError, match="--test_ground_truth"):
        pubmedqa.convert(None, str(tmp_path / "out"))
