"""verl's GRPO advantage on our rewards for one group equals (r - mean) / (std + 1e-6), unbiased std."""

from __future__ import annotations

import statistics

import numpy as np
import pytest
import torch

from reward_score import compute_score

GROUND_TRUTH = "B"
EXTRA_INFO = {
    "task": "mcq",
    "options": '{"A": "aspirin", "B": "heparin", "C": "metoprolol"}',
    "length_budget": 0,
}
# One prompt's group: correct, wrong, unformatted, correct with a different wording.
GROUP = [
    "<think>\nHeparin for the clot.\n</think>\n<answer>B</answer>",
    "<think>\nA beta blocker.\n</think>\n<answer>C</answer>",
    "The answer is B",
    "<think>\nAnticoagulate.\n</think>\n<answer>B</answer>",
]


def test_grpo_advantages_on_medu1_rewards():
    from verl.trainer.ppo.core_algos import compute_grpo_outcome_advantage

    rewards = [compute_score("medqa", r, GROUND_TRUTH, extra_info=EXTRA_INFO)["score"] for r in GROUP]
    assert len(set(rewards)) == 3  # correct / wrong / unformatted score differently
    lengths = [5, 3, 7, 4]
    width = max(lengths) + 2
    response_mask = torch.tensor([[1] * n + [0] * (width - n) for n in lengths], dtype=torch.float32)
    token_level_rewards = torch.zeros(len(GROUP), width)
    for i, (n, r) in enumerate(zip(lengths, rewards, strict=True)):
        token_level_rewards[i, n - 1] = r  # verl puts the outcome score on the last valid token
    index = np.array(["prompt-0"] * len(GROUP), dtype=object)

    advantages, returns = compute_grpo_outcome_advantage(token_level_rewards, response_mask, index)

    mean, std = statistics.mean(rewards), statistics.stdev(rewards)  # stdev = unbiased (n - 1)
    for i, (n, r) in enumerate(zip(lengths, rewards, strict=True)):
        expected = (r - mean) / (std + 1e-6)
        assert advantages[i, :n].tolist() == pytest.approx([expected] * n, rel=1e-5)
        assert advantages[i, n:].abs().sum() == 0  # nothing on padding
    assert torch.equal(advantages, returns)


def test_two_groups_are_normalised_separately():
    from verl.trainer.ppo.core_algos import compute_grpo_outcome_advantage

    scores = torch.tensor([[3.0], [1.0], [-2.0], [-4.0]])
    advantages, _ = compute_grpo_outcome_advantage(
        scores, torch.ones(4, 1), np.array(["a", "a", "b", "b"], dtype=object)
    )
    expected_a = [(3 - 2) / (statistics.stdev([3, 1]) + 1e-6), (1 - 2) / (statistics.stdev([3, 1]) + 1e-6)]
    expected_b = [
        (-2 + 3) / (statistics.stdev([-2, -4]) + 1e-6),
        (-4 + 3) / (statistics.stdev([-2, -4]) + 1e-6),
    ]
    assert advantages[:, 0].tolist() == pytest.approx(expected_a + expected_b, rel=1e-5)
