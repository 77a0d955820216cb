"""medicationqa.py on an xlsx fixture with the release's columns and on the real MedInfo 2019 sheet."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from data_preprocess import medicationqa
from data_preprocess.core.records import InvalidRecord

COLUMNS = ["Question", "Focus (Drug)", "Question Type", "Answer", "Section Title", "URL"]


def sheet(path: Path, answers: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        (f"what is drug {i}", f"drug {i}", "Information", a, "NA", "https://x") for i, a in enumerate(answers)
    ]
    pd.DataFrame(rows, columns=COLUMNS).to_excel(path, index=False)
    return path


def test_rows_markers_and_whitespace(tmp_path: Path, capsys) -> None:
    source = sheet(
        tmp_path / "src" / "MedInfo2019-QA-Medications.xlsx", ["An  opioid\nanalgesic.", "No answers", "n/a"]
    )
    written = medicationqa.convert(local_dataset_path=str(source.parent), local_save_dir=str(tmp_path / "o"))
    assert written == {"test": 1}
    assert "skipped 2 record(s) without an answer" in capsys.readouterr().out
    row = pq.read_table(tmp_path / "o" / "test.parquet").to_pylist()[0]
    assert row["reward_model"]["ground_truth"] == "An opioid analgesic."
    assert row["prompt"][1]["content"].startswith("what is drug 0\nPlease provide your text answer")
    assert row["extra_info"]["source_id"] == "MedInfo2019-QA-Medications.xlsx:1"
    assert row["extra_info"]["category"] == "Information"


def test_empty_answer_is_invalid_and_skippable(tmp_path: Path, capsys) -> None:
    source = sheet(tmp_path / "q.xlsx", ["Fine.", ""])
    with pytest.raises(InvalidRecord) as error:
        medicationqa.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path / "o"))
    assert (error.value.field, error.value.row) == ("Answer", 2)
    assert medicationqa.convert(
        local_dataset_path=str(source), local_save_dir=str(tmp_path / "o"), skip_invalid=True
    ) == {"test": 1}
    assert "skipped 1 invalid record(s)" in capsys.readouterr().out


def test_path_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not found"):
        medicationqa.convert(
            local_dataset_path=str(tmp_path / "nope.xlsx"), local_save_dir=str(tmp_path / "o")
        )
    (tmp_path / "two").mkdir()
    sheet(tmp_path / "two" / "a.xlsx", ["x"])
    sheet(tmp_path / "two" / "b.xlsx", ["y"])
    with pytest.raises(FileNotFoundError, match="exactly one"):
        medicationqa.convert(local_dataset_path=str(tmp_path / "two"), local_save_dir=str(tmp_path / "o"))


def test_real_sheet(real_data_dir: Path, tmp_path: Path, capsys) -> None:
    """Answers checked against openpyxl's own reading of the cells."""
    from openpyxl import load_workbook

    file = real_data_dir / "medicationqa" / "MedInfo2019-QA-Medications.xlsx"
    assert medicationqa.convert(local_dataset_path=str(file), local_save_dir=str(tmp_path)) == {"test": 677}
    assert "skipped 13 record(s) without an answer" in capsys.readouterr().out
    cells = list(load_workbook(file, read_only=True).active.iter_rows(min_row=2, values_only=True))
    assert len(cells) == 690
    rows = pq.read_table(tmp_path / "test.parquet").to_pylist()
    for row in random.Random(0).sample(rows, 40):
        number = int(row["extra_info"]["source_id"].rsplit(":", 1)[1])
        question, _, kind, answer, *_ = cells[number - 1]
        assert row["reward_model"]["ground_truth"] == " ".join(str(answer).split())
        assert row["prompt"][1]["content"].startswith(" ".join(str(question).split()))
        assert row["extra_info"]["category"] == kind


def test_hub_copy_has_the_sheet_columns(tmp_path: Path, monkeypatch) -> None:
    record = dict(
        zip(COLUMNS, ("what is morphine", "morphine", "Information", "An opioid.", "NA", "u"), strict=True)
    )
    hub = {"train": [("truehealth/medicationqa[train]", 1, record)]}
    monkeypatch.setattr(
        medicationqa, "load_hub", lambda hub_id: hub if hub_id == "truehealth/medicationqa" else {}
    )
    assert medicationqa.convert(local_save_dir=str(tmp_path)) == {"test": 1}
