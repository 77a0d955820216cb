"""The output contract, checked for every converter in the registry on its native-format input in
``native/``: schema, plain chat messages, the registry's data_source and task, the question as the user
sees it (``extra_info["question"]``, the user turn without its instruction), byte-determinism, the
command line, verl loading, and a correct answer scoring acc 1.

Why one parametrized module: these are the same promise for every converter; the per-converter test
files cover what is specific to each source.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from data_preprocess.core.prompts import CHAT_TEMPLATE_MARKERS
from data_preprocess.core.schema import ROW_SCHEMA
from data_preprocess.registry import BY_MODULE, dataset

REPO = Path(__file__).resolve().parents[2]
NATIVE = Path(__file__).parent / "native"
#: converter module -> (its input under native/, extra convert() arguments)
INPUTS: dict[str, tuple[str, dict[str, Any]]] = {
    "medqa": ("medqa", {}),
    "medmcqa": ("medmcqa/validation.jsonl", {}),
    "pubmedqa": ("pubmedqa", {}),
    "mmlu_medical": ("mmlu_medical", {}),
    "mmlu_pro": ("mmlu_pro/test.jsonl", {}),
    "medxpertqa": ("medxpertqa", {}),
    "mediq": ("mediq/all_dev_good.jsonl", {}),
    "ehrnoteqa": ("ehrnoteqa/EHRNoteQA_processed.jsonl", {"split": "test"}),
    "medcalc": ("medcalc", {}),
    "medical_o1": ("medical_o1/medical_o1_sft.json", {"resplit": (4, 2, 2)}),
    "medquad": ("medquad", {}),
    "liveqa": ("liveqa", {}),
    "medicationqa": ("medicationqa", {}),
}
MODULES = sorted(BY_MODULE)


def convert(module: str, out: Path) -> dict[str, int]:
    path, kwargs = INPUTS[module]
    converter = importlib.import_module(f"data_preprocess.{module}")
    return converter.convert(local_dataset_path=str(NATIVE / path), local_save_dir=str(out), **kwargs)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, int], Path]]:
    root = tmp_path_factory.mktemp("contract")
    return {module: (convert(module, root / module), root / module) for module in MODULES}


def test_every_registered_converter_has_a_native_input():
    assert set(INPUTS) == set(BY_MODULE)


@pytest.mark.parametrize("module", MODULES)
def test_schema_messages_source_task_and_determinism(module: str, outputs, tmp_path: Path) -> None:
    written, out = outputs[module]
    again = convert(module, tmp_path / "again")
    assert written == again and written and all(count > 0 for count in written.values())
    entry = dataset(module)
    for split, count in written.items():
        table = pq.read_table(out / f"{split}.parquet")
        assert table.schema.equals(ROW_SCHEMA) and table.num_rows == count
        assert (out / f"{split}.parquet").read_bytes() == (
            tmp_path / "again" / f"{split}.parquet"
        ).read_bytes()
        for row in table.to_pylist():
            assert row["data_source"] == entry.data_source and row["extra_info"]["task"] == entry.task
            assert [m["role"] for m in row["prompt"]] == ["system", "user"]
            assert not any(marker in m["content"] for m in row["prompt"] for marker in CHAT_TEMPLATE_MARKERS)
            assert row["extra_info"]["split"] == split
            question = row["extra_info"]["question"]
            assert isinstance(question, str) and question.strip()
            assert row["prompt"][1]["content"].startswith(question + "\n")
            assert "<answer>" not in question  # the answer instruction stays out of it


def test_all_outputs_concatenate(outputs) -> None:
    tables = [
        pq.read_table(out / f"{split}.parquet") for written, out in outputs.values() for split in written
    ]
    combined = pa.concat_tables(tables)
    assert combined.num_rows == sum(sum(written.values()) for written, _ in outputs.values())
    assert set(combined.column("data_source").to_pylist()) == {d.data_source for d in BY_MODULE.values()}


@pytest.mark.parametrize("module", MODULES)
def test_runs_as_a_script(module: str, outputs, tmp_path: Path) -> None:
    path, kwargs = INPUTS[module]
    flags = [f"--{k}={v}" for k, v in kwargs.items() if not isinstance(v, tuple)]
    flags += [x for k, v in kwargs.items() if isinstance(v, tuple) for x in (f"--{k}", *map(str, v))]
    result = subprocess.run(
        [sys.executable, str(REPO / "data_preprocess" / f"{module}.py"), "--local_dataset_path",
         str(NATIVE / path), "--local_save_dir", str(tmp_path / "cli"), *flags],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    written, out = outputs[module]
    for split in written:
        assert f"{dataset(module).data_source}/{split}: wrote {written[split]} rows" in result.stdout
        assert (tmp_path / "cli" / f"{split}.parquet").read_bytes() == (out / f"{split}.parquet").read_bytes()


@pytest.mark.parametrize("module", MODULES)
def test_loads_with_verl_rlhf_dataset(module: str, outputs, tmp_path: Path, tiny_tokenizer) -> None:
    from omegaconf import OmegaConf
    from verl.utils.dataset.rl_dataset import RLHFDataset

    written, out = outputs[module]
    files = [str(out / f"{split}.parquet") for split in written]
    config = OmegaConf.create(
        {"prompt_key": "prompt", "max_prompt_length": 4096, "filter_overlong_prompts": True,
         "filter_overlong_prompts_workers": 1, "cache_dir": str(tmp_path / "cache")}
    )  # fmt: skip
    dataset_ = RLHFDataset(data_files=files, tokenizer=tiny_tokenizer, config=config)
    assert len(dataset_) == sum(written.values())
    item = dataset_[0]
    assert item["raw_prompt"][0]["role"] == "system" and item["reward_model"]["ground_truth"]
    assert item["index"] == item["extra_info"]["index"]
    tight = OmegaConf.merge(config, {"max_prompt_length": 8})
    assert len(RLHFDataset(data_files=files, tokenizer=tiny_tokenizer, config=tight)) == 0


@pytest.mark.parametrize("module", MODULES)
def test_correct_answer_scores_acc_one(module: str, outputs) -> None:
    from reward_score import compute_score

    written, out = outputs[module]
    for split in written:
        for row in pq.read_table(out / f"{split}.parquet").to_pylist():
            truth, info = row["reward_model"]["ground_truth"], row["extra_info"]
            response = f"<think>\nLet me think.\n</think>\n<answer>{truth}</answer>"
            result = compute_score(row["data_source"], response, truth, extra_info=info)
            assert result["acc"] == 1.0, (split, info["source_id"], result)
            if info["task"] == "mcq":
                wrong = next(letter for letter in json.loads(info["options"]) if letter != truth)
            else:
                wrong = "unrelated words entirely"
            missed = compute_score(row["data_source"], f"<think>x</think><answer>{wrong}</answer>", truth,
                                   extra_info=info)  # fmt: skip
            assert missed["acc"] == 0.0
