"""Shared fixtures of the pre-flight tests: toy data and a runner returning the findings of one config."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from recipe.medu1.fixtures.toy_data import write_toy_dataset
from recipe.medu1.preflight import cli
from recipe.medu1.preflight.findings import Finding

CONFIG_DIR = Path(__file__).resolve().parents[3] / "recipe" / "medu1" / "config"
HUB_MODEL = "Qwen/Qwen2.5-7B-Instruct"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_toy_dataset(tmp_path_factory.mktemp("toy_data"))


def base_overrides(data_dir: Path, model: str | Path = HUB_MODEL) -> list[str]:
    """A valid 8-GPU config on the toy data (as the 7B script would set it)."""
    return [
        f"data.train_files={data_dir / 'train.parquet'}",
        f"data.val_files={data_dir / 'val.parquet'}",
        f"actor_rollout_ref.model.path={model}",
        "trainer.n_gpus_per_node=8",
        "data.train_batch_size=16",
    ]


@pytest.fixture
def preflight(data_dir: Path) -> Callable[..., list[Finding]]:
    """``preflight(*overrides, model=..., config="medu1_grpo")``: the findings of that config."""

    def run(*extra: str, model: str | Path = HUB_MODEL, config: str = "medu1_grpo") -> list[Finding]:
        return cli.run_checks(CONFIG_DIR, config, [*base_overrides(data_dir, model), *extra])

    return run
