"""Cost estimates: validation generations, checkpoint size x kept, memory settings, filter workers."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from recipe.medu1.preflight.costs import occurrences, transformer_parameters
from recipe.medu1.preflight.findings import WARNING, of_level


def line(findings, label: str) -> str:
    return {f.label: f.text for f in findings}[label]


@pytest.mark.parametrize(
    ("steps", "freq", "expected"), [(100, 50, 2), (120, 50, 3), (10, 50, 1), (10, -1, 0)]
)
def test_occurrences_count_every_freq_steps_and_the_last(steps, freq, expected):
    assert occurrences(steps, freq) == expected


def test_validation_cost_counts_prompts_n_and_runs(preflight, data_dir):
    val_rows = pq.read_metadata(data_dir / "val.parquet").num_rows
    train_rows = pq.read_metadata(data_dir / "train.parquet").num_rows
    steps = train_rows // 16
    findings = preflight("trainer.test_freq=10")
    text = line(findings, "validation")
    runs = 1 + occurrences(steps, 10)  # val_before_train, then every 10 steps and the last
    assert f"{val_rows} prompts" in text and f"x n=4 = {val_rows * 4} generations" in text
    assert f"{runs} validation(s) over {steps} steps" in text
    share = val_rows * 4 * runs / (steps * 16 * 8)
    assert f"{share:.0%} of training's {steps * 16 * 8}" in text
    assert not [w for w in of_level(findings, WARNING) if w.startswith("validation generates")]
    # Validating at every step on a 32-step run with n=64 costs more than training generates.
    costly = preflight("trainer.test_freq=1", "actor_rollout_ref.rollout.val_kwargs.n=64")
    assert any("--val_per_source" in w for w in of_level(costly, WARNING))


def test_parameter_count_matches_the_model(tiny_model_dir):
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(tiny_model_dir)
    actual = sum(p.numel() for p in AutoModelForCausalLM.from_config(config).parameters())
    assert transformer_parameters(config) == pytest.approx(actual, rel=0.01)


def test_checkpoint_size_and_kept_count(preflight, tiny_model_dir, data_dir):
    from transformers import AutoConfig

    params = transformer_parameters(AutoConfig.from_pretrained(tiny_model_dir))
    steps = pq.read_metadata(data_dir / "train.parquet").num_rows // 16
    local = ("data.max_response_length=1024", "trainer.save_freq=5")
    findings = preflight(*local, model=tiny_model_dir)
    text = line(findings, "checkpoints")
    saves = occurrences(steps, 5)
    # fp32 model shards 4 + Adam 8 + fp32 HF copy 4 bytes per parameter; medu1.yaml keeps 2.
    assert f"x 2 kept of {saves} saved" in text and "from the local config" in text
    assert f"{params / 1e9:.2f}B parameters" in text
    keep_all = preflight(
        "data.max_response_length=1024",
        "trainer.save_freq=5",
        "trainer.max_actor_ckpt_to_keep=null",
        model=tiny_model_dir,
    )
    assert any(w.startswith("trainer.max_actor_ckpt_to_keep is null") for w in of_level(keep_all, WARNING))


def test_hub_model_size_comes_from_the_model_card(preflight):
    text = line(preflight(), "checkpoints")
    assert "7.61B parameters from the Qwen2.5 model card" in text and "actor ~122 GB" in text


def test_memory_and_startup_warnings(preflight):
    assert of_level(preflight(), WARNING) == []
    warnings = of_level(
        preflight(
            "actor_rollout_ref.actor.entropy_checkpointing=False",
            "actor_rollout_ref.rollout.log_prob_max_token_len_per_gpu=49152",
        ),
        WARNING,
    )
    assert any("entropy_checkpointing=True" in w for w in warnings)
    on_cpu = preflight("actor_rollout_ref.actor.entropy_checkpointing=False", "trainer.device=cpu")
    assert not [w for w in of_level(on_cpu, WARNING) if "entropy_checkpointing" in w]
    assert any(
        w.startswith("actor_rollout_ref.rollout.log_prob_max_token_len_per_gpu=49152 holds ~15 GB")
        for w in warnings
    )


def test_filtering_many_rows_with_one_worker_warns(preflight, monkeypatch):
    from recipe.medu1.preflight import costs

    monkeypatch.setattr(costs, "FILTER_ROWS_PER_WORKER", 100)
    warnings = of_level(preflight(), WARNING)
    assert any(
        w.startswith("data.filter_overlong_prompts_workers=1 templates and tokenizes") for w in warnings
    )
    assert not [
        w for w in of_level(preflight("data.filter_overlong_prompts_workers=16"), WARNING) if "filter" in w
    ]
