"""Shared fixtures: the extra_info contract, a tiny offline model and the real public data copies."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from data_preprocess.core.records import Item
from data_preprocess.core.schema import EXTRA_INFO_KEYS, make_row
from data_preprocess.registry import DATASETS

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The options of the example MCQ row :func:`extra_info` builds (the answer "B" is "Heparin infusion").
EXAMPLE_OPTIONS = {"A": "Aspirin", "B": "Heparin infusion", "C": "Warfarin"}


def _extra_info(task: str, /, **overrides: Any) -> dict[str, Any]:
    """The ``extra_info`` a converter writes for an example row of ``task`` (every contract key, from
    ``make_row``; MCQ rows carry :data:`EXAMPLE_OPTIONS`), with ``overrides`` applied. A key outside the
    contract raises, so a misspelt override cannot pass silently; verl's own keys are added with ``|``."""
    unknown = set(overrides) - set(EXTRA_INFO_KEYS)
    if unknown:
        raise KeyError(f"not extra_info contract keys: {sorted(unknown)} (known: {EXTRA_INFO_KEYS})")
    data_source = next(d.data_source for d in DATASETS if d.task == task)
    options = EXAMPLE_OPTIONS if task == "mcq" else None
    item = Item(question="Which one?", ground_truth="B", source_id="q3", options=options)
    return make_row(data_source, item, "train", 3)["extra_info"] | overrides


@pytest.fixture(scope="session")
def extra_info() -> Callable[..., dict[str, Any]]:
    """``extra_info(task, **overrides)`` (a fixture: under importlib mode test modules cannot import
    each other or this file)."""
    return _extra_info


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Qwen2 model + local BPE tokenizer with a ChatML template, built once per session."""
    from recipe.medu1.fixtures.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny_model"))


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_model_dir: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """The unchanged public dataset copies (``MEDU1_REAL_DATA``); skip the test when they are absent."""
    path = Path(os.environ.get("MEDU1_REAL_DATA", REPO_ROOT.parent / "shared" / "research" / "data"))
    if not path.is_dir():
        pytest.skip(f"real data not found at {path} (set MEDU1_REAL_DATA to the shared research data)")
    return path
