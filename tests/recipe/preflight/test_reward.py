"""The reward manager and function resolved and called as verl will; evaluation-only settings refused."""

from __future__ import annotations

import pyarrow.parquet as pq

from recipe.medu1.preflight.findings import ERROR, of_level
from reward_score import RULES


def test_batch_manager_from_legacy_registry_is_refused(preflight):
    (message,) = of_level(preflight("reward.reward_manager.name=batch"), ERROR)
    assert "reward.reward_manager.name='batch' is not in verl 0.9.1's reward-loop registry" in message
    assert "exists only in verl's legacy registry" in message


def test_unknown_manager_and_naive_with_budgets(preflight, data_dir):
    (unknown,) = of_level(preflight("reward.reward_manager.name=nope"), ERROR)
    assert "reward.reward_manager.name='nope'" in unknown
    # naive exists, but the toy data has length budgets, which only the medu1 manager supports.
    budgeted = sum(
        1
        for name in ("train", "val")
        for info in pq.read_table(data_dir / f"{name}.parquet").column("extra_info").to_pylist()
        if info["length_budget"]
    )
    (naive,) = of_level(preflight("reward.reward_manager.name=naive"), ERROR)
    assert f"{budgeted} train/val rows carry a length budget" in naive
    assert "set reward.reward_manager.name=medu1" in naive


def test_agent_loop_is_resolved_and_ours_needs_our_manager(preflight):
    typo = "actor_rollout_ref.rollout.agent.default_agent_loop=medu1_option_order"
    (unknown,) = of_level(preflight(typo), ERROR)
    assert "default_agent_loop='medu1_option_order' is not a registered agent loop" in unknown
    assert "medu1_option_orders" in unknown and "single_turn_agent" in unknown
    ours = "actor_rollout_ref.rollout.agent.default_agent_loop=medu1_option_orders"
    assert not of_level(preflight(ours), ERROR)
    # dapo exists in verl's reward-loop registry but grades in the row's own order.
    errors = of_level(preflight(ours, "reward.reward_manager.name=dapo"), ERROR)
    assert any("new MCQ option orders: set reward.reward_manager.name=medu1" in e for e in errors), errors
    # An unknown manager is check_reward_manager's finding, not a crash here.
    (unknown_manager,) = of_level(preflight(ours, "reward.reward_manager.name=nope"), ERROR)
    assert "reward.reward_manager.name='nope'" in unknown_manager


def test_our_agent_loop_needs_the_reward_computed_in_the_rollout(preflight):
    ours = "actor_rollout_ref.rollout.agent.default_agent_loop=medu1_option_orders"
    legacy = of_level(preflight(ours, "trainer.use_v1=false"), ERROR)
    assert any("set trainer.use_v1=true" in e for e in legacy), legacy
    colocated = of_level(preflight(ours, "reward.reward_model.enable=true"), ERROR)
    assert any("colocated reward model" in e for e in colocated), colocated


def test_unknown_reward_kwarg_fails_once_per_task(preflight):
    errors = of_level(preflight("+reward.custom_reward_function.reward_kwargs.bogus_knob=1"), ERROR)
    assert len(errors) == 3  # one call per task of the training data, each refusing the kwarg
    assert all("bogus_knob" in e and "reward_kwargs" in e and "train.parquet" in e for e in errors)


def test_reward_facts_name_the_rule_per_task(preflight):
    found = {f.label: f.text for f in preflight() if f.label.startswith("reward on ")}
    assert sorted(found) == ["reward on calc", "reward on mcq", "reward on text"]
    for text in found.values():
        assert "acc 1" in text and text.rsplit("(rule ", 1)[1].rstrip(")") in RULES


def test_freeform_fallback_is_refused_in_training(preflight):
    (message,) = of_level(
        preflight("+reward.custom_reward_function.reward_kwargs.freeform_fallback=True"), ERROR
    )
    assert message.startswith(
        "reward.custom_reward_function.reward_kwargs.freeform_fallback=True is evaluation-only"
    )


def test_missing_or_unloadable_reward_function(preflight):
    assert any(
        "reward.custom_reward_function.path is not set" in e
        for e in of_level(preflight("reward.custom_reward_function.path=null"), ERROR)
    )
    assert any(
        "reward.custom_reward_function.path='x.py' / name='compute_score'" in e
        for e in of_level(preflight("reward.custom_reward_function.path=x.py"), ERROR)
    )
