"""Per-task training metrics: step means of every reward term and of the response length, per task.

Why: verl 0.9.1 logs only the scalar score during training (``critic/score/*``), so a mixed
MCQ / calculation / open-ended run cannot show which task is learning. The medu1 trainer feeds each
step's samples through ``per_task_metrics`` and logs ``medu1/<task>/<term>/mean``.
This module is pure (no verl / TransferQueue imports) so that it is cheap to test.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np

from reward_score import NUMERIC_RESULT_KEYS

METRIC_PREFIX = "medu1"


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
