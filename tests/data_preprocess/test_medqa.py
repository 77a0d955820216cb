"""medqa.py on small native-format fixtures: rows, ground truths, error paths, options."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from data_preprocess import medqa
from data_preprocess.core.records import InvalidRecord

REPO = Path(__file__).resolve().parents[2]


def _options(row: dict) -> dict:
    return json.loads(row["extra_info"]["options"])


def test_medqa_folder_splits_and_ground_truth(dp, medqa_dir: Path, tmp_path: Path):
    written = medqa.convert(str(medqa_dir), str(tmp_path / "out"))
    assert written == {"dev": 1, "test": 2, "train": 3}
    rows = dp.read_rows(tmp_path / "out" / "train.parquet")
    for row, record in zip(rows, dp.MEDQA_RECORDS, strict=True):
        assert row["data_source"] == "medqa" and row["ability"] == "medical"
        assert row["reward_model"]["ground_truth"] == record["answer_idx"]
        assert _options(row)[record["answer_idx"]] == record["answer"]
        assert row["prompt"][1]["content"].startswith(record["question"])
        assert f"\n{record['answer_idx']}. {record['answer']}\n" in row["prompt"][1]["content"]
    assert [r["extra_info"]["index"] for r in rows] == [0, 1, 2]


def test_medqa_split_filter_and_single_file(dp, medqa_dir: Path, tmp_path: Path):
    assert medqa.convert(str(medqa_dir), str(tmp_path / "a"), split="test") == {"test": 2}
    single = dp.write_jsonl(tmp_path / "questions.jsonl", dp.MEDQA_RECORDS)
    with pytest.raises(ValueError, match="--split"):
        medqa.convert(str(single), str(tmp_path / "b"))
    assert medqa.convert(str(single), str(tmp_path / "b"), split="validation") == {"validation": 3}


def test_medqa_errors_name_file_row_and_field(dp, tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        medqa.convert(str(tmp_path / "missing_test.jsonl"), str(tmp_path / "out"))
    wrong = tmp_path / "wrong_test.jsonl"
    wrong.write_text("question,answer\nq,a\n")
    with pytest.raises(InvalidRecord, match=r"wrong_test.jsonl, row 1, field '<json>'"):
        medqa.convert(str(wrong), str(tmp_path / "out"))
    bad = [dict(dp.MEDQA_RECORDS[0]), dict(dp.MEDQA_RECORDS[1]), dict(dp.MEDQA_RECORDS[2])]
    del bad[1]["question"]
    bad[2]["answer_idx"] = "E"
    path = dp.write_jsonl(tmp_path / "bad_test.jsonl", bad)
    with pytest.raises(InvalidRecord, match=r"bad_test.jsonl, row 2, field 'question'"):
        medqa.convert(str(path), str(tmp_path / "out"))
    dp.write_jsonl(path, [bad[0], bad[2]])
    with pytest.raises(InvalidRecord, match=r"row 2, field 'answer': 'E' is not one of the options"):
        medqa.convert(str(path), str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
    dp.write_jsonl(path, bad)
    assert medqa.convert(str(path), str(tmp_path / "out"), skip_invalid=True) == {"test": 1}


def test_medqa_option_shuffling_relabels_train_only(dp, medqa_dir: Path, tmp_path: Path):
    medqa.convert(str(medqa_dir), str(tmp_path / "plain"))
    medqa.convert(str(medqa_dir), str(tmp_path / "shuf"), shuffle_options=True, seed=3)
    plain_test, shuf_test = (dp.read_rows(tmp_path / d / "test.parquet") for d in ("plain", "shuf"))
    assert plain_test == shuf_test
    shuffled = dp.read_rows(tmp_path / "shuf" / "train.parquet")
    for row, record in zip(shuffled, dp.MEDQA_RECORDS, strict=True):
        assert _options(row)[row["reward_model"]["ground_truth"]] == record["answer"]
        assert sorted(_options(row).values()) == sorted(record["options"].values())
    assert [_options(r) for r in shuffled] != [r["options"] for r in dp.MEDQA_RECORDS]


def test_length_budgets_fixed_range_and_max(dp, medqa_dir: Path, tmp_path: Path):
    medqa.convert(str(medqa_dir), str(tmp_path / "fixed"), length_budget=256)
    for row in dp.read_rows(tmp_path / "fixed" / "train.parquet"):
        assert row["extra_info"]["length_budget"] == 256
        assert row["prompt"][1]["content"].endswith("tags. Think for 256 tokens.")
    medqa.convert(str(medqa_dir), str(tmp_path / "range"), length_budget_range=(100, 2000), length_mode="max")
    rows = dp.read_rows(tmp_path / "range" / "train.parquet")
    for row in rows:
        budget = row["extra_info"]["length_budget"]
        assert -2000 <= budget <= -100
        assert row["prompt"][1]["content"].endswith(f"Think for maximum {-budget} tokens.")
    medqa.convert(str(medqa_dir), str(tmp_path / "none"))
    assert {r["extra_info"]["length_budget"] for r in dp.read_rows(tmp_path / "none" / "train.parquet")} == {
        0
    }


def test_byte_determinism_and_seed_sensitivity(dp, medqa_dir: Path, tmp_path: Path):
    kwargs = {"shuffle_options": True, "length_budget_range": (100, 2000)}
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        medqa.convert(str(medqa_dir), str(tmp_path / name), seed=seed, **kwargs)
    data = {name: (tmp_path / name / "train.parquet").read_bytes() for name in "abc"}
    assert data["a"] == data["b"] and data["a"] != data["c"]


def test_cli_runs_as_a_script(dp, medqa_dir: Path, tmp_path: Path):
    result = subprocess.run(
        [sys.executable, str(REPO / "data_preprocess" / "medqa.py"), "--local_dataset_path", str(medqa_dir),
         "--local_save_dir", str(tmp_path / "cli"), "--limit", "1", "--length_budget", "50"],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    assert "medqa/train: wrote 1 rows" in result.stdout
    assert dp.read_rows(tmp_path / "cli" / "train.parquet")[0]["extra_info"]["length_budget"] == 50
