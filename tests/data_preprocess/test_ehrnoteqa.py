"""ehrnoteqa.py on fixtures in the PhysioNet release's jsonl layout (the real data is credentialed)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from data_preprocess import ehrnoteqa
from data_preprocess.core.records import InvalidRecord

RAW = {
    "patient_id": 10002,
    "num_notes": 2,
    "question": "Which antibiotic was started at the second admission?",
    "choice_A": "Vancomycin",
    "choice_B": "Ceftriaxone",
    "choice_C": "Linezolid",
    "choice_D": "Meropenem",
    "choice_E": "Cefazolin",
    "answer": "B",
}
PROCESSED = {
    **RAW,
    "note_1": "Patient ID : 10002\nFirst stay.",
    "note_2": "Patient ID : 10002\nSecond.",
    "note_3": "",
}


def user_turn(out: Path) -> str:
    return pq.read_table(out / "test.parquet").to_pylist()[0]["prompt"][1]["content"]


@pytest.mark.parametrize("path", [None, "missing/EHRNoteQA.jsonl"])
def test_missing_data_says_how_to_obtain_it(tmp_path: Path, path: str | None) -> None:
    with pytest.raises(FileNotFoundError, match="physionet.org/content/ehr-notes-qa-llms"):
        ehrnoteqa.convert(local_dataset_path=path and str(tmp_path / path), local_save_dir=str(tmp_path))


def test_notes_in_the_authors_layout_unless_without_notes(tmp_path: Path, dp) -> None:
    source = dp.write_jsonl(tmp_path / "src" / "EHRNoteQA_processed.jsonl", [PROCESSED])
    dp.write_jsonl(
        tmp_path / "src" / "EHRNoteQA.jsonl", [{**RAW, "answer": "A"}]
    )  # the folder prefers the processed file
    ehrnoteqa.convert(local_dataset_path=str(source.parent), local_save_dir=str(tmp_path / "a"), split="test")
    user = user_turn(tmp_path / "a")
    assert user.startswith(
        "Discharge Summary:\n[note 1 start]\nPatient ID : 10002\nFirst stay.\n[note 1 end]\n\n"
    )
    assert "[note 2 end]\n\nQuestion: Which antibiotic" in user and "[note 3" not in user
    assert "\nE. Cefazolin\n" in user
    row = pq.read_table(tmp_path / "a" / "test.parquet").to_pylist()[0]
    assert (row["reward_model"]["ground_truth"], row["extra_info"]["source_id"]) == ("B", "10002")
    ehrnoteqa.convert(
        local_dataset_path=str(source), local_save_dir=str(tmp_path / "b"), split="test", without_notes=True
    )
    assert user_turn(tmp_path / "b").startswith(
        "Which antibiotic was started at the second admission?\nA. Vancomycin"
    )


def test_raw_release_without_notes_gives_question_and_options(tmp_path: Path, dp) -> None:
    source = dp.write_jsonl(tmp_path / "EHRNoteQA.jsonl", [RAW])
    with pytest.raises(ValueError, match="--split"):
        ehrnoteqa.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path / "out"))
    ehrnoteqa.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path / "out"), split="test")
    assert user_turn(tmp_path / "out").startswith(RAW["question"] + "\nA. Vancomycin")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"answer": "F"}, "answer"),
        ({"choice_C": ""}, "options"),
        ({"question": None}, "question"),
        ({"note_2": ""}, "note_2"),  # num_notes says 2
    ],
)
def test_bad_records(tmp_path: Path, dp, change: dict, field: str, capsys) -> None:
    source = dp.write_jsonl(tmp_path / "EHRNoteQA_processed.jsonl", [PROCESSED, {**PROCESSED, **change}])
    with pytest.raises(InvalidRecord) as error:
        ehrnoteqa.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path / "o"), split="test")
    assert (error.value.field, error.value.row) == (field, 2)
    written = ehrnoteqa.convert(
        local_dataset_path=str(source), local_save_dir=str(tmp_path / "o"), split="test", skip_invalid=True
    )
    assert written == {"test": 1}
    assert "skipped 1 invalid record(s)" in capsys.readouterr().out


def test_resplit_needs_no_split_name(tmp_path: Path, dp) -> None:
    source = dp.write_jsonl(tmp_path / "EHRNoteQA.jsonl", [{**RAW, "patient_id": 1000 + i} for i in range(9)])
    written = ehrnoteqa.convert(
        local_dataset_path=str(source), local_save_dir=str(tmp_path / "o"), resplit=(6, 2, 1)
    )
    assert written == {"train": 6, "validation": 2, "test": 1}
    again = ehrnoteqa.convert(
        local_dataset_path=str(source), local_save_dir=str(tmp_path / "p"), resplit=(6, 2, 1)
    )
    assert again == written
    for split in written:
        assert (tmp_path / "o" / f"{split}.parquet").read_bytes() == (
            tmp_path / "p" / f"{split}.parquet"
        ).read_bytes()
