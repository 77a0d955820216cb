"""medical_o1.py: the seeded train/validation/test split of the JSON list release, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from data_preprocess import medical_o1
from data_preprocess.core.records import InvalidRecord

RECORDS = [
    {"Question": f"Question {i}?", "Complex_CoT": f"Thinking {i}.", "Response": f"  Answer {i}.\n"}
    for i in range(40)
]


def write(path: Path, records: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def positions(out: Path, split: str) -> list[int]:
    """1-based positions in the source list, from ``source_id`` "<file>:<position>"."""
    ids = [r["extra_info"]["source_id"] for r in pq.read_table(out / f"{split}.parquet").to_pylist()]
    assert all(i.startswith("medical_o1_sft.json:") for i in ids)
    return [int(i.rsplit(":", 1)[1]) for i in ids]


def run(tmp_path: Path, out: str, **kwargs) -> dict[str, int]:
    source = tmp_path / "medical_o1_sft.json"
    if not source.exists():
        write(source, RECORDS)
    kwargs.setdefault("resplit", (20, 5, 5))
    return medical_o1.convert(local_dataset_path=str(tmp_path), local_save_dir=str(tmp_path / out), **kwargs)


def test_disjoint_seeded_splits_in_source_order(tmp_path: Path) -> None:
    assert run(tmp_path, "a") == {"test": 5, "validation": 5, "train": 20}
    parts = {split: positions(tmp_path / "a", split) for split in ("train", "validation", "test")}
    every = [p for part in parts.values() for p in part]
    assert len(set(every)) == 30 and set(every) <= set(range(1, 41))
    assert all(part == sorted(part) for part in parts.values())
    row = pq.read_table(tmp_path / "a" / "train.parquet").to_pylist()[0]
    position = parts["train"][0]
    assert row["reward_model"]["ground_truth"] == f"Answer {position - 1}."
    assert row["prompt"][1]["content"].startswith(
        f"Question {position - 1}?\nPlease provide your text answer"
    )
    run(tmp_path, "b", seed=7)
    assert positions(tmp_path / "b", "test") != parts["test"]


def test_training_size_never_moves_the_evaluation_questions(tmp_path: Path) -> None:
    run(tmp_path, "a")
    run(tmp_path, "b", resplit=(3, 5, 5))
    for split in ("validation", "test"):
        assert positions(tmp_path / "a", split) == positions(tmp_path / "b", split)
    assert set(positions(tmp_path / "b", "train")) < set(positions(tmp_path / "a", "train"))


def test_zero_sizes_omit_splits_and_keep_the_others_identical(tmp_path: Path) -> None:
    run(tmp_path, "a")
    assert run(tmp_path, "b", resplit=(0, 0, 5)) == {"test": 5}
    assert not (tmp_path / "b" / "train.parquet").exists()
    assert (tmp_path / "a" / "test.parquet").read_bytes() == (tmp_path / "b" / "test.parquet").read_bytes()
    # One upstream split: --split can only name it; the output splits come from --resplit.
    with pytest.raises(ValueError, match=r"--split test names no input split \(the input has: train\)"):
        run(tmp_path, "c", split="test")


def test_paper_sizes_are_the_default(tmp_path: Path) -> None:
    write(tmp_path / "medical_o1_sft.json", RECORDS)
    with pytest.raises(ValueError, match="needs 10000 records; the input has 40"):
        medical_o1.convert(local_dataset_path=str(tmp_path), local_save_dir=str(tmp_path / "out"))


def test_errors_name_the_problem(tmp_path: Path, capsys) -> None:
    with pytest.raises(FileNotFoundError, match="medical_o1_sft.json"):
        medical_o1.convert(local_dataset_path=str(tmp_path), local_save_dir=str(tmp_path / "out"))
    write(tmp_path / "dict.json", {"Question": "q"})
    with pytest.raises(InvalidRecord, match="JSON list"):
        medical_o1.convert(
            local_dataset_path=str(tmp_path / "dict.json"), local_save_dir=str(tmp_path / "out")
        )
    broken = [dict(r) for r in RECORDS]
    for record in broken:
        del record["Response"]
    write(tmp_path / "medical_o1_sft.json", broken)
    with pytest.raises(InvalidRecord) as error:
        run(tmp_path, "out")
    assert error.value.field == "Response" and "medical_o1_sft.json" in str(error.value)
    broken[0]["Response"] = "Kept."
    write(tmp_path / "medical_o1_sft.json", broken)
    written = medical_o1.convert(
        local_dataset_path=str(tmp_path),
        local_save_dir=str(tmp_path / "out"),
        skip_invalid=True,
        resplit=(40, 0, 0),
    )
    assert written == {"train": 1}
    assert "skipped 39 invalid record(s)" in capsys.readouterr().out


def test_hub_path_reads_the_en_config(tmp_path: Path, monkeypatch) -> None:
    calls = []

    def fake_hub(hub_id: str, config: str | None = None):
        calls.append((hub_id, config))
        return {"train": [("hub[train]", i + 1, r) for i, r in enumerate(RECORDS)]}

    monkeypatch.setattr(medical_o1, "load_hub", fake_hub)
    written = medical_o1.convert(local_save_dir=str(tmp_path), resplit=(20, 5, 5))
    assert written == {"train": 20, "validation": 5, "test": 5}
    assert calls == [("FreedomIntelligence/medical-o1-reasoning-SFT", "en")]


@pytest.mark.parametrize(
    ("question", "flagged"),
    [
        ("How many diagonals are in a regular octagon?\nA. 20\nB. 28\nC. 17", True),
        ("Which drug?\n(A) Aspirin\n(B) Heparin", True),
        ("Do you return to the start?\nOptions:\n- Yes\n- No", True),
        ("Is Vac A or Vac B essential?\nA. is listed only once", False),
        ("What is the effective power of the lens?", False),
    ],
)
def test_embedded_options_are_detected(question: str, flagged: bool) -> None:
    assert medical_o1.has_embedded_options(question) is flagged


def test_rows_with_options_in_the_question_are_flagged_and_counted(tmp_path: Path, capsys) -> None:
    records = [dict(r) for r in RECORDS]
    for record in records[::2]:
        record["Question"] += "\nA. first\nB. second"
    write(tmp_path / "medical_o1_sft.json", records)
    written = run(tmp_path, "out")
    printed = capsys.readouterr().out
    for split, count in written.items():
        rows = pq.read_table(tmp_path / "out" / f"{split}.parquet").to_pylist()
        flagged = [r for r in rows if r["extra_info"]["category"] == medical_o1.OPTIONS_IN_QUESTION]
        assert all("\nA. first" in r["extra_info"]["question"] for r in flagged)
        assert 0 < len(flagged) < count
        assert f"medical_o1/{split}: {len(flagged)} of {count} rows embed options in the question" in printed
