"""The MCQ and calc converters on the real public copies: counts, schema, sampled ground truths,
determinism, shuffling on real options; and every real open-ended reference through the reward."""

from __future__ import annotations

import csv
import importlib
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from data_preprocess import medmcqa
from data_preprocess.convert_real_copies import WITH_REAL_COPY, convert_real_copies
from data_preprocess.core.choices import is_anchored, keeps_source_order, letter_of
from data_preprocess.core.prompts import CHAT_TEMPLATE_MARKERS
from data_preprocess.core.records import parse_limit
from data_preprocess.core.schema import ROW_SCHEMA
from data_preprocess.registry import dataset
from reward_score import compute_score

CORE = [module for module in WITH_REAL_COPY if dataset(module).task != "text"]
EXPECTED = {
    "medqa": {"test": 1273},
    "medmcqa": {"validation": 4183},
    "pubmedqa": {"train": 500, "test": 500},
    "mmlu_medical": {"dev": 30, "validation": 123, "test": 1089},
    "mmlu_pro": {"test": 818},
    "mediq": {"dev": 1272},
    "medcalc": {"test": 1047},
}


@pytest.fixture(scope="module")
def converted(real_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("real")
    results = convert_real_copies(real_data_dir, out, CORE)
    assert {module: result.written for module, result in results.items()} == EXPECTED
    return out


def _release(real_data_dir: Path, module: str, name: str) -> Path:
    """A file inside a converter's real copy folder."""
    return real_data_dir / dataset(module).real_copy / name


def _file(root: Path, module: str, split: str) -> Path:
    return root / dataset(module).data_source / f"{split}.parquet"


def _rows(converted: Path, module: str, split: str) -> list[dict]:
    return pq.read_table(_file(converted, module, split)).to_pylist()


def _sample(n: int, k: int = 40) -> list[int]:
    return sorted(random.Random(0).sample(range(n), min(k, n)))


def test_every_output_has_the_schema_and_no_template_tokens(converted: Path):
    tables = []
    for name, splits in EXPECTED.items():
        for split, count in splits.items():
            table = pq.read_table(_file(converted, name, split))
            assert table.schema.equals(ROW_SCHEMA) and table.num_rows == count
            tables.append(table)
            for row in table.to_pylist():
                assert [m["role"] for m in row["prompt"]] == ["system", "user"]
                assert row["extra_info"]["split"] == split
                for message in row["prompt"]:
                    assert not any(marker in message["content"] for marker in CHAT_TEMPLATE_MARKERS)
    assert pa.concat_tables(tables).num_rows == sum(sum(s.values()) for s in EXPECTED.values())


def test_medqa_ground_truths_match_source(converted: Path, real_data_dir: Path):
    source_file = _release(real_data_dir, "medqa", "phrases_no_exclude_test.jsonl")
    lines = source_file.read_text(encoding="utf-8").splitlines()
    rows = _rows(converted, "medqa", "test")
    for i in _sample(len(rows)):
        source = json.loads(lines[i])
        options = json.loads(rows[i]["extra_info"]["options"])
        assert rows[i]["reward_model"]["ground_truth"] == source["answer_idx"]
        assert options[source["answer_idx"]] == source["answer"].strip()
        assert rows[i]["prompt"][1]["content"].startswith(source["question"].strip())


def test_medmcqa_ground_truths_match_source(converted: Path, real_data_dir: Path):
    lines = _release(real_data_dir, "medmcqa", "validation.jsonl").read_text(encoding="utf-8").splitlines()
    rows = _rows(converted, "medmcqa", "validation")
    for i in _sample(len(rows)):
        source = json.loads(lines[i])
        answer = rows[i]["reward_model"]["ground_truth"]
        assert answer == letter_of(source["answer"])
        assert (
            f"{answer}. {json.loads(rows[i]['extra_info']['options'])[answer]}"
            == source["choices"][source["answer"]]
        )


def test_pubmedqa_ground_truths_match_official_test(converted: Path, real_data_dir: Path):
    truth = json.loads((real_data_dir / "pubmedqa" / "test_ground_truth.json").read_text())
    labelled = json.loads((real_data_dir / "pubmedqa" / "ori_pqal.json").read_text())
    rows = _rows(converted, "pubmedqa", "test")
    assert {r["extra_info"]["source_id"] for r in rows} == set(truth)
    for row in rows:
        assert {"A": "yes", "B": "no", "C": "maybe"}[row["reward_model"]["ground_truth"]] == truth[
            row["extra_info"]["source_id"]
        ]
    train = _rows(converted, "pubmedqa", "train")
    assert not {r["extra_info"]["source_id"] for r in train} & set(truth)
    for row in train[:20]:
        source = labelled[row["extra_info"]["source_id"]]
        assert source["CONTEXTS"][0].strip() in row["prompt"][1]["content"]


def test_mmlu_medical_ground_truths_match_source(converted: Path, real_data_dir: Path):
    rows = _rows(converted, "mmlu_medical", "test")
    for i in _sample(len(rows)):
        file, number = rows[i]["extra_info"]["source_id"].rsplit(":", 1)
        with open(real_data_dir / "mmlu-medical" / "test" / file, encoding="utf-8", newline="") as handle:
            source = list(csv.reader(handle))[int(number) - 1]
        assert rows[i]["reward_model"]["ground_truth"] == source[5]
        assert list(json.loads(rows[i]["extra_info"]["options"]).values()) == [t.strip() for t in source[1:5]]
        assert rows[i]["extra_info"]["category"] == file.removesuffix("_test.csv")


def test_mmlu_pro_ground_truths_match_source(converted: Path, real_data_dir: Path):
    lines = _release(real_data_dir, "mmlu_pro", "test.jsonl").read_text(encoding="utf-8").splitlines()
    rows = _rows(converted, "mmlu_pro", "test")
    for i in _sample(len(rows)):
        source = json.loads(lines[i])
        assert rows[i]["extra_info"]["source_id"] == str(source["realidx"])
        assert rows[i]["reward_model"]["ground_truth"] == source["answer_idx"]
        assert json.loads(rows[i]["extra_info"]["options"])[source["answer_idx"]] == source["answer"].strip()
    assert max(len(json.loads(r["extra_info"]["options"])) for r in rows) == 10


def test_medcalc_ground_truths_and_limits_match_source(converted: Path, real_data_dir: Path):
    with open(_release(real_data_dir, "medcalc", "test_data.csv"), encoding="utf-8", newline="") as handle:
        source = list(csv.DictReader(handle))
    rows = _rows(converted, "medcalc", "test")
    for i in _sample(len(rows), 80):
        info, record = rows[i]["extra_info"], source[i]
        assert info["source_id"] == record["Row Number"]
        assert rows[i]["reward_model"]["ground_truth"] == record["Ground Truth Answer"].strip()
        assert info["calculator_id"] == int(record["Calculator ID"])
        assert (info["lower_limit"], info["upper_limit"]) == (
            parse_limit(record["Lower Limit"]),
            parse_limit(record["Upper Limit"]),
        )
        assert record["Patient Note"].strip() in rows[i]["prompt"][1]["content"]
    dates = [r for r in rows if r["extra_info"]["category"] == "date"]
    assert len(dates) == 60 and all(r["extra_info"]["lower_limit"] is None for r in dates)


def test_real_conversions_are_byte_deterministic(converted: Path, real_data_dir: Path, tmp_path: Path):
    convert_real_copies(real_data_dir, tmp_path, CORE)
    for name, splits in EXPECTED.items():
        for split in splits:
            assert _file(tmp_path, name, split).read_bytes() == _file(converted, name, split).read_bytes()


def test_every_real_row_scores_its_ground_truth_as_correct(converted: Path):
    for name, splits in EXPECTED.items():
        for split in splits:
            for row in _rows(converted, name, split):
                truth = row["reward_model"]["ground_truth"]
                solution = f"<think>x</think><answer>{truth}</answer>"
                result = compute_score(row["data_source"], solution, truth, extra_info=row["extra_info"])
                assert result["acc"] == 1.0, (name, row["extra_info"]["source_id"], truth, result)


def test_medmcqa_shuffling_keeps_anchored_options_and_rows_naming_others(
    real_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
):
    """The real MedMCQA validation file converted as a train split with shuffled options."""
    source = _release(real_data_dir, "medmcqa", "validation.jsonl")
    medmcqa.convert(str(source), str(tmp_path / "plain"), split="train")
    medmcqa.convert(str(source), str(tmp_path / "shuffled"), split="train", shuffle_options=True)
    plain = pq.read_table(tmp_path / "plain" / "train.parquet").to_pylist()
    shuffled = pq.read_table(tmp_path / "shuffled" / "train.parquet").to_pylist()
    kept = anchored = 0
    for before, after in zip(plain, shuffled, strict=True):
        old, new = (json.loads(r["extra_info"]["options"]) for r in (before, after))
        assert new[after["reward_model"]["ground_truth"]] == old[before["reward_model"]["ground_truth"]]
        if keeps_source_order(old):
            kept += 1
            assert after == before
        for letter, text in old.items():
            if is_anchored(text):
                anchored += 1
                assert new[letter] == text
    assert 0 < kept < 100 and anchored > 100
    assert f"medmcqa/train: kept {kept} row(s) unshuffled" in capsys.readouterr().out


def _huatuo_as_release(real_data_dir: Path, folder: Path) -> tuple[Path, dict]:
    """The Med-U1 medical-o1 test items put back into the release's fields (their ground truths wrap
    ``Response`` in answer tags)."""
    items = json.loads((real_data_dir / "med-u1-reference/deepscaler/data/test/huatuo_test.json").read_text())
    assert all(r["answer"].strip().startswith("<answer>") and r["answer"].strip().endswith("</answer>")
               for r in items)  # fmt: skip
    records = [{"Question": r["problem"], "Complex_CoT": r["think"], "Response": r["answer"].strip()[8:-9]}
               for r in items]  # fmt: skip
    folder.mkdir(parents=True)
    (folder / "medical_o1_sft.json").write_text(json.dumps(records), encoding="utf-8")
    return folder, {"resplit": (0, 0, len(records))}


@pytest.mark.parametrize("module", ["medquad", "liveqa", "medicationqa", "medical_o1"])
def test_real_text_references_round_trip_through_the_reward(module: str, real_data_dir: Path, tmp_path: Path):
    """Every real reference, given back as the answer, is read intact by the reward (ROUGE-L acc 1).

    Under the paper's rule (Merge > 45, Merge = EMS/2 + BLEU/2 with BLEU on a 0-1 scale) a reference
    passes only when EMS(ref, ref) - distinct reference words / answer words - is about 90 or more, so
    references that repeat words fail against themselves; every reference without a repeated
    normalised word must pass.
    """
    from reward_score import ems

    converter = importlib.import_module(f"data_preprocess.{module}")
    if module == "medical_o1":
        source, kwargs = _huatuo_as_release(real_data_dir, tmp_path / "src")
    else:
        source, kwargs = real_data_dir / dataset(module).real_copy, {}
    (split,) = converter.convert(str(source), str(tmp_path / "out"), **kwargs)
    for row in pq.read_table(tmp_path / "out" / f"{split}.parquet").to_pylist():
        truth = row["reward_model"]["ground_truth"]
        response = f"<think>\nLet me think.\n</think>\n<answer>{truth}</answer>"
        rouge = compute_score(module, response, truth, extra_info=row["extra_info"], text_metric="rougeL")
        assert rouge["acc"] == 1.0, row["extra_info"]["source_id"]
        if ems(truth, truth) == 100.0:
            assert compute_score(module, response, truth, extra_info=row["extra_info"])["acc"] == 1.0
