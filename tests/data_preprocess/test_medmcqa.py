"""medmcqa.py on small native-format fixtures: rows, ground truths, error paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data_preprocess import medmcqa
from data_preprocess.core.records import InvalidRecord


def _options(row: dict) -> dict:
    return json.loads(row["extra_info"]["options"])


MEDMCQA_NATIVE = [
    {
        "id": "m1",
        "question": "Heel bone?",
        "opa": "Talus",
        "opb": "Calcaneus",
        "opc": "Cuboid",
        "opd": "Navicular",
        "cop": 1,
        "choice_type": "single",
        "exp": "",
        "subject_name": "Anatomy",
        "topic_name": "Foot",
    },
    {
        "id": "m2",
        "question": "Unlabelled test row",
        "opa": "a",
        "opb": "b",
        "opc": "c",
        "opd": "d",
        "cop": -1,
        "choice_type": "single",
        "exp": None,
        "subject_name": "Anatomy",
        "topic_name": None,
    },
    {
        "id": "m3",
        "question": "Vitamin for scurvy?",
        "opa": "A",
        "opb": "B1",
        "opc": "C",
        "opd": "D",
        "cop": 2,
        "choice_type": "single",
        "exp": "",
        "subject_name": "Biochemistry",
        "topic_name": "",
    },
]


def test_medmcqa_native_skips_unlabelled_with_count(dp, tmp_path: Path, capsys: pytest.CaptureFixture):
    path = dp.write_jsonl(tmp_path / "dev.json", MEDMCQA_NATIVE)
    assert medmcqa.convert(str(path), str(tmp_path / "out")) == {"dev": 2}
    assert "skipped 1 record(s) without an answer" in capsys.readouterr().out
    rows = dp.read_rows(tmp_path / "out" / "dev.parquet")
    assert [r["reward_model"]["ground_truth"] for r in rows] == ["B", "C"]
    assert [r["extra_info"]["source_id"] for r in rows] == ["m1", "m3"]
    assert rows[0]["extra_info"]["category"] == "Anatomy"
    one_based = [dict(r, cop=r["cop"] + 1 if r["cop"] >= 0 else r["cop"]) for r in MEDMCQA_NATIVE]
    dp.write_jsonl(path, one_based)
    medmcqa.convert(str(path), str(tmp_path / "base1"), cop_base=1)
    assert dp.read_rows(tmp_path / "base1" / "dev.parquet") == rows


def test_medmcqa_all_unlabelled_split_is_not_written(dp, tmp_path: Path):
    path = dp.write_jsonl(tmp_path / "test.json", [MEDMCQA_NATIVE[1]])
    assert medmcqa.convert(str(path), str(tmp_path / "out")) == {}
    assert not (tmp_path / "out" / "test.parquet").exists()


def test_medmcqa_reformatted_and_errors(dp, tmp_path: Path):
    records = [
        {
            "question": "Heel bone?",
            "choices": ["A. Talus", "B. Calcaneus", "C. Cuboid", "D. Navicular"],
            "answer": 1,
        },
        {"question": "Bad", "choices": ["A. x", "B. y", "C. z", "D. w"], "answer": 7},
        {"question": "Bad prefix", "choices": ["x", "B. y", "C. z", "D. w"], "answer": 0},
    ]
    path = dp.write_jsonl(tmp_path / "validation.jsonl", records)
    with pytest.raises(InvalidRecord, match=r"row 2, field 'answer'"):
        medmcqa.convert(str(path), str(tmp_path / "out"))
    assert medmcqa.convert(str(path), str(tmp_path / "out"), skip_invalid=True) == {"validation": 1}
    row = dp.read_rows(tmp_path / "out" / "validation.parquet")[0]
    assert _options(row) == {"A": "Talus", "B": "Calcaneus", "C": "Cuboid", "D": "Navicular"}
    assert row["reward_model"]["ground_truth"] == "B"
