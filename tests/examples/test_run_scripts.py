"""Every run script's ``--check`` runs the checker on the script's own overrides (subprocesses).

Each subprocess spends most of its ~8 s importing verl on one core, so the refusals are grouped (one run
collects several errors: the checker reports all it finds) and the runs that pass are made two at a time
(one per core). The individual checks are tested in-process in tests/recipe/preflight/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
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
# What --check must print for every script before a GPU is paid for.
COST_LINES = ("update rate", "long prompts", "validation", "checkpoints", "resume")
# Each script's update regime as its comments state it: updates per step, the first one on-policy.
ON_POLICY = {
    "run_medu1_qwen7b.sh": "1 of 16 updates on-policy",
    "run_medu1_qwen3b.sh": "1 of 8 updates on-policy",
    "run_medu1_qwen7b_multinode.sh": "1 of 32 updates on-policy",
    "run_medu1_qwen7b_ppo.sh": "1 of 8 updates on-policy",
}
# The scripts also checked with the tiny local model (a 4096-token context: the 2048 + 4096 default needs a
# shorter response; passing it on the command line also shows that caller overrides win over the script's).
TINY_MODEL_SCRIPTS = ["run_medu1_qwen7b.sh", "run_medu1_qwen7b_ppo.sh"]
SAMPLES = REPO / "examples" / "sample_data"
# CKPT_DIR of every check unless a test sets its own: a directory never created, so no checkpoint of a
# real run on this machine is found.
NO_CHECKPOINTS = Path(tempfile.gettempdir()) / f"medu1-no-checkpoints-{os.getpid()}"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_toy_dataset(tmp_path_factory.mktemp("toy_data"))


def check(script: str, *args: str, cwd: Path = REPO, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHON": sys.executable, "CKPT_DIR": str(NO_CHECKPOINTS), **env}
    return subprocess.run(
        ["bash", str(REPO / "examples" / script), "--check", *args],
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def summary_lines(stdout: str) -> dict[str, str]:
    lines = [line[2:] for line in stdout.splitlines() if line.startswith("  ") and not line.startswith("   ")]
    return {line[:15].strip(): line[16:] for line in lines}


@pytest.fixture(scope="module")
def passing_checks(data_dir, tiny_model_dir) -> dict[tuple[str, str], subprocess.CompletedProcess]:
    """(script, "hub" or "tiny") -> the script's --check with the hub model id or the tiny local model."""

    def run(key: tuple[str, str]) -> subprocess.CompletedProcess:
        script, model = key
        if model == "hub":
            return check(script, DATA_DIR=str(data_dir))
        return check(
            script, "data.max_response_length=1024", DATA_DIR=str(data_dir), MODEL_PATH=str(tiny_model_dir)
        )

    keys = [(script, "hub") for script in SCRIPTS] + [(script, "tiny") for script in TINY_MODEL_SCRIPTS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(keys, pool.map(run, keys), strict=True))


@pytest.mark.parametrize("script", SCRIPTS)
def test_check_passes_with_hub_model_id_and_prints_the_costs(script, data_dir, passing_checks):
    result = passing_checks[script, "hub"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "preflight: OK" in result.stdout
    assert "is a hub id (not downloaded)" in result.stdout
    # The script's overrides reached the checker (the command is echoed, then summarised).
    assert "+ " + sys.executable + " -m recipe.medu1.preflight" in result.stderr
    assert f"{data_dir / 'train.parquet'}: 512 rows" in result.stdout
    summary = summary_lines(result.stdout)
    assert all(label in summary for label in COST_LINES), summary
    assert "estimated from characters" in summary["long prompts"]
    assert ON_POLICY[script] in summary["update rate"]
    # Checkpoints under CKPT_DIR/<project>/<experiment>, an absolute directory.
    assert summary["resume"].startswith(
        f"from scratch: no checkpoint of this experiment in {NO_CHECKPOINTS}/medu1/"
    )


@pytest.mark.parametrize("script", TINY_MODEL_SCRIPTS)
def test_check_passes_with_tiny_local_model(script, tiny_model_dir, passing_checks):
    result = passing_checks[script, "tiny"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 check(s) skipped" in result.stdout  # everything validated, the PPO script's critic too
    assert f"{tiny_model_dir} (local directory)" in result.stdout
    assert "exact (local tokenizer)" in summary_lines(result.stdout)["long prompts"]


def run(*args: str) -> None:
    subprocess.run([sys.executable, *args], cwd=REPO, check=True, capture_output=True, text=True, timeout=300)


def test_mixed_samples_pass_with_only_data_dir_set(tmp_path):
    """The documented path: converters + mix.py, then the 7B --check with nothing but DATA_DIR."""
    data = tmp_path / "data"
    run(
        "data_preprocess/medqa.py",
        "--local_dataset_path",
        str(SAMPLES / "medqa"),
        "--local_save_dir",
        str(data / "medqa"),
    )
    run(
        "data_preprocess/medcalc.py",
        "--local_dataset_path",
        str(SAMPLES / "medcalc"),
        "--local_save_dir",
        str(data / "medcalc"),
    )
    run(
        "data_preprocess/medical_o1.py", "--resplit", "14", "3", "3",
        "--local_dataset_path", str(SAMPLES / "medical_o1" / "medical_o1_sft.json"),
        "--local_save_dir", str(data / "medical_o1"),
    )  # fmt: skip
    mix = data / "mix"
    run("data_preprocess/mix.py", "--inputs", *(f"{data / d}:64" for d in ("medqa", "medcalc", "medical_o1")),
        "--local_save_dir", str(mix))  # fmt: skip
    origins = {
        v["origin"] for v in json.loads((mix / "mix_summary.json").read_text())["validation"]["inputs"]
    }
    assert origins <= {"validation split", "dev split", "held-out train slice"}
    env = {k: v for k, v in os.environ.items() if k not in ("TRAIN_FILES", "VAL_FILES", "MODEL_PATH")}
    result = subprocess.run(
        ["bash", str(REPO / "examples" / "run_medu1_qwen7b.sh"), "--check"],
        env={**env, "PYTHON": sys.executable, "DATA_DIR": str(mix), "CKPT_DIR": str(NO_CHECKPOINTS)},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    summary = summary_lines(result.stdout)
    assert summary["val data"].startswith(f"{mix / 'val.parquet'}: ")
    assert summary["update rate"].startswith(
        "16 update(s)/step, 4 prompts (32 responses) per update at lr 1e-06"
    )


def test_check_refuses_reward_batch_and_shadowing_mistakes_in_one_run(data_dir, tmp_path):
    """Launched from a folder holding a recipe/medu1 package (a verl checkout would), which the trainer
    would import instead of the installed recipe."""
    (tmp_path / "recipe" / "medu1").mkdir(parents=True)
    (tmp_path / "recipe" / "__init__.py").write_text("")
    (tmp_path / "recipe" / "medu1" / "__init__.py").write_text("")
    result = check(
        "run_medu1_qwen7b.sh",
        "custom_reward_function.path=x.py",
        "reward_model.reward_manager=dapo",
        "reward.reward_manager.name=batch",
        "+reward.custom_reward_function.reward_kwargs.bogus_knob=1",
        "data.train_batch_size=2",
        DATA_DIR=str(data_dir),
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "ERROR: custom_reward_function.path='x.py' is a legacy top-level key" in out
    assert "use reward.reward_manager.name=dapo instead" in out
    assert "ERROR: reward.reward_manager.name='batch' is not in verl 0.9.1's reward-loop registry" in out
    assert "bogus_knob" in out
    assert (
        "ERROR: data.train_batch_size=2 is smaller than actor_rollout_ref.actor.ppo_mini_batch_size=4" in out
    )
    assert (
        f"ERROR: recipe.medu1 resolves to {tmp_path / 'recipe' / 'medu1'} when launched from {tmp_path}"
        in out
    )
    assert "preflight: FAILED" in out


def test_check_refuses_misspelled_key(data_dir):
    result = check("run_medu1_qwen3b.sh", "actor_rollout_ref.rollout.temprature=0.7", DATA_DIR=str(data_dir))
    assert result.returncode == 1
    assert "ERROR: config does not compose" in result.stdout and "temprature" in result.stdout


@pytest.mark.parametrize("ckpt_dir", ["", "checkpoints/relative"])
def test_multinode_refuses_a_checkpoint_dir_not_set_explicitly_and_absolute(ckpt_dir, data_dir):
    # The script stops before the checker starts: common.sh's ~/checkpoints is shared only with $HOME.
    result = check("run_medu1_qwen7b_multinode.sh", DATA_DIR=str(data_dir), CKPT_DIR=ckpt_dir)
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        f"error: set CKPT_DIR to an absolute directory on storage every node shares (got '{ckpt_dir}')"
        in (result.stderr)
    )
    assert "preflight" not in result.stderr


def test_multinode_forwards_worker_env(data_dir, tmp_path):
    result = check(
        "run_medu1_qwen7b_multinode.sh",
        DATA_DIR=str(data_dir),
        TRAIN_FILES=str(tmp_path / "nope.parquet"),
        CKPT_DIR="/shared/ckpt",
        NCCL_SOCKET_IFNAME="eth0",
    )
    assert result.returncode == 1
    out = result.stdout
    assert f"ERROR: data.train_files: data file {tmp_path / 'nope.parquet'} does not exist" in out
    assert "trainer.default_local_dir=/shared/ckpt/${trainer.project_name}/${trainer.experiment_name}" in (
        result.stderr
    )
    assert "+ray_kwargs.ray_init.runtime_env.env_vars.NCCL_SOCKET_IFNAME=eth0" in result.stderr
    assert "NCCL_SOCKET_IFNAME forwarded" in summary_lines(out)["worker env"]


def test_check_names_the_checkpoint_a_relaunch_from_anywhere_resumes(data_dir, tmp_path):
    """A 4-step trial's last checkpoint, found from another directory; the real run would continue it.

    The same run shows the paper's exact step as one setting (4 prompts per step: one update, on-policy),
    and the loggers chosen by LOGGER.
    """
    experiment = tmp_path / "ckpt" / "medu1" / "medu1_grpo_qwen2.5_7b"
    (experiment / "global_step_4" / "actor").mkdir(parents=True)
    (experiment / "latest_checkpointed_iteration.txt").write_text("4")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = check(
        "run_medu1_qwen7b.sh",
        "data.train_batch_size=4",
        DATA_DIR=str(data_dir),
        CKPT_DIR=str(tmp_path / "ckpt"),
        LOGGER="console,wandb,tensorboard",
        cwd=elsewhere,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = summary_lines(result.stdout)
    assert summary["resume"] == f"will resume from global_step_4 of {experiment}"
    assert summary["update rate"].startswith(
        "1 update(s)/step, 4 prompts (32 responses) per update at lr 1e-06, every update on-policy"
    )
    assert "WARNING: global_step_4 is not one of this run's saves (every 50 steps)" in result.stdout
    assert "logger ['console', 'wandb', 'tensorboard']" in result.stdout


@pytest.mark.parametrize("nnodes", ["3", "8"])
def test_multinode_refuses_a_cluster_the_official_mini_batch_does_not_split_over(nnodes, data_dir):
    # The script stops before the checker starts: 32 responses per update over 24 or 64 GPUs.
    result = check("run_medu1_qwen7b_multinode.sh", DATA_DIR=str(data_dir), NNODES=nnodes, CKPT_DIR="/shared")
    assert result.returncode == 2, result.stdout + result.stderr
    gpus = int(nnodes) * 8
    assert f"does not split over NNODES={nnodes} x GPUS_PER_NODE=8 = {gpus} GPUs" in result.stderr
    assert f"Set MINI_BATCH (prompts per update) to a multiple of GPUs / n = {gpus} / 8" in result.stderr
    assert "preflight" not in result.stderr


def test_multinode_beyond_four_nodes_runs_with_an_explicit_mini_batch(data_dir):
    result = check(
        "run_medu1_qwen7b_multinode.sh",
        DATA_DIR=str(data_dir),
        NNODES="8",
        MINI_BATCH="8",
        CKPT_DIR="/shared/ckpt",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "actor_rollout_ref.actor.ppo_mini_batch_size=8" in result.stderr
    summary = summary_lines(result.stdout)
    assert summary["GPUs"] == "8 node(s) x 8 = 64"
    assert "8 prompts (64 responses) per update" in summary["update rate"]
    assert "update rate differs from the paper's" in result.stdout  # the lr must be retuned knowingly
