"""Training resume on verl 0.9.1's real loop: the session's smoke run (``conftest.py``) killed with SIGKILL
in the middle of step 3, relaunched with the same command.

What a crashed 7B run needs from its relaunch: every step trained by exactly one launch, the metrics log
of both launches, the data order of an uninterrupted run, and no more checkpoints on disk than
``max_actor_ckpt_to_keep``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
from omegaconf import OmegaConf
from verl.trainer.ppo.utils import create_rl_sampler

from recipe.medu1.analysis.summarize_run import read_steps

REPO = Path(__file__).resolve().parents[3]
RECIPE = OmegaConf.load(REPO / "recipe" / "medu1" / "config" / "medu1.yaml")
# verl's console logger prints one "step:N - key:value - ..." line per logged step.
TRAINED_STEP = re.compile(r"step:(\d+) - .*actor/grad_norm:")


def trained_steps(log: str) -> list[int]:
    return [int(m.group(1)) for m in TRAINED_STEP.finditer(log)]


def test_the_first_launch_was_killed_in_the_middle_of_a_step(smoke_run) -> None:
    assert smoke_run.exit_codes[0] != 0
    assert trained_steps(smoke_run.logs[0]) == [1, 2]


def test_every_step_is_trained_by_exactly_one_launch(smoke_run) -> None:
    first, second = trained_steps(smoke_run.logs[0]), trained_steps(smoke_run.logs[1])
    assert "global_step_2" in smoke_run.logs[1]  # verl's "Resuming from .../global_step_2"
    assert sorted(first + second) == list(range(1, smoke_run.steps + 1))


def test_metrics_log_keeps_every_step_of_both_launches(smoke_run) -> None:
    steps = dict(read_steps(smoke_run.out_dir / "metrics.jsonl"))
    assert [s for s, data in sorted(steps.items()) if "actor/grad_norm" in data] == [1, 2, 3]
    assert any(key.startswith("val-core/") for key in steps[0])  # the first launch's validation


def _question(prompt: str, questions: list[str]) -> str:
    (found,) = [q for q in set(questions) if q in prompt]
    return found


def test_data_order_after_resume_equals_an_uninterrupted_run(smoke_run) -> None:
    """The prompts of every step (rollout dumps) are those verl's seeded sampler gives a run never killed."""
    rows = pq.read_table(smoke_run.out_dir / "data" / "train.parquet").to_pylist()
    questions = [row["prompt"][-1]["content"] for row in rows]
    order = list(create_rl_sampler(RECIPE.data, questions))
    batch = len(order) // smoke_run.steps
    for step in range(1, smoke_run.steps + 1):
        dump = smoke_run.out_dir / "rollouts" / f"{step}.jsonl"
        prompts = [json.loads(line)["input"] for line in dump.read_text().splitlines()]
        expected = Counter(questions[i] for i in order[(step - 1) * batch : step * batch])
        seen = Counter(_question(p, questions) for p in prompts)
        n = len(prompts) // batch  # responses per prompt
        assert seen == Counter({q: c * n for q, c in expected.items()}), step


def test_no_more_checkpoints_than_kept_remain_after_the_resume(smoke_run) -> None:
    root = smoke_run.out_dir / "checkpoints"
    actors = sorted(int(p.parent.name.removeprefix("global_step_")) for p in root.glob("global_step_*/actor"))
    keep = int(RECIPE.trainer.max_actor_ckpt_to_keep)
    assert actors == list(range(smoke_run.steps - keep + 1, smoke_run.steps + 1))
    assert sorted(p.name for p in root.glob("global_step_*")) == [f"global_step_{s}" for s in actors]
