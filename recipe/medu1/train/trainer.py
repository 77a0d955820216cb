"""verl plugin: the "medu1" trainer = verl's synchronous PPO trainer + per-task training metrics.

Selected with ``trainer.v1.trainer_mode=medu1`` (set in ``config/medu1.yaml``). It adds, per
training step, ``medu1/<task>/<term>/mean`` for every reward term and the response length (see
``recipe.medu1.train.metrics``), read from the step's samples in TransferQueue before verl clears them, and
writes the data source, task, response tokens and reward terms into the rollout dumps
(``trainer.rollout_data_dir``) so that ``python -m recipe.medu1.analysis.plot_training`` can draw per-task
curves.

Two verl 0.9.1 details shape this module:
- ``trainer_mode`` is also a behaviour switch: verl's trainer tests ``trainer_mode != "sync"`` to
  enable the async replay buffer and in-flight prompt reissue. The registry name must differ from
  "sync" (re-registering it raises), so ``__init__`` sets the mode back to "sync" before verl reads it.
- Registration has to happen in the TaskRunner Ray actor: the ``verl.plugins`` entry point
  (:mod:`recipe.medu1.train.plugins`) imports this module right after verl imports
  ``verl.trainer.ppo.v1``, where verl looks the trainer up. An import failure is printed to stderr
  before it propagates; ``python -m recipe.medu1.preflight`` imports this module directly.
  It needs verl's run-time dependencies (TransferQueue, cachetools, fastapi, uvicorn), which the
  package's base install brings.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

try:
    import numpy as np
    import torch
    import transfer_queue as tq
    from omegaconf import DictConfig, open_dict
    from verl.trainer.ppo.v1.trainer_base import register_trainer
    from verl.trainer.ppo.v1.trainer_sync import PPOTrainerSync

    from data_preprocess.registry import task_of
    from recipe.medu1.train.checkpoints import prune_after_save, refuse_finished_resume
    from recipe.medu1.train.metrics import equal_reward_groups, per_task_metrics
    from recipe.medu1.train.metrics_log import appending_file_logger
    from recipe.medu1.train.seen_order import OPTION_ORDER_FIELD
    from reward_score import RESULT_KEYS
except Exception as exc:  # pragma: no cover - only reached with a broken install
    print(f"[medu1] trainer plugin (recipe.medu1.train.trainer) failed to import: {exc!r}", file=sys.stderr)
    raise

TRAINER_MODE = "medu1"
# What the per-task metrics read from TransferQueue for each sample of the step ("uid": its GRPO group).
STEP_FIELDS = ["data_source", "extra_info", "extra_fields", "responses", "uid"]
# Reward terms written into rollout dumps ("score" is already there; "pred" is free text, a runaway answer
# would bloat every dump line).
DUMP_TERMS = tuple(key for key in RESULT_KEYS if key not in ("score", "pred"))


def response_lengths(responses: torch.Tensor) -> np.ndarray:
    """Tokens per response: the jagged tensor's offsets' diff, the value verl's own metrics use."""
    if responses.is_nested:
        return responses.offsets().diff().cpu().numpy()
    return np.full(responses.shape[0], responses.shape[-1])


class StepSamples(NamedTuple):
    """Per sample of a step, aligned with the keys asked for."""

    data_sources: list[str]
    tasks: list[str]
    reward_infos: list[dict]
    lengths: np.ndarray
    #: the GRPO group: the prompt's uid, shared by its responses
    groups: list[str]
    #: the option order an MCQ sample saw (:mod:`recipe.medu1.train.seen_order`), None for the row's own
    orders: list[dict | None]


def fetch_step_samples(
    keys: Sequence[str], partition_id: str, kv_batch_get: Callable[..., Any]
) -> StepSamples:
    """The step's samples from TransferQueue. ``kv_batch_get`` is ``transfer_queue.kv_batch_get`` (a
    parameter so that tests can pass a fake)."""
    data = kv_batch_get(keys=list(keys), partition_id=partition_id, select_fields=STEP_FIELDS)
    # ``get`` (like verl's ``pop``) returns the NonTensorStack itself; ``[]`` would unwrap it.
    data_sources = data.get("data_source").tolist()
    extra_infos = data.get("extra_info").tolist()
    extra_fields = [fields or {} for fields in data.get("extra_fields").tolist()]
    return StepSamples(
        data_sources=data_sources,
        tasks=[task_of(source, info) for source, info in zip(data_sources, extra_infos, strict=True)],
        reward_infos=[fields.get("reward_extra_info", {}) for fields in extra_fields],
        lengths=response_lengths(data.get("responses")),
        groups=data.get("uid").tolist(),
        orders=[fields.get(OPTION_ORDER_FIELD) for fields in extra_fields],
    )


def step_task_metrics(
    keys: Sequence[str],
    partition_id: str,
    keep: np.ndarray,
    kv_batch_get: Callable[..., Any],
) -> dict[str, float]:
    """Per-task means and equal-reward group shares over the step's real (``keep``: non-padding, aligned
    with ``keys``) samples."""
    step = fetch_step_samples(keys, partition_id, kv_batch_get)
    tasks, reward_infos, lengths, groups = step.tasks, step.reward_infos, step.lengths, step.groups
    rows = [i for i in range(len(tasks)) if keep[i]]
    metrics = per_task_metrics(
        tasks=[tasks[i] for i in rows],
        reward_extra_infos=[reward_infos[i] for i in rows],
        response_lengths=[lengths[i] for i in rows],
    )
    scores = [float(reward_infos[i]["score"]) for i in rows]
    metrics.update(equal_reward_groups([groups[i] for i in rows], [tasks[i] for i in rows], scores))
    return metrics


def rollout_dump_columns(
    keys: Sequence[str], partition_id: str, kv_batch_get: Callable[..., Any], gts: Sequence[Any]
) -> tuple[list[Any], dict[str, list]]:
    """The ground truths and the columns added to verl's rollout dumps, aligned with ``keys``.

    verl 0.9.1 writes only input/output/gts/score/step/uid to ``trainer.rollout_data_dir``; with the
    data source, task, response tokens, reward terms and GRPO group, ``plot_training`` draws per-task
    training curves from those dumps (the paper's training analysis), the equal-reward groups included.
    verl's ``gts`` is the row's answer; an MCQ sample shown its options in another order was graded
    against that order's letter, which then replaces it, so that ``gts`` names the right option of the
    ``input`` beside it. Validation dumps are written after TransferQueue is cleared and keep the row's
    answer (validation samples are reordered too).
    """
    step = fetch_step_samples(keys, partition_id, kv_batch_get)
    seen_gts = [order["ground_truth"] if order else row for row, order in zip(gts, step.orders, strict=True)]
    columns: dict[str, list] = {
        "data_source": step.data_sources,
        "task": step.tasks,
        "response_length": [int(n) for n in step.lengths],
        "group": step.groups,
    }
    for term in DUMP_TERMS:
        columns[term] = [info.get(term) for info in step.reward_infos]
    return seen_gts, columns


@register_trainer(TRAINER_MODE)
class MedU1Trainer(PPOTrainerSync):
    """verl's sync trainer whose step metrics also hold the per-task reward terms."""

    def __init__(self, config: DictConfig):
        # Keep verl's synchronous behaviour: the mode name is tested throughout PPOTrainer.
        with open_dict(config):
            config.trainer.v1.trainer_mode = "sync"
        super().__init__(config)

    # Relaunches (recipe.medu1.train.checkpoints, recipe.medu1.train.metrics_log): refuse a resume with no
    # step left before any worker starts, rotate checkpoints from the disk, keep the metrics log's history.
    def _init_dataloader(self):
        super()._init_dataloader()
        refuse_finished_resume(self.config.trainer, self.steps_per_epoch, self.total_training_steps)

    def _save_checkpoint(self):
        super()._save_checkpoint()
        prune_after_save(self.config.trainer, self.global_steps)

    def fit(self, agent_loop_manager):
        with appending_file_logger(self.config.trainer, self.global_steps):
            super().fit(agent_loop_manager)

    def _compute_metrics(self, batch, metrics, timing_raw, global_steps, epoch):
        super()._compute_metrics(batch, metrics, timing_raw, global_steps, epoch)
        keep = np.array([not tag.get("is_padding", False) for tag in batch.tags], dtype=bool)
        if not keep.any():
            keep[:] = True
        metrics.update(step_task_metrics(batch.keys, batch.partition_id, keep, tq.kv_batch_get))

    def _log_rollout_data(self, batch, timing_raw, rollout_data_dir):
        # verl's method ends in ``_dump_generations``; remember the partition so that it can add columns.
        self._rollout_partition_id = batch.partition_id
        try:
            super()._log_rollout_data(batch, timing_raw, rollout_data_dir)
        finally:
            self._rollout_partition_id = None

    def _dump_generations(self, inputs, outputs, gts, scores, reward_extra_infos_dict, dump_path):
        partition_id = getattr(self, "_rollout_partition_id", None)
        if partition_id is not None:  # a rollout dump (validation dumps already carry the reward terms)
            gts, columns = rollout_dump_columns(
                reward_extra_infos_dict["uid"], partition_id, tq.kv_batch_get, gts
            )
            reward_extra_infos_dict = {**reward_extra_infos_dict, **columns}
        super()._dump_generations(inputs, outputs, gts, scores, reward_extra_infos_dict, dump_path)
