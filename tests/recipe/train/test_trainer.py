"""The medu1 trainer: registered, keeps verl's sync behaviour, reads per-task metrics from TransferQueue."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf
from tensordict import NonTensorStack, TensorDict

from recipe.medu1.train import trainer as medu1_trainer
from recipe.medu1.train.seen_order import OPTION_ORDER_FIELD


def test_registered_as_trainer_mode_medu1():
    from verl.trainer.ppo.v1 import PPOTrainerSync, get_trainer_cls

    cls = get_trainer_cls("medu1")
    assert cls is medu1_trainer.MedU1Trainer
    assert issubclass(cls, PPOTrainerSync)


def test_init_switches_back_to_sync_behaviour(monkeypatch):
    """verl tests trainer_mode != "sync" in six places; our subclass must look like "sync" to them."""
    from verl.trainer.ppo.v1.trainer_base import PPOTrainer

    seen = {}

    def fake_init(self, config):
        seen["mode"] = config.trainer.v1.trainer_mode

    monkeypatch.setattr(PPOTrainer, "__init__", fake_init)
    config = OmegaConf.create({"trainer": {"v1": {"trainer_mode": "medu1"}}})
    OmegaConf.set_struct(config, True)
    medu1_trainer.MedU1Trainer(config)
    assert seen["mode"] == "sync"


def fake_step(responses: list[list[int]]):
    """What TransferQueue returns for STEP_FIELDS: jagged responses, non-tensor rows."""
    rows = [
        ("medqa", {"task": "mcq"}, {"score": 2.0, "acc": 1.0, "format": 1.0, "length": 0.0, "parsed": 1.0}),
        ("medqa", {"task": "mcq"}, {"score": 0.0, "acc": 0.0, "format": 1.0, "length": 0.0, "parsed": 1.0}),
        (
            "medcalc",
            {"task": "calc"},
            {"score": 0.5, "acc": 1.0, "format": -1.0, "length": 0.5, "parsed": 1.0},
        ),
        (
            "medcalc",
            {"task": "calc"},
            {"score": 0.5, "acc": 1.0, "format": 1.0, "length": 0.5, "parsed": 1.0},
        ),  # padding copy
    ]
    data = TensorDict(
        {
            "data_source": NonTensorStack(*[r[0] for r in rows]),
            "extra_info": NonTensorStack(*[r[1] for r in rows]),
            "extra_fields": NonTensorStack(
                {"reward_extra_info": rows[0][2], OPTION_ORDER_FIELD: {"ground_truth": "C"}},
                *[{"reward_extra_info": r[2], "min_global_steps": 1} for r in rows[1:]],
            ),
            "uid": NonTensorStack("p0", "p0", "p1", "p1"),  # the GRPO group of each response
            "responses": torch.nested.as_nested_tensor(
                [torch.tensor(r) for r in responses], layout=torch.jagged
            ),
        },
        batch_size=[len(rows)],
    )
    calls = []

    def kv_batch_get(keys, partition_id, select_fields):
        calls.append((keys, partition_id, select_fields))
        return data

    return kv_batch_get, calls


def test_step_task_metrics_from_transfer_queue_fields():
    kv_batch_get, calls = fake_step([[1, 2, 3], [4] * 5, [5] * 10, [6] * 99])
    keep = np.array([True, True, True, False])
    metrics = medu1_trainer.step_task_metrics(["a", "b", "c", "d"], "train", keep, kv_batch_get)
    assert calls == [(["a", "b", "c", "d"], "train", medu1_trainer.STEP_FIELDS)]
    assert metrics["medu1/mcq/acc/mean"] == 0.5
    assert metrics["medu1/mcq/response_length/mean"] == 4.0
    # The padding row (a duplicate verl adds for divisibility) is excluded.
    assert metrics["medu1/calc/format/mean"] == -1.0
    # Group p0 (scores 2, 0) learns; p1 is one real response once the padding copy is dropped: not counted.
    assert metrics["medu1/mcq/equal_reward_groups/mean"] == 0.0
    assert metrics["medu1/all/equal_reward_groups/mean"] == 0.0
    assert "medu1/calc/equal_reward_groups/mean" not in metrics
    assert metrics["medu1/calc/response_length/mean"] == 10.0


@pytest.mark.parametrize(
    ("responses", "expected"),
    [
        (torch.nested.as_nested_tensor([torch.ones(3), torch.ones(7)], layout=torch.jagged), [3, 7]),
        (torch.ones(2, 5), [5, 5]),
    ],
)
def test_response_lengths(responses, expected):
    assert medu1_trainer.response_lengths(responses).tolist() == expected


def test_rollout_dump_columns_align_with_keys():
    kv_batch_get, calls = fake_step([[1, 2, 3], [4] * 5, [5] * 10, [6] * 99])
    gts, columns = medu1_trainer.rollout_dump_columns(
        ["a", "b", "c", "d"], "train", kv_batch_get, ["A", "A", "42", "42"]
    )
    assert calls == [(["a", "b", "c", "d"], "train", medu1_trainer.STEP_FIELDS)]
    # the first response saw the options in another order, the right one at C: graded, and dumped, as C
    assert gts == ["C", "A", "42", "42"]
    assert columns["data_source"] == ["medqa", "medqa", "medcalc", "medcalc"]
    assert columns["task"] == ["mcq", "mcq", "calc", "calc"]
    assert columns["group"] == ["p0", "p0", "p1", "p1"]
    assert columns["response_length"] == [3, 5, 10, 99]
    assert columns["acc"] == [1.0, 0.0, 1.0, 1.0]
    assert columns["format"] == [1.0, 1.0, -1.0, 1.0]
    assert columns["answer"] == [None] * 4  # a term the reward did not return stays empty


def test_rollout_dumps_gain_columns_but_validation_dumps_do_not(monkeypatch, tmp_path):
    """verl's dump writer receives our columns only while a rollout dump is being written."""
    from verl.trainer.ppo.v1.trainer_base import PPOTrainer

    kv_batch_get, _ = fake_step([[1], [1, 2], [1, 2, 3], [1]])
    monkeypatch.setattr(medu1_trainer.tq, "kv_batch_get", kv_batch_get)
    written, gts_written = [], []

    def fake_dump(self, *args):
        gts_written.append(list(args[2]))
        written.append(dict(args[4]))

    monkeypatch.setattr(PPOTrainer, "_dump_generations", fake_dump, raising=True)

    def fake_log_rollout_data(self, batch, timing_raw, rollout_data_dir):
        self._dump_generations(
            ["i"] * 4, ["o"] * 4, ["g"] * 4, [0.0] * 4, {"uid": list("abcd")}, rollout_data_dir
        )

    monkeypatch.setattr(PPOTrainer, "_log_rollout_data", fake_log_rollout_data)
    trainer = object.__new__(medu1_trainer.MedU1Trainer)
    batch = type("Batch", (), {"partition_id": "train", "keys": list("abcd")})()
    trainer._log_rollout_data(batch, {}, str(tmp_path))
    trainer._dump_generations(["i"], ["o"], ["g"], [1.0], {"uid": ["v"], "acc": [1.0]}, str(tmp_path))
    assert written[0]["task"] == ["mcq", "mcq", "calc", "calc"] and written[0]["uid"] == list("abcd")
    assert written[0]["response_length"] == [1, 2, 3, 1]
    assert written[1] == {"uid": ["v"], "acc": [1.0]}
    assert gts_written == [["C", "g", "g", "g"], ["g"]]
