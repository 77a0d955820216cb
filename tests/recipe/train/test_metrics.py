"""Per-task training metrics on a hand-built batch."""

from __future__ import annotations

import pytest

from recipe.medu1.train.metrics import equal_reward_groups, metric_key, per_task_metrics


def terms(score, acc, fmt, answer, length, parsed):
    return {
        "score": score,
        "acc": acc,
        "format": fmt,
        "answer": answer,
        "length": length,
        "parsed": parsed,
        "pred": "x",
    }


def test_means_per_task():
    tasks = ["mcq", "calc", "mcq", "text", "calc"]
    infos = [
        terms(2.0, 1.0, 1.0, 1.0, 0.0, 1.0),
        terms(-2.0, 0.0, -1.0, -1.0, 0.5, 0.0),
        terms(0.0, 0.0, 1.0, -1.0, 0.0, 1.0),
        terms(1.0, 1.0, 1.0, 1.0, -1.0, 1.0),
        terms(2.0, 1.0, 1.0, 1.0, 0.25, 1.0),
    ]
    lengths = [100, 300, 200, 50, 500]
    metrics = per_task_metrics(tasks, infos, lengths)
    assert metrics["medu1/mcq/acc/mean"] == 0.5
    assert metrics["medu1/mcq/format/mean"] == 1.0
    assert metrics["medu1/mcq/score/mean"] == 1.0
    assert metrics["medu1/mcq/response_length/mean"] == 150.0
    assert metrics["medu1/calc/acc/mean"] == 0.5
    assert metrics["medu1/calc/format/mean"] == 0.0
    assert metrics["medu1/calc/length/mean"] == 0.375
    assert metrics["medu1/calc/parsed/mean"] == 0.5
    assert metrics["medu1/calc/response_length/mean"] == 400.0
    assert metrics["medu1/text/length/mean"] == -1.0
    assert metrics["medu1/text/answer/mean"] == 1.0
    # 3 tasks x (6 reward terms + response length); the string "pred" is not averaged.
    assert len(metrics) == 21
    assert not any("pred" in key for key in metrics)


def test_missing_term_is_left_out_of_its_mean():
    metrics = per_task_metrics(["mcq", "mcq"], [{"acc": 1.0}, {"acc": 0.0, "length": 0.5}], [10, 30])
    assert metrics == {
        "medu1/mcq/acc/mean": 0.5,
        "medu1/mcq/length/mean": 0.5,
        "medu1/mcq/response_length/mean": 20.0,
    }


def test_metric_key_is_the_logged_name():
    metrics = per_task_metrics(["calc"], [{"acc": 1.0}], [7])
    assert metric_key("calc", "acc") in metrics and metrics[metric_key("calc", "response_length")] == 7.0


def test_mismatched_inputs_raise():
    with pytest.raises(ValueError, match="one task, reward info and length per response"):
        per_task_metrics(["mcq"], [{}, {}], [1])


def test_equal_reward_groups_on_a_fake_batch():
    # Five GRPO groups of 4 responses (group ids as verl's uids) and one lone response.
    batch = [
        ("g1", "mcq", [2.0, 2.0, 2.0, 2.0]),  # every answer right and in format: dead
        ("g2", "mcq", [2.0, -1.0, 2.0, 2.0]),  # learns
        ("g3", "mcq", [-1.0, -1.0, -1.0, -1.0 + 1e-9]),  # equal up to float noise: dead
        ("g4", "calc", [0.5, 0.5, 0.5, 0.5]),  # dead
        ("g5", "calc", [0.5, 0.49, 0.5, 0.5]),  # the length term alone varies: learns
        ("g6", "text", [1.0]),  # one response: verl's GRPO gives it an advantage, not counted
    ]
    ids = [group for group, _, scores in batch for _ in scores]
    tasks = [task for _, task, scores in batch for _ in scores]
    scores = [score for _, _, group_scores in batch for score in group_scores]
    metrics = equal_reward_groups(ids, tasks, scores)
    assert metrics == {
        "medu1/mcq/equal_reward_groups/mean": pytest.approx(2 / 3),
        "medu1/calc/equal_reward_groups/mean": 0.5,
        "medu1/all/equal_reward_groups/mean": 0.6,
    }


def test_equal_reward_groups_order_free_and_checked():
    assert equal_reward_groups(["a", "b", "a", "b"], ["mcq"] * 4, [1.0, 2.0, 1.0, 3.0]) == {
        "medu1/mcq/equal_reward_groups/mean": 0.5,
        "medu1/all/equal_reward_groups/mean": 0.5,
    }
    assert equal_reward_groups(["a"], ["mcq"], [1.0]) == {}
    with pytest.raises(ValueError, match="one group id, task and score per response"):
        equal_reward_groups(["a", "a"], ["mcq"], [1.0, 1.0])
