"""The hub code path of each core converter, with ``datasets.load_dataset`` replaced by in-memory data
in the hub schema (no network in tests)."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest

from data_preprocess import medcalc, medmcqa, medqa, mmlu_medical, mmlu_pro, pubmedqa


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch):
    """Register {(hub_id, config): {split: [records]}}; records the calls made."""
    registry: dict = {}
    calls: list = []

    def load_dataset(hub_id, config=None):
        calls.append((hub_id, config))
        splits = registry[(hub_id, config)]
        return datasets.DatasetDict({s: datasets.Dataset.from_list(rows) for s, rows in splits.items()})

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return registry, calls


def _rows(path: Path) -> list[dict]:
    return datasets.Dataset.from_parquet(str(path)).to_list()


def test_medqa_hub(dp, hub, tmp_path: Path):
    registry, calls = hub
    registry[("GBaker/MedQA-USMLE-4-options", None)] = {
        "train": dp.MEDQA_RECORDS,
        "test": dp.MEDQA_RECORDS[:1],
    }
    assert medqa.convert(None, str(tmp_path)) == {"train": 3, "test": 1}
    assert calls == [("GBaker/MedQA-USMLE-4-options", None)]
    assert _rows(tmp_path / "train.parquet")[2]["extra_info"]["source_id"] == "MedQA-USMLE-4-options[train]:3"


def test_split_converts_only_the_named_hub_split(dp, hub, tmp_path: Path):
    registry, _ = hub
    splits = {"train": dp.MEDQA_RECORDS, "test": dp.MEDQA_RECORDS[:1]}
    registry[("GBaker/MedQA-USMLE-4-options", None)] = splits
    assert medqa.convert(None, str(tmp_path / "one"), split="test") == {"test": 1}
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["test.parquet"]
    missing = r"--split validation names no input split \(the input has: train, test\)"
    with pytest.raises(ValueError, match=missing):
        medqa.convert(None, str(tmp_path / "none"), split="validation")


def test_medmcqa_hub_skips_hidden_test_labels(hub, tmp_path: Path):
    registry, _ = hub
    row = {"id": "x1", "question": "Q?", "opa": "a", "opb": "b", "opc": "c", "opd": "d", "cop": 3,
           "choice_type": "single", "exp": "", "subject_name": "Anatomy", "topic_name": ""}  # fmt: skip
    registry[("openlifescienceai/medmcqa", None)] = {
        "train": [row],
        "validation": [row],
        "test": [dict(row, cop=-1)],
    }
    assert medmcqa.convert(None, str(tmp_path)) == {"train": 1, "validation": 1}
    assert _rows(tmp_path / "train.parquet")[0]["reward_model"]["ground_truth"] == "D"


def test_pubmedqa_hub_with_test_ids(dp, hub, tmp_path: Path):
    registry, _ = hub
    records = [
        {"pubid": int(pmid), "question": r["QUESTION"], "long_answer": "",
         "context": {"contexts": r["CONTEXTS"], "labels": r["LABELS"]}, "final_decision": r["final_decision"]}
        for pmid, r in dp.PUBMEDQA.items()
    ]  # fmt: skip
    registry[("qiaojin/PubMedQA", "pqa_labeled")] = {"train": records}
    truth = tmp_path / "test_ground_truth.json"
    truth.write_text(json.dumps(dp.PUBMEDQA_TEST))
    assert pubmedqa.convert(None, str(tmp_path / "out"), test_ground_truth=str(truth)) == {
        "train": 2,
        "test": 2,
    }
    test = _rows(tmp_path / "out" / "test.parquet")
    assert [r["extra_info"]["source_id"] for r in test] == ["102", "103"]
    assert "METHODS: Trials were small" in test[0]["prompt"][1]["content"]


def test_mmlu_medical_hub_concatenates_subjects(hub, tmp_path: Path):
    registry, calls = hub
    for subject in mmlu_medical.SUBJECTS:
        row = {"question": f"{subject}?", "subject": subject, "choices": ["w", "x", "y", "z"], "answer": 2}
        registry[("cais/mmlu", subject)] = {
            s: [row] for s in ("test", "validation", "dev", "auxiliary_train")
        }
    assert mmlu_medical.convert(None, str(tmp_path)) == {"dev": 6, "validation": 6, "test": 6}
    assert [c[1] for c in calls] == list(mmlu_medical.SUBJECTS)
    rows = _rows(tmp_path / "test.parquet")
    assert [r["extra_info"]["category"] for r in rows] == list(mmlu_medical.SUBJECTS)
    assert {r["reward_model"]["ground_truth"] for r in rows} == {"C"}


def test_mmlu_pro_hub_keeps_health(hub, tmp_path: Path):
    registry, _ = hub
    base = {
        "question": "Q",
        "options": ["a", "b", "c"],
        "answer": "B",
        "answer_index": 1,
        "cot_content": "",
        "src": "s",
    }
    registry[("TIGER-Lab/MMLU-Pro", None)] = {
        "test": [dict(base, question_id=1, category="health"), dict(base, question_id=2, category="law")],
        "validation": [dict(base, question_id=3, category="health")],
    }
    assert mmlu_pro.convert(None, str(tmp_path)) == {"test": 1, "validation": 1}
    assert _rows(tmp_path / "test.parquet")[0]["extra_info"]["source_id"] == "1"


def test_medcalc_hub_versions_and_typed_columns(dp, hub, tmp_path: Path):
    registry, calls = hub
    records = [dict(zip(dp.MEDCALC_COLUMNS, row, strict=True)) for row in dp.MEDCALC_ROWS]
    for record in records:
        record["Row Number"], record["Calculator ID"] = (
            int(record["Row Number"]),
            int(record["Calculator ID"]),
        )
    registry[("ncbi/MedCalc-Bench-v1.2", None)] = {"train": records, "test": records[:2]}
    assert medcalc.convert(None, str(tmp_path), version="v1.2", split="test") == {"test": 2}
    assert calls == [("ncbi/MedCalc-Bench-v1.2", None)]
    info = _rows(tmp_path / "test.parquet")[1]["extra_info"]
    assert (info["source_id"], info["calculator_id"], info["lower_limit"]) == ("2", 4, 5.0)
