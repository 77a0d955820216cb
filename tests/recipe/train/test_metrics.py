"""Per-task training metrics on a hand-built batch."""

from __future__ import annotations

import pytest

from recipe.medu1.train.metrics import metric_key, per_task_metrics


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
