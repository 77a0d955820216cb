"""Drift tests: the registry, the converter modules, the tasks, the README table and the evaluation
suite must agree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from data_preprocess.core.prompts import TYPE_INSTRUCTIONS
from data_preprocess.registry import (
    BY_MODULE,
    DATASETS,
    TASK_BY_SOURCE,
    UNKNOWN_TASK,
    dataset,
    eval_suite,
    task_of,
)

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "data_preprocess"
#: top-level modules of data_preprocess that are not converters
NOT_CONVERTERS = {"__init__", "registry", "mix", "convert_real_copies", "rotate_options"}


def test_every_converter_module_is_registered_and_vice_versa():
    on_disk = {p.stem for p in PACKAGE.glob("*.py")} - NOT_CONVERTERS
    assert on_disk == set(BY_MODULE)
    assert len(BY_MODULE) == len(DATASETS)
    assert len({d.data_source for d in DATASETS}) == len(DATASETS)


def test_tasks_are_the_prompt_tasks_and_the_reward_tasks():
    import reward_score

    assert {d.task for d in DATASETS} <= set(TYPE_INSTRUCTIONS)
    assert set(TYPE_INSTRUCTIONS) == set(reward_score.TASKS)


def test_task_by_source_and_task_of():
    assert TASK_BY_SOURCE["mmlu_pro_health"] == "mcq" and "mmlu_pro" not in TASK_BY_SOURCE
    assert "mediqa" not in TASK_BY_SOURCE
    assert task_of("medqa", {"task": "text"}) == "text"
    assert task_of("medcalc", {"split": "train", "task": ""}) == "calc"
    assert task_of("medqa", None) == "mcq"
    assert task_of("somewhere_else", {}) == UNKNOWN_TASK
    assert task_of(None, None) == UNKNOWN_TASK
    with pytest.raises(KeyError, match="known: medqa"):
        dataset("mediqa")


def test_eval_suite_command_and_script():
    result = subprocess.run(
        [sys.executable, "-m", "data_preprocess.registry", "eval-suite"],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    assert result.stdout.splitlines() == eval_suite()
    assert "mmlu_pro_health/test.parquet" in eval_suite() and "medmcqa/validation.parquet" in eval_suite()
    assert "data_preprocess.registry eval-suite" in (REPO / "examples" / "eval_medu1.sh").read_text()


def test_readme_data_table_lists_every_converter_with_its_task():
    readme = (REPO / "docs" / "data.md").read_text(encoding="utf-8")
    section = readme.split("## Data preparation", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in section.splitlines()
            if line.startswith("| `") and ".py`" in line}  # fmt: skip
    assert {name.strip("`").removesuffix(".py") for name in rows} == set(BY_MODULE)
    for name, task in rows.items():
        assert task.split()[0] == dataset(name.strip("`").removesuffix(".py")).task, name


def test_every_real_copy_exists(real_data_dir: Path):
    for entry in DATASETS:
        if entry.real_copy:
            assert (real_data_dir / entry.real_copy).exists(), entry
