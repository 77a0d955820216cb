"""mix.py: counts and weights per input, seeded determinism, concatenation, summary and errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from data_preprocess import medcalc, medical_o1, medqa
from data_preprocess.core.schema import ROW_SCHEMA
from data_preprocess.mix import LengthBudgets, mix, parse_input

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "examples" / "sample_data"


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    """Converter outputs of the quickstart samples: medqa (train 14) and medcalc (train 14)."""
    medqa.convert(str(SAMPLES / "medqa"), str(tmp_path / "medqa"))
    medcalc.convert(str(SAMPLES / "medcalc"), str(tmp_path / "medcalc"))
    return {"medqa": tmp_path / "medqa", "medcalc": tmp_path / "medcalc"}


def test_parse_input_amounts(sources: dict[str, Path]):
    folder = str(sources["medqa"])
    assert parse_input(folder).file == sources["medqa"] / "train.parquet"
    assert parse_input(f"{folder}:30").count == 30
    assert parse_input(f"{folder}:0.5").weight == 0.5 and parse_input(f"{folder}:0.5").count is None
    assert parse_input(f"{folder}:2.").weight == 2.0
    with pytest.raises(FileNotFoundError):
        parse_input(f"{folder}/nope:3")


def test_mix_counts_weights_and_summary(sources: dict[str, Path], tmp_path: Path):
    out = tmp_path / "mix"
    summary = mix([f"{sources['medqa']}:30", f"{sources['medcalc']}:0.5"], str(out), seed=7)
    table = pq.read_table(out / "train.parquet")
    assert table.schema.equals(ROW_SCHEMA)
    rows = table.to_pylist()
    # neither sample folder has a validation split: one of its 14 train rows is held out for validation
    assert [i["available"] for i in summary["inputs"]] == [13, 13]
    assert Counter(r["data_source"] for r in rows) == {"medqa": 30, "medcalc": round(0.5 * 13)}
    assert summary["by_source"] == {"medcalc": 6, "medqa": 30} and summary["by_task"] == {
        "calc": 6,
        "mcq": 30,
    }
    assert summary["total"] == 36
    assert [i["selected"] for i in summary["inputs"]] == [30, 6]
    assert json.loads((out / "mix_summary.json").read_text()) == summary
    medqa_ids = Counter(r["extra_info"]["source_id"] for r in rows if r["data_source"] == "medqa")
    assert len(medqa_ids) == 13 and set(medqa_ids.values()) == {2, 3}  # 2 full copies + 4 sampled rows
    assert [r["data_source"] for r in rows] != sorted(r["data_source"] for r in rows)  # interleaved


def _keys(table: pa.Table) -> set[tuple[str, str, str]]:
    """One key per question: data_source, source_id and the user prompt."""
    return {
        (r["data_source"], r["extra_info"]["source_id"], r["prompt"][1]["content"]) for r in table.to_pylist()
    }


def test_validation_from_validation_splits_or_a_held_out_slice(tmp_path: Path):
    """After a mix of the bundled samples, val.parquet exists, holds no test row and no training row."""
    data = tmp_path / "data"
    medqa.convert(str(SAMPLES / "medqa"), str(data / "medqa"))
    medcalc.convert(str(SAMPLES / "medcalc"), str(data / "medcalc"))
    medical_o1.convert(str(SAMPLES / "medical_o1"), str(data / "medical_o1"), resplit=(14, 3, 3))
    summary = mix(
        [f"{data / 'medqa'}:64", str(data / "medcalc"), str(data / "medical_o1")], str(tmp_path / "mix")
    )
    train, val = (pq.read_table(tmp_path / "mix" / name) for name in ("train.parquet", "val.parquet"))
    tests = set().union(
        *(_keys(pq.read_table(data / name / "test.parquet")) for name in ("medqa", "medcalc", "medical_o1"))
    )
    assert _keys(val) and not _keys(val) & _keys(train) and not _keys(val) & tests
    assert {r["extra_info"]["split"] for r in val.to_pylist()} == {"train", "validation"}
    origins = {entry["by_source"].popitem()[0]: entry["origin"] for entry in summary["validation"]["inputs"]}
    assert origins == {"medqa": "held-out train slice", "medcalc": "held-out train slice",
                       "medical_o1": "validation split"}  # fmt: skip
    assert summary["validation"]["by_source"] == {"medcalc": 1, "medical_o1": 3, "medqa": 1}
    assert summary["validation"]["total"] == val.num_rows == 5


def test_validation_cap_is_a_seeded_sample(tmp_path: Path):
    data = tmp_path / "data"
    medical_o1.convert(str(SAMPLES / "medical_o1"), str(data / "o1"), resplit=(5, 12, 3))
    first = mix([str(data / "o1")], str(tmp_path / "a"), val_per_source=4)
    mix([str(data / "o1")], str(tmp_path / "b"), val_per_source=4)
    entry = first["validation"]["inputs"][0]
    assert (entry["origin"], entry["file"]) == ("validation split", str(data / "o1" / "validation.parquet"))
    assert (entry["available"], entry["rows"], entry["cap"], entry["by_source"]) == (
        12,
        4,
        4,
        {"medical_o1": 4},
    )
    assert (tmp_path / "a" / "val.parquet").read_bytes() == (tmp_path / "b" / "val.parquet").read_bytes()
    assert _keys(pq.read_table(tmp_path / "a" / "val.parquet")) <= _keys(
        pq.read_table(data / "o1" / "validation.parquet")
    )
    with pytest.raises(ValueError, match="val_per_source"):
        mix([str(data / "o1")], str(tmp_path / "c"), val_per_source=0)


def test_mix_refuses_test_split_rows(sources: dict[str, Path], tmp_path: Path):
    with pytest.raises(ValueError, match="test-split rows"):
        mix([str(sources["medqa"] / "test.parquet")], str(tmp_path / "out"))


def test_mix_is_seeded_and_byte_deterministic(sources: dict[str, Path], tmp_path: Path):
    inputs = [str(sources["medqa"]), f"{sources['medcalc']}:5"]
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        mix(inputs, str(tmp_path / name), seed=seed)
    data = {name: (tmp_path / name / "train.parquet").read_bytes() for name in "abc"}
    assert data["a"] == data["b"] and data["a"] != data["c"]


def test_mixed_file_concatenates_with_per_source_files(sources: dict[str, Path], tmp_path: Path):
    mix([str(sources["medqa"]), str(sources["medcalc"])], str(tmp_path / "mix"))
    files = [
        tmp_path / "mix" / "train.parquet",
        sources["medqa"] / "test.parquet",
        sources["medcalc"] / "test.parquet",
    ]
    combined = datasets.concatenate_datasets([datasets.Dataset.from_parquet(str(f)) for f in files])
    assert len(combined) == 26 + 7 + 6  # each train.parquet lost one row to validation


def test_mix_rejects_foreign_parquet(tmp_path: Path):
    pq.write_table(pa.table({"x": [1]}), tmp_path / "train.parquet")
    with pytest.raises(ValueError, match="ROW_SCHEMA"):
        mix([str(tmp_path)], str(tmp_path / "out"))


def test_mix_cli(sources: dict[str, Path], tmp_path: Path):
    command = [sys.executable, str(REPO / "data_preprocess" / "mix.py"), "--inputs", f"{sources['medqa']}:3",
               f"{sources['medcalc']}:2", "--local_save_dir", str(tmp_path / "cli")]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO)
    assert "mix: wrote 5 rows" in result.stdout
    assert pq.read_table(tmp_path / "cli" / "train.parquet").num_rows == 5
    budgeted = [
        *command,
        "--length_budget_share",
        "1",
        "--length_budget_range",
        "10",
        "10",
        "--length_modes",
        "max",
    ]
    subprocess.run(budgeted, capture_output=True, text=True, check=True, cwd=REPO)
    infos = pq.read_table(tmp_path / "cli" / "train.parquet").column("extra_info").to_pylist()
    assert {info["length_budget"] for info in infos} == {-10}
    alone = subprocess.run([*command, "--length_budget_share", "1"], capture_output=True, text=True, cwd=REPO)
    assert alone.returncode == 2 and "go together" in alone.stderr


def test_quickstart_samples_are_in_native_formats():
    o1 = json.loads((SAMPLES / "medical_o1" / "medical_o1_sft.json").read_text(encoding="utf-8"))
    assert isinstance(o1, list) and len(o1) >= 20
    assert all(set(item) == {"Question", "Complex_CoT", "Response"} for item in o1)
    medqa_lines = (SAMPLES / "medqa" / "medqa_train.jsonl").read_text(encoding="utf-8").splitlines()
    for record in map(json.loads, medqa_lines):
        assert record["options"][record["answer_idx"]] == record["answer"]
    header = (SAMPLES / "medcalc" / "test_data.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",")[:3] == ["Row Number", "Calculator ID", "Calculator Name"]


def test_length_budgets_on_a_share_of_the_rows(sources: dict[str, Path], tmp_path: Path):
    """Half of 40 rows get a budget in [16, 112], exact and maximum in turn; the prompt of each carries
    exactly one instruction, the one its extra_info names; the other rows keep no instruction; seeded."""
    budgets = LengthBudgets(0.5, 16, 112)
    summary = mix([f"{sources['medqa']}:20", f"{sources['medcalc']}:20"], str(tmp_path / "a"), 3, 64, budgets)
    rows = pq.read_table(tmp_path / "a" / "train.parquet").to_pylist()
    signed = [r["extra_info"]["length_budget"] for r in rows]
    assert sum(b > 0 for b in signed) == 10 and sum(b < 0 for b in signed) == 10
    assert all(16 <= abs(b) <= 112 for b in signed if b) and len({b for b in signed if b}) > 5
    for row, budget in zip(rows, signed, strict=True):
        user = row["prompt"][-1]["content"]
        wanted = f"Think for {budget} tokens." if budget > 0 else f"Think for maximum {-budget} tokens."
        assert user.count("Think for") == (1 if budget else 0) and (not budget or user.endswith(wanted))
    counts = summary["length_budgets"]["train"]
    assert sum(c.get("exact", 0) for c in counts.values()) == 10 and set(counts) == {"medqa", "medcalc"}
    mix([f"{sources['medqa']}:20", f"{sources['medcalc']}:20"], str(tmp_path / "b"), 3, 64, budgets)
    assert (tmp_path / "a" / "train.parquet").read_bytes() == (tmp_path / "b" / "train.parquet").read_bytes()


def test_length_budgets_replace_the_rows_own(sources: dict[str, Path], tmp_path: Path):
    """Rows converted with a budget already: every row re-budgeted keeps one instruction, the new one."""
    medqa.convert(str(SAMPLES / "medqa"), str(tmp_path / "own"), length_budget=500)
    mix([str(tmp_path / "own")], str(tmp_path / "mix"), 1, 64, LengthBudgets(1.0, 20, 30, ("max",)))
    for row in pq.read_table(tmp_path / "mix" / "train.parquet").to_pylist():
        user, budget = row["prompt"][-1]["content"], row["extra_info"]["length_budget"]
        assert -30 <= budget <= -20 and user.count("Think for") == 1 and "500" not in user.split("tags.")[-1]


def test_length_budgets_refused_when_malformed():
    for bad in ((0.0, 10, 20), (0.5, 20, 10), (0.5, 0, 10), (1.5, 10, 20)):
        with pytest.raises(ValueError, match="--length_budget"):
            LengthBudgets(*bad)
    with pytest.raises(ValueError, match="--length_modes"):
        LengthBudgets(0.5, 10, 20, ("min",))
