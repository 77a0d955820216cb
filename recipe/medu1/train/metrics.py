"""Per-task training metrics: step means of every reward term and of the response length, per task, and
the share of GRPO groups that cannot learn.

Why: verl 0.9.1 logs only the scalar score during training (``critic/score/*``), so a mixed
MCQ / calculation / open-ended run cannot show which task is learning. The medu1 trainer feeds each
step's samples through ``per_task_metrics`` and logs ``medu1/<task>/<term>/mean``. A GRPO group whose
rewards are all equal has zero advantage for every response, so it contributes nothing to the update;
``equal_reward_groups`` logs that share (``medu1/<task>/equal_reward_groups/mean``, and ``medu1/all/...``)
so a run whose learning stops because every group is dead says so, instead of showing a flat loss.
This module is pure (no verl / TransferQueue imports) so that it is cheap to test.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np

from reward_score import NUMERIC_RESULT_KEYS

METRIC_PREFIX = "medu1"
#: The "task" of the equal-reward share over every group of the step.
ALL_TASKS = "all"
#: Rewards closer than this count as equal: GRPO's group std is then ~0 and every advantage ~0.
EQUAL_REWARD_TOLERANCE = 1e-6


def metric_key(task: str, term: str) -> str:
    """The name a per-task step metric is logged under (``summarize_run`` reads the same names)."""
    return f"{METRIC_PREFIX}/{task}/{term}/mean"


def per_task_metrics(
    tasks: Sequence[str],
    reward_extra_infos: Sequence[Mapping],
    response_lengths: Sequence[float],
) -> dict[str, float]:
    """Mean of each reward term and of the response length (tokens) per task.

    Args:
        tasks: one task name per response.
        reward_extra_infos: one ``reward_extra_info`` dict per response (the terms compute_score
            returned); a term missing from a response is left out of that term's mean.
        response_lengths: one response token count per response.

    Returns:
        ``{"medu1/<task>/<term>/mean": value, ..., "medu1/<task>/response_length/mean": value}``
        for every task present.
    """
    if not (len(tasks) == len(reward_extra_infos) == len(response_lengths)):
        raise ValueError(
            f"per_task_metrics needs one task, reward info and length per response; got "
            f"{len(tasks)}, {len(reward_extra_infos)}, {len(response_lengths)}"
        )
    values: dict[tuple[str, str], list[float]] = defaultdict(list)
    for task, info, length in zip(tasks, reward_extra_infos, response_lengths, strict=True):
        values[(task, "response_length")].append(float(length))
        for term in NUMERIC_RESULT_KEYS:
            if info.get(term) is not None:
                values[(task, term)].append(float(info[term]))
    return {metric_key(task, term): float(np.mean(vals)) for (task, term), vals in values.items()}


def equal_reward_groups(
    group_ids: Sequence[str], tasks: Sequence[str], scores: Sequence[float]
) -> dict[str, float]:
    """The share of GRPO groups (responses of one prompt, sharing a group id) whose rewards are all equal,
    per task and over all groups (task ``all``).

    A group of a single response is left out: verl's GRPO gives it its score as advantage (mean 0, std 1),
    so it is not dead. Returns ``{"medu1/<task>/equal_reward_groups/mean": share, ...}``; empty when no
    group has two responses.
    """
    if not (len(group_ids) == len(tasks) == len(scores)):
        raise ValueError(
            f"equal_reward_groups needs one group id, task and score per response; got "
            f"{len(group_ids)}, {len(tasks)}, {len(scores)}"
        )
    groups: dict[str, list[float]] = defaultdict(list)
    task_of_group: dict[str, str] = {}
    for group, task, score in zip(group_ids, tasks, scores, strict=True):
        groups[group].append(float(score))
        task_of_group[group] = task
    dead: dict[str, list[float]] = defaultdict(list)
    for group, rewards in groups.items():
        if len(rewards) > 1:
            equal = float(max(rewards) - min(rewards) <= EQUAL_REWARD_TOLERANCE)
            dead[task_of_group[group]].append(equal)
            dead[ALL_TASKS].append(equal)
    return {metric_key(task, "equal_reward_groups"): float(np.mean(flags)) for task, flags in dead.items()}
