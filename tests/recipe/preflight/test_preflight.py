"""The config checker in-process: every refusal names its key, value or file; good configs pass.

One verl import per test process keeps these fast; the run scripts' ``--check`` is exercised as a
subprocess in test_run_scripts.py.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from recipe.medu1.fixtures.toy_data import toy_rows, write_toy_dataset
from recipe.medu1.preflight import cli as check_config

CONFIG_DIR = Path(__file__).resolve().parents[3] / "recipe" / "medu1" / "config"
HUB_MODEL = "Qwen/Qwen2.5-7B-Instruct"


@pytest.fixture(scope="module")
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
        "actor_rollout_ref.actor.ppo_mini_batch_size=16",
    ]


def errors_for(data_dir: Path, *extra: str, model: str | Path = HUB_MODEL) -> list[str]:
    report = check_config.run_checks(CONFIG_DIR, "medu1_grpo", [*base_overrides(data_dir, model), *extra])
    return report.errors


def single_error(data_dir: Path, *extra: str) -> str:
    errors = errors_for(data_dir, *extra)
    assert len(errors) == 1, errors
    return errors[0]


def test_valid_config_passes_with_hub_id_and_lists_skipped_checks(data_dir, capsys):
    assert check_config.main(["--config-path", str(CONFIG_DIR), *base_overrides(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "check_config: OK" in out
    assert f"{HUB_MODEL} is a hub id (not downloaded)" in out
    assert "tokenizer and chat template" in out
    # The summary: GPUs, batch arithmetic, steps per epoch (512 toy rows / 16), data rows per source.
    assert "1 node(s) x 8 = 8" in out
    assert "16 prompts x n=8 = 128 responses/step" in out
    assert "32 steps/epoch" in out
    assert "512 rows (medcalc 171, medical_o1 170, medqa 171; 341 with a length budget)" in out


def test_legacy_custom_reward_function_is_refused_naming_replacement(data_dir):
    message = single_error(data_dir, "custom_reward_function.path=x.py")
    assert "custom_reward_function.path='x.py'" in message
    assert "use reward.custom_reward_function.path=x.py" in message


def test_legacy_reward_manager_is_refused_naming_replacement(data_dir):
    message = single_error(data_dir, "reward_model.reward_manager=dapo")
    assert "reward_model.reward_manager='dapo'" in message
    assert "use reward.reward_manager.name=dapo" in message


def test_legacy_sandbox_key_is_refused(data_dir):
    message = single_error(data_dir, "sandbox_fusion.url=http://localhost:8080")
    assert "use reward.sandbox_fusion.url=http://localhost:8080" in message


def test_batch_manager_from_legacy_registry_is_refused(data_dir, capsys):
    overrides = [*base_overrides(data_dir), "reward.reward_manager.name=batch"]
    assert check_config.main(overrides) == 1
    out = capsys.readouterr().out
    assert "reward.reward_manager.name='batch' is not in verl 0.9.1's reward-loop registry" in out
    assert "exists only in verl's legacy registry" in out


def test_unknown_reward_manager_and_naive_with_budgets(data_dir):
    assert "reward.reward_manager.name='nope'" in single_error(data_dir, "reward.reward_manager.name=nope")
    # naive exists, but the toy data has length budgets, which only the medu1 manager supports.
    message = single_error(data_dir, "reward.reward_manager.name=naive")
    assert "349 train/val rows carry a length budget" in message
    assert "set reward.reward_manager.name=medu1" in message


def test_unknown_reward_kwarg_fails_on_a_real_row(data_dir):
    errors = errors_for(data_dir, "+reward.custom_reward_function.reward_kwargs.bogus_knob=1")
    # The function is called once per task of the training data: each call refuses the kwarg.
    assert len(errors) == 3
    assert all("bogus_knob" in e and "reward_kwargs" in e and "train.parquet" in e for e in errors)


def test_misspelled_key_fails_composition(data_dir):
    message = single_error(data_dir, "data.trian_batch_size=8")
    assert "does not compose" in message and "trian_batch_size" in message


def test_batch_smaller_than_mini_batch_even_with_dynamic_bsz(data_dir):
    # verl's validate_config skips this rule when use_dynamic_bsz=True (the yaml default).
    message = single_error(data_dir, "data.train_batch_size=8")
    assert "data.train_batch_size=8 is smaller than actor_rollout_ref.actor.ppo_mini_batch_size=16" in message


def test_missing_data_file(data_dir):
    message = single_error(data_dir, f"data.val_files={data_dir / 'missing.parquet'}")
    assert f"data.val_files: data file {data_dir / 'missing.parquet'} does not exist" in message


def test_data_file_without_reward_columns(tmp_path, data_dir):
    table = pa.Table.from_pylist(
        [{k: v for k, v in row.items() if k != "extra_info"} for row in toy_rows(4, "val")]
    )
    pq.write_table(table, tmp_path / "bare.parquet")
    message = single_error(data_dir, f"data.val_files={tmp_path / 'bare.parquet'}")
    assert "bare.parquet lacks the column(s) the reward needs: extra_info" in message


def test_train_set_smaller_than_one_batch(data_dir):
    message = single_error(data_dir, "data.train_max_samples=10")
    assert "10 usable rows, fewer than data.train_batch_size=16" in message


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("trainer.n_gpus_per_node=6", "= 128 responses is not divisible by the data-parallel size 6"),
        ("actor_rollout_ref.rollout.n=1", "a group needs >= 2 responses per prompt"),
        ("actor_rollout_ref.rollout.temperature=0", "greedy sampling makes the grpo group identical"),
        ("actor_rollout_ref.actor.clip_ratio_low=0", "actor_rollout_ref.actor.clip_ratio_low=0 must be > 0"),
        (
            "algorithm.adv_estimator=grpoo",
            "algorithm.adv_estimator='grpoo' is not a registered advantage estimator",
        ),
        ("actor_rollout_ref.rollout.name=hf", "actor_rollout_ref.rollout.name='hf' is not a rollout engine"),
        ("actor_rollout_ref.rollout.tensor_model_parallel_size=3", "tensor_model_parallel_size=3"),
        ("trainer.v1.trainer_mode=fast", "trainer.v1.trainer_mode='fast'"),
        (
            "actor_rollout_ref.actor.ppo_max_token_len_per_gpu=4096",
            "actor_rollout_ref.actor.ppo_max_token_len_per_gpu=4096 cannot hold one full sequence",
        ),
        ("reward.custom_reward_function.path=null", "reward.custom_reward_function.path is not set"),
        ("trainer.logger=[console,wandbb]", "wandbb not supported by verl"),
        (
            "reward.custom_reward_function.path=x.py",
            "reward.custom_reward_function.path='x.py' / name='compute_score'",
        ),
    ],
)
def test_checks_verl_lacks(data_dir, override, expected):
    errors = errors_for(data_dir, override)
    assert any(expected in e for e in errors), errors


def test_local_model_validates_tokenizer_context_and_critic(data_dir, tiny_model_dir):
    local = ["data.max_response_length=1024"]
    report = check_config.run_checks(
        CONFIG_DIR, "medu1_grpo", [*base_overrides(data_dir, tiny_model_dir), *local]
    )
    assert report.errors == [] and report.skipped == []
    assert any(label == "prompt tokens" for label, _ in report.summary)
    # The tiny model's 4096-token context cannot hold the default 2048 + 4096.
    errors = errors_for(data_dir, model=tiny_model_dir)
    assert errors == [
        "data.max_prompt_length + data.max_response_length = 6144 exceeds the model's "
        f"max_position_embeddings=4096 ({tiny_model_dir}); vLLM refuses to start"
    ]
    # PPO with a local critic: verl's validate_config builds the critic config too.
    ppo = [
        "algorithm.adv_estimator=gae",
        "actor_rollout_ref.rollout.n=1",
        f"critic.model.path={tiny_model_dir}",
    ]
    report = check_config.run_checks(
        CONFIG_DIR, "medu1_grpo", [*base_overrides(data_dir, tiny_model_dir), *local, *ppo]
    )
    assert report.errors == [] and report.skipped == []


def test_ppo_with_hub_critic_skips_only_the_critic_config(data_dir):
    ppo = ["algorithm.adv_estimator=gae", "actor_rollout_ref.rollout.n=1", f"critic.model.path={HUB_MODEL}"]
    report = check_config.run_checks(CONFIG_DIR, "medu1_grpo", [*base_overrides(data_dir), *ppo])
    assert report.errors == []
    assert any(s.startswith("critic model config") for s in report.skipped)
    assert "critic.ppo_mini_batch_size" in " ".join(
        errors_for(data_dir, *ppo, "critic.ppo_mini_batch_size=32")
    )


def test_missing_local_model_path(data_dir, tmp_path):
    errors = errors_for(data_dir, model=tmp_path / "no_such_model")
    assert errors == [
        f"actor_rollout_ref.model.path={tmp_path / 'no_such_model'} is neither a local directory "
        "nor a hub id (org/name)"
    ]


def test_wandb_without_credentials_is_a_warning(data_dir, monkeypatch, tmp_path):
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    overrides = [*base_overrides(data_dir), "trainer.logger=[console,wandb]"]
    report = check_config.run_checks(CONFIG_DIR, "medu1_grpo", overrides)
    assert report.errors == []
    assert any("WANDB_API_KEY" in w for w in report.warnings)


def test_relative_data_path_is_a_warning(data_dir, monkeypatch):
    monkeypatch.chdir(data_dir)
    report = check_config.run_checks(
        CONFIG_DIR, "medu1_grpo", [*base_overrides(data_dir), "data.val_files=val.parquet"]
    )
    assert report.errors == []
    assert report.warnings == [
        "data.val_files: val.parquet is relative; Ray actors may resolve it elsewhere, use an absolute path"
    ]
