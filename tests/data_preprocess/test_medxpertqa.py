"""medxpertqa.py: options listed once, Text subset only, errors; real check on the Med-U1 copies of it."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from data_preprocess import medxpertqa
from data_preprocess.core import readers
from data_preprocess.core.choices import option_letters
from data_preprocess.core.records import InvalidRecord

OPTIONS = {letter: f"Option text {letter}" for letter in option_letters(10)}
INLINE = " ".join(f"({k}) {v}" for k, v in OPTIONS.items())
RECORD = {
    "id": "Text-5",
    "question": f"A 3-year-old girl has a target sign. What is next?\nAnswer Choices: {INLINE}",
    "options": OPTIONS,
    "label": "I",
    "medical_task": "Treatment",
    "body_system": "Digestive",
    "question_type": "Reasoning",
}


def test_options_appear_once_and_mm_is_ignored(tmp_path: Path, dp) -> None:
    dp.write_jsonl(tmp_path / "src" / "Text" / "test.jsonl", [RECORD])
    dp.write_jsonl(tmp_path / "src" / "MM" / "test.jsonl", [{"broken": True}])
    written = medxpertqa.convert(
        local_dataset_path=str(tmp_path / "src"), local_save_dir=str(tmp_path / "out")
    )
    assert written == {"test": 1}
    row = pq.read_table(tmp_path / "out" / "test.parquet").to_pylist()[0]
    user = row["prompt"][1]["content"]
    assert "Answer Choices" not in user
    assert all(user.count(text) == 1 for text in OPTIONS.values())
    assert user.startswith("A 3-year-old girl has a target sign. What is next?\nA. Option text A\n")
    assert row["reward_model"]["ground_truth"] == "I"
    assert (row["extra_info"]["source_id"], row["extra_info"]["category"]) == ("Text-5", "Reasoning")


def test_question_without_inline_choices_is_kept_whole() -> None:
    item = medxpertqa.parse({**RECORD, "question": "Plain question?"}, "f:1")
    assert item.question == "Plain question?"


def test_inline_choices_that_differ_from_options_are_an_error(tmp_path: Path, dp, capsys) -> None:
    other = {**RECORD, "question": RECORD["question"].replace("Option text J", "Something else")}
    source = dp.write_jsonl(tmp_path / "test.jsonl", [RECORD, other, {**RECORD, "label": "K"}])
    with pytest.raises(InvalidRecord) as error:
        medxpertqa.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path / "out"))
    assert (error.value.field, error.value.row) == ("question", 2)
    written = medxpertqa.convert(
        local_dataset_path=str(source), local_save_dir=str(tmp_path / "out"), skip_invalid=True
    )
    assert written == {"test": 1}
    assert "skipped 2 invalid record(s)" in capsys.readouterr().out


def test_hub_path_asks_for_the_text_config(tmp_path: Path, monkeypatch) -> None:
    calls = []

    def fake_hub(hub_id: str, config: str | None = None):
        calls.append((hub_id, config))
        return {"test": [("hub[test]", 1, RECORD)]}

    monkeypatch.setattr(readers, "load_hub", fake_hub)
    assert medxpertqa.convert(local_save_dir=str(tmp_path)) == {"test": 1}
    assert calls == [("TsinghuaC3I/MedXpertQA", "Text")]


def test_real_med_u1_items(real_data_dir: Path, tmp_path: Path, dp) -> None:
    """The Med-U1 release's MedXpertQA items (question with inline choices + choices + label), put back
    into the hub's field names: every inline block matches and is removed, labels survive."""
    originals = json.loads(
        (real_data_dir / "med-u1-reference/deepscaler/data/test/medxpertqa.json").read_text()
    )
    native = [
        {"id": f"Text-{i}", "question": r["problem"], "options": r["choices"], "label": r["answer"]}
        for i, r in enumerate(originals)
    ]
    source = dp.write_jsonl(tmp_path / "test.jsonl", native)
    assert medxpertqa.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path / "out")) == {
        "test": 221
    }
    converted = pq.read_table(tmp_path / "out" / "test.parquet").to_pylist()
    for original, row in zip(originals, converted, strict=True):
        assert row["reward_model"]["ground_truth"] == original["answer"]
        assert "Answer Choices" not in row["prompt"][1]["content"]
        assert json.loads(row["extra_info"]["options"]) == original["choices"]


def test_split_filter_then_resplit_like_med_u1(tmp_path: Path, dp) -> None:
    dp.write_jsonl(
        tmp_path / "src" / "Text" / "test.jsonl", [{**RECORD, "id": f"Text-{i}"} for i in range(10)]
    )
    dp.write_jsonl(tmp_path / "src" / "Text" / "dev.jsonl", [{**RECORD, "id": "Text-dev"}])
    written = medxpertqa.convert(
        local_dataset_path=str(tmp_path / "src"),
        local_save_dir=str(tmp_path / "out"),
        split="test",
        resplit=(7, 2, 1),
    )
    assert written == {"train": 7, "validation": 2, "test": 1}
    ids = [
        r["extra_info"]["source_id"]
        for split in written
        for r in pq.read_table(tmp_path / "out" / f"{split}.parquet").to_pylist()
    ]
    assert sorted(ids) == sorted(f"Text-{i}" for i in range(10))
