"""The shared pipeline: settings validation, budgets, limits, skipped records and seeded shuffling."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from data_preprocess.core.pipeline import ConvertSettings, build_rows, convert_splits
from data_preprocess.core.records import InvalidRecord, Item

OPTIONS = {"A": "alpha", "B": "beta", "C": "gamma", "D": "delta"}


def test_settings_validation_and_budgets():
    for bad in ({"length_budget": 10, "length_budget_range": (1, 5)}, {"length_mode": "min"},
                {"length_budget_range": (50, 10)}, {"split": "holdout"}, {"limit": 0},
                {"shuffle_splits": ("holdout",)}):  # fmt: skip
        with pytest.raises(ValueError):
            ConvertSettings(**bad)
    with pytest.raises(TypeError):
        ConvertSettings(unknown_flag=1)
    rng = random.Random(0)
    assert ConvertSettings().budget(rng) == 0
    assert ConvertSettings(length_budget=300, length_mode="max").budget(rng) == -300
    values = [ConvertSettings(length_budget_range=(100, 120)).budget(rng) for _ in range(200)]
    assert min(values) >= 100 and max(values) <= 120 and len(set(values)) > 10


def _parse(raw: dict, ref: str) -> Item | None:
    if raw.get("skip"):
        return None
    return Item(raw["q"], raw["a"], ref, options=raw.get("options", OPTIONS))


def test_build_rows_limit_skip_and_unlabelled():
    records = [{"q": "1", "a": "A"}, {"skip": 1}, {"q": "3", "a": "Z"}]
    source = [("f.jsonl", i + 1, r) for i, r in enumerate(records)]
    with pytest.raises(InvalidRecord) as error:
        build_rows("medqa", "test", source, _parse, ConvertSettings())
    assert "f.jsonl, row 3, field 'answer'" in str(error.value)
    result = build_rows("medqa", "test", source, _parse, ConvertSettings(skip_invalid=True))
    assert (len(result.rows), result.invalid, result.unlabelled, result.unshuffled) == (1, 1, 1, 0)
    assert len(build_rows("medqa", "test", source, _parse, ConvertSettings(limit=1)).rows) == 1


def test_shuffling_only_on_train_and_seeded():
    source = [("f", i, {"q": str(i), "a": "A"}) for i in range(40)]
    shuffle = ConvertSettings(shuffle_options=True, seed=1)
    assert {
        r["reward_model"]["ground_truth"] for r in build_rows("medqa", "test", source, _parse, shuffle).rows
    } == {"A"}
    train_a = build_rows("medqa", "train", source, _parse, shuffle).rows
    assert train_a == build_rows("medqa", "train", source, _parse, shuffle).rows
    assert len({r["reward_model"]["ground_truth"] for r in train_a}) > 1
    for row in train_a:
        options = json.loads(row["extra_info"]["options"])
        assert options[row["reward_model"]["ground_truth"]] == "alpha"
        assert f"{row['reward_model']['ground_truth']}. alpha" in row["prompt"][1]["content"]


def _gold_counts(rows: list[dict]) -> dict[str, int]:
    golds = [r["reward_model"]["ground_truth"] for r in rows]
    return {letter: golds.count(letter) for letter in sorted(set(golds))}


def test_shuffled_answers_are_spread_evenly_over_the_letters():
    """42 rows whose answer is always A: after shuffling each letter is the answer 10 or 11 times (an
    independent shuffle per row gives e.g. 15/9 on a split this size); an anchored option keeps its letter
    and the balance holds over the three letters left."""
    source = [("f", i, {"q": str(i), "a": "A"}) for i in range(42)]
    counts = _gold_counts(
        build_rows("medqa", "train", source, _parse, ConvertSettings(shuffle_options=True)).rows
    )
    assert set(counts) == set("ABCD") and max(counts.values()) - min(counts.values()) <= 1
    anchored = {**OPTIONS, "D": "None of the above"}
    source = [("f", i, {"q": str(i), "a": "B", "options": anchored}) for i in range(30)]
    counts = _gold_counts(
        build_rows("medqa", "train", source, _parse, ConvertSettings(shuffle_options=True)).rows
    )
    assert counts == {"A": 10, "B": 10, "C": 10}


def test_shuffle_splits_name_the_splits_that_are_shuffled():
    """A split trained on although it is not called train (the demo trains on MMLU's validation rows) is
    shuffled when named; the train split then keeps its order."""
    source = [("f", i, {"q": str(i), "a": "A"}) for i in range(20)]
    settings = ConvertSettings(shuffle_options=True, shuffle_splits=("validation",))
    assert len(_gold_counts(build_rows("medqa", "validation", source, _parse, settings).rows)) == 4
    assert _gold_counts(build_rows("medqa", "train", source, _parse, settings).rows) == {"A": 20}


def test_rows_naming_other_options_keep_order_and_are_counted(tmp_path: Path, capsys: pytest.CaptureFixture):
    referring = {"A": "Iron", "B": "Vitamin C", "C": "Both A and B", "D": "Zinc"}
    anchored = {"A": "Iron", "B": "Vitamin C", "C": "Zinc", "D": "None of the above"}
    records = [{"q": f"{i}", "a": "C", "options": referring if i % 2 else anchored} for i in range(20)]
    source = [("f", i, r) for i, r in enumerate(records)]
    settings = ConvertSettings(shuffle_options=True)
    result = build_rows("medqa", "train", source, _parse, settings)
    assert result.unshuffled == 10
    for row, record in zip(result.rows, records, strict=True):
        options = json.loads(row["extra_info"]["options"])
        if record["options"] is referring:
            assert options == referring and row["reward_model"]["ground_truth"] == "C"
        else:
            assert options["D"] == "None of the above"
            assert options[row["reward_model"]["ground_truth"]] == "Zinc"
    assert len({json.dumps(json.loads(r["extra_info"]["options"])) for r in result.rows[::2]}) > 1
    convert_splits("medqa", {"train": source}, _parse, tmp_path, settings)
    out = capsys.readouterr().out
    assert "medqa/train: kept 10 row(s) unshuffled (an option refers to others by letter or position)" in out
