"""mediq.py on native-format fixtures and on the real MediQ copy."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from data_preprocess import mediq
from data_preprocess.core.records import InvalidRecord

RECORD = {
    "id": 7,
    "question": "Which of the following was given?",
    "context": ["A 21-year-old man has fever.", "A culture shows gram-negative diplococci"],
    "context_len": 2,
    "options": {"A": "Gentamicin", "B": "Ciprofloxacin", "C": "Ceftriaxone", "D": "Trimethoprim"},
    "answer": "Ceftriaxone",
    "answer_idx": "C",
    "explanation": "",
    "facts": [],
    "patient": {"gender": "Male"},
}


def rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def test_prompt_is_vignette_question_options_instruction(tmp_path: Path, dp) -> None:
    source = dp.write_jsonl(tmp_path / "all_dev_good.jsonl", [RECORD])
    assert mediq.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path / "out")) == {"dev": 1}
    row = rows(tmp_path / "out" / "dev.parquet")[0]
    user = row["prompt"][1]["content"].split("\n")
    assert user[0] == (
        "A 21-year-old man has fever. A culture shows gram-negative diplococci. "
        "Which of the following was given?"
    )
    assert user[1:5] == ["A. Gentamicin", "B. Ciprofloxacin", "C. Ceftriaxone", "D. Trimethoprim"]
    assert user[5].startswith("Please provide only the single option letter")
    assert row["reward_model"]["ground_truth"] == "C"
    assert row["extra_info"]["source_id"] == "7"
    assert json.loads(row["extra_info"]["options"]) == RECORD["options"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"answer_idx": "E"}, "answer"),  # letter outside the options
        ({"answer": "Gentamicin"}, "answer"),  # text and letter disagree
        ({"answer_idx": None}, "answer_idx"),  # missing field
        ({"options": {"A": "x", "C": "y"}}, "options"),  # letters not A, B, ...
    ],
)
def test_bad_record_names_file_row_field_or_is_skipped(
    tmp_path: Path, dp, change: dict, field: str, capsys
) -> None:
    source = dp.write_jsonl(tmp_path / "x_test.jsonl", [RECORD, {**RECORD, **change}])
    with pytest.raises(InvalidRecord) as error:
        mediq.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path / "out"))
    assert (error.value.field, error.value.row) == (field, 2)
    assert "x_test.jsonl" in str(error.value)
    written = mediq.convert(
        local_dataset_path=str(source), local_save_dir=str(tmp_path / "out"), skip_invalid=True
    )
    assert written == {"test": 1}
    assert "skipped 1 invalid record(s)" in capsys.readouterr().out


def test_missing_file_and_unnamed_split_are_clear_errors(tmp_path: Path, dp) -> None:
    with pytest.raises(FileNotFoundError, match="not found"):
        mediq.convert(local_dataset_path=str(tmp_path / "nope.jsonl"), local_save_dir=str(tmp_path / "out"))
    source = dp.write_jsonl(tmp_path / "all_craft_md.jsonl", [RECORD])
    with pytest.raises(ValueError, match="--split"):
        mediq.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path / "out"))
    assert mediq.convert(
        local_dataset_path=str(source), local_save_dir=str(tmp_path / "o"), split="test"
    ) == {"test": 1}


def test_real_dev_file(real_data_dir: Path, tmp_path: Path) -> None:
    source = real_data_dir / "mediq" / "all_dev_good.jsonl"
    assert mediq.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path)) == {"dev": 1272}
    originals = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    converted = rows(tmp_path / "dev.parquet")
    for index in random.Random(0).sample(range(len(originals)), 50):
        original, row = originals[index], converted[index]
        assert row["reward_model"]["ground_truth"] == original["answer_idx"]
        assert row["extra_info"]["source_id"] == str(original["id"])
        assert json.loads(row["extra_info"]["options"])[original["answer_idx"]] == original["answer"].strip()
        assert original["question"] in row["prompt"][1]["content"]


def test_real_craft_md_flags_its_two_inconsistent_labels(real_data_dir: Path, tmp_path: Path, capsys) -> None:
    """Rows 113 and 130 of all_craft_md name an answer text that is not the option of their letter."""
    source = real_data_dir / "mediq" / "all_craft_md.jsonl"
    with pytest.raises(InvalidRecord) as error:
        mediq.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path), split="test")
    assert (error.value.field, error.value.row) == ("answer", 113)
    written = mediq.convert(
        local_dataset_path=str(source), local_save_dir=str(tmp_path), split="test", skip_invalid=True
    )
    assert written == {"test": 138}
    assert "skipped 2 invalid record(s)" in capsys.readouterr().out


def test_resplit_pools_dev_and_test_like_med_u1(tmp_path: Path, dp) -> None:
    dp.write_jsonl(tmp_path / "src" / "all_dev_good.jsonl", [{**RECORD, "id": i} for i in range(6)])
    dp.write_jsonl(tmp_path / "src" / "all_test_good.jsonl", [{**RECORD, "id": 100 + i} for i in range(4)])
    written = mediq.convert(
        local_dataset_path=str(tmp_path / "src"), local_save_dir=str(tmp_path / "out"), resplit=(6, 2, 2)
    )
    assert written == {"train": 6, "validation": 2, "test": 2}
    ids = {
        split: [r["extra_info"]["source_id"] for r in rows(tmp_path / "out" / f"{split}.parquet")]
        for split in written
    }
    assert sorted(sum(ids.values(), []), key=int) == [str(i) for i in [*range(6), *range(100, 104)]]
    with pytest.raises(ValueError, match="needs 11 records; the input has 10"):
        mediq.convert(
            local_dataset_path=str(tmp_path / "src"), local_save_dir=str(tmp_path / "o"), resplit=(9, 1, 1)
        )


def test_real_dev_file_resplit(real_data_dir: Path, tmp_path: Path) -> None:
    source = real_data_dir / "mediq" / "all_dev_good.jsonl"
    written = mediq.convert(
        local_dataset_path=str(source), local_save_dir=str(tmp_path), resplit=(1072, 100, 100)
    )
    assert written == {"train": 1072, "validation": 100, "test": 100}
    ids = [r["extra_info"]["source_id"] for split in written for r in rows(tmp_path / f"{split}.parquet")]
    assert sorted(ids, key=int) == [str(i) for i in range(1272)]
