"""Every run script's ``--check`` runs the checker on the script's own overrides (subprocesses).

Each subprocess imports verl (~10 s), so the refusals are grouped: one run collects several errors
(the checker reports all it finds); composition and missing-file failures get their own run. The
individual refusals are tested in-process in test_check_config.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from recipe.medu1.fixtures.toy_data import write_toy_dataset

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = [
    "run_medu1_qwen7b.sh",
    "run_medu1_qwen3b.sh",
    "run_medu1_qwen7b_multinode.sh",
    "run_medu1_qwen7b_ppo.sh",
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_toy_dataset(tmp_path_factory.mktemp("toy_data"))


def check(script: str, data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHON": sys.executable, "DATA_DIR": str(data_dir), **env}
    return subprocess.run(
        ["bash", str(REPO / "examples" / script), "--check", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("script", SCRIPTS)
def test_check_passes_with_hub_model_id(script, data_dir):
    result = check(script, data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check_config: OK" in result.stdout
    assert "is a hub id (not downloaded)" in result.stdout
    # The script's overrides reached the checker (the command is echoed, then summarised).
    assert "+ " + sys.executable + " -m recipe.medu1.preflight" in result.stderr
    assert f"{data_dir / 'train.parquet'}: 512 rows" in result.stdout


@pytest.mark.parametrize("script", SCRIPTS)
def test_check_passes_with_tiny_local_model(script, data_dir, tiny_model_dir):
    # The tiny model has a 4096-token context: the 2048 + 4096 default needs a shorter response.
    # Passing it on the command line also shows that caller overrides win over the script's.
    result = check(script, data_dir, "data.max_response_length=1024", MODEL_PATH=str(tiny_model_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check_config: OK" in result.stdout
    assert "0 check(s) skipped" in result.stdout  # everything validated, the PPO script's critic too
    assert f"{tiny_model_dir} (local directory)" in result.stdout


def test_check_refuses_reward_and_batch_mistakes_in_one_run(data_dir):
    result = check(
        "run_medu1_qwen7b.sh",
        data_dir,
        "custom_reward_function.path=x.py",
        "reward_model.reward_manager=dapo",
        "reward.reward_manager.name=batch",
        "+reward.custom_reward_function.reward_kwargs.bogus_knob=1",
        "data.train_batch_size=32",
    )
    assert result.returncode == 1
    out = result.stdout
    assert "ERROR: custom_reward_function.path='x.py' is a legacy top-level key" in out
    assert "use reward.custom_reward_function.path=x.py instead" in out
    assert "ERROR: reward_model.reward_manager='dapo' is a legacy top-level key" in out
    assert "use reward.reward_manager.name=dapo instead" in out
    assert "ERROR: reward.reward_manager.name='batch' is not in verl 0.9.1's reward-loop registry" in out
    assert "bogus_knob" in out
    assert (
        "ERROR: data.train_batch_size=32 is smaller than actor_rollout_ref.actor.ppo_mini_batch_size=64"
        in out
    )
    assert "check_config: FAILED" in out


def test_check_refuses_misspelled_key(data_dir):
    result = check("run_medu1_qwen3b.sh", data_dir, "actor_rollout_ref.rollout.temprature=0.7")
    assert result.returncode == 1
    assert "ERROR: config does not compose" in result.stdout
    assert "temprature" in result.stdout


def test_check_refuses_missing_data_file(data_dir, tmp_path):
    result = check("run_medu1_qwen7b_multinode.sh", data_dir, TRAIN_FILES=str(tmp_path / "nope.parquet"))
    assert result.returncode == 1
    assert f"ERROR: data.train_files: data file {tmp_path / 'nope.parquet'} does not exist" in result.stdout


def test_loggers_are_selected_by_env(data_dir):
    result = check("run_medu1_qwen7b.sh", data_dir, LOGGER="console,wandb,tensorboard")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "logger ['console', 'wandb', 'tensorboard']" in result.stdout
