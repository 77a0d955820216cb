"""Shared fixtures: a tiny offline model and the real public data copies beside the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


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
