"""The medu1 reward manager, loaded through verl's own load_reward_manager from the recipe config."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
import torch

from recipe.medu1.preflight.composition import compose_config
from recipe.medu1.train.reward_manager import MedU1RewardManager, valid_response_length
from recipe.medu1.train.seen_order import OPTION_ORDER_FIELD
from reward_score import RESULT_KEYS, compute_score

CONFIG_DIR = Path(__file__).resolve().parents[3] / "recipe" / "medu1" / "config"
RESPONSE = "<think>\nThe patient has an inferior myocardial infarction.\n</think>\n<answer>E</answer>"
PROMPT = "<|im_start|>user\nWhich of the following is the most appropriate next step?<|im_end|>\n"
OPTIONS = '{"A": "aspirin", "B": "heparin", "C": "metoprolol", "D": "nitroglycerin", "E": "PCI"}'
BUDGET = 20  # "Think for 20 tokens.": the length term moves with every token of the response


def extra_info(budget: int = BUDGET) -> dict:
    return {
        "task": "mcq", "split": "train", "index": 0, "source_id": "t-0", "options": OPTIONS,
        "calculator_id": -1, "calculator_name": "", "category": "", "output_type": "",
        "lower_limit": None, "upper_limit": None, "length_budget": budget,
    }  # fmt: skip


def hand_built_batch(
    tokenizer, response_pad: int = 5, prompt_pad: int = 3, response: str = RESPONSE, seen: dict | None = None
):
    """One sample as verl lays it out: left-padded prompt, right-padded response ending in EOS; ``seen``:
    the option order an agent loop left in the sample's extra fields."""
    from verl import DataProto

    prompt_ids = tokenizer(PROMPT)["input_ids"]
    response_ids = tokenizer(response)["input_ids"] + [tokenizer.eos_token_id]
    pad = tokenizer.pad_token_id
    prompts = torch.tensor([[pad] * prompt_pad + prompt_ids])
    responses = torch.tensor([response_ids + [pad] * response_pad])
    attention_mask = torch.tensor(
        [[0] * prompt_pad + [1] * len(prompt_ids) + [1] * len(response_ids) + [0] * response_pad]
    )
    data = DataProto.from_single_dict(
        {
            "prompts": prompts,
            "responses": responses,
            "attention_mask": attention_mask,
            "data_source": np.array(["medqa"], dtype=object),
            "reward_model": np.array([{"style": "rule", "ground_truth": "E"}], dtype=object),
            "extra_info": np.array([extra_info()], dtype=object),
            "tool_extra_fields": np.array([{"turn_scores": [], OPTION_ORDER_FIELD: seen}], dtype=object),
        }
    )
    return data, len(response_ids)


@pytest.fixture(scope="module")
def cfg():
    return compose_config(CONFIG_DIR, "medu1_grpo", [])


def score_with_manager(cfg, tokenizer, data):
    """Build the manager inside the running loop (its event loop is bound at construction)."""
    from verl.trainer.ppo.reward import load_reward_manager

    async def run():
        manager = load_reward_manager(cfg, tokenizer)
        return manager, await manager.run_single(data)

    return asyncio.run(run())


def test_registered_in_reward_loop_registry():
    from verl.experimental.reward_loop.reward_manager import get_reward_manager_cls

    assert get_reward_manager_cls("medu1") is MedU1RewardManager


def test_scores_with_the_exact_response_token_count(cfg, tiny_tokenizer):
    data, n_tokens = hand_built_batch(tiny_tokenizer)
    manager, out = score_with_manager(cfg, tiny_tokenizer, data)
    assert isinstance(manager, MedU1RewardManager)
    # verl's count: the attention mask over the response part (EOS included, padding excluded).
    assert valid_response_length(data[0]) == n_tokens
    expected = compute_score(
        "medqa", RESPONSE, "E", extra_info=extra_info(), preset="medu1", response_length=n_tokens
    )
    assert out["reward_extra_info"] == {**expected, "task": "mcq"}
    assert out["reward_score"] == expected["score"]
    assert expected["acc"] == 1.0 and expected["format"] == 1.0
    # The length term really depends on the count: one token less (e.g. EOS dropped) scores differently.
    off_by_one = compute_score(
        "medqa", RESPONSE, "E", extra_info=extra_info(), preset="medu1", response_length=n_tokens - 1
    )
    assert off_by_one["length"] != expected["length"]
    # Every reward term reaches reward_extra_info (validation logs val-aux/<source>/<term>), plus the task
    # that validation dumps otherwise lack.
    assert list(out["reward_extra_info"]) == [*RESULT_KEYS, "task"]


def test_padding_does_not_change_the_count(cfg, tiny_tokenizer):
    scores = []
    for response_pad in (0, 7):
        data, _ = hand_built_batch(tiny_tokenizer, response_pad=response_pad)
        scores.append(score_with_manager(cfg, tiny_tokenizer, data)[1]["reward_extra_info"]["length"])
    assert scores[0] == scores[1]


def test_score_lands_on_the_last_valid_token(cfg, tiny_tokenizer):
    data, n_tokens = hand_built_batch(tiny_tokenizer)
    _, out = score_with_manager(cfg, tiny_tokenizer, data)
    rm_scores = MedU1RewardManager.assemble_rm_scores(data, [out["reward_score"]])
    assert rm_scores[0, n_tokens - 1] == pytest.approx(out["reward_score"])
    assert rm_scores.sum() == pytest.approx(out["reward_score"])


def test_configured_kwargs_reach_compute_score(tiny_tokenizer):
    cfg = compose_config(
        CONFIG_DIR, "medu1_grpo", ["+reward.custom_reward_function.reward_kwargs.bogus_knob=1"]
    )
    data, _ = hand_built_batch(tiny_tokenizer)
    with pytest.raises(ValueError, match="bogus_knob"):
        score_with_manager(cfg, tiny_tokenizer, data)


def test_a_scalar_reward_function_is_refused(tiny_tokenizer, tmp_path, monkeypatch):
    (tmp_path / "scalar_reward.py").write_text("def compute_score(**kwargs):\n    return 1.0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = compose_config(
        CONFIG_DIR,
        "medu1_grpo",
        [
            "reward.custom_reward_function.path=pkg://scalar_reward",
            "~reward.custom_reward_function.reward_kwargs",
        ],
    )
    data, _ = hand_built_batch(tiny_tokenizer)
    with pytest.raises(TypeError, match="expects compute_score to return a dict"):
        score_with_manager(cfg, tiny_tokenizer, data)


#: The sample saw PCI (the row's E) as A and aspirin (the row's A) as E.
SEEN = {
    "ground_truth": "A",
    "options": '{"A": "PCI", "B": "heparin", "C": "metoprolol", "D": "nitroglycerin", "E": "aspirin"}',
    "question": "Which of the following is the most appropriate next step?",
    "row_letter": {"A": "E", "B": "B", "C": "C", "D": "D", "E": "A"},
}


def test_a_sample_is_graded_in_the_option_order_it_saw(cfg, tiny_tokenizer):
    answers_a = RESPONSE.replace("<answer>E</answer>", "<answer>A</answer>")
    seen = score_with_manager(
        cfg, tiny_tokenizer, hand_built_batch(tiny_tokenizer, response=answers_a, seen=SEEN)[0]
    )
    row = score_with_manager(cfg, tiny_tokenizer, hand_built_batch(tiny_tokenizer, response=answers_a)[0])
    assert seen[1]["reward_extra_info"]["acc"] == 1.0  # "A" is PCI in the order this sample saw
    assert row[1]["reward_extra_info"]["acc"] == 0.0  # and aspirin in the row's own order
    # pred names the chosen option in the row's order, as verl's dumps name the ground truth.
    assert seen[1]["reward_extra_info"]["pred"] == "E" and row[1]["reward_extra_info"]["pred"] == "A"
    assert list(seen[1]["reward_extra_info"]) == list(row[1]["reward_extra_info"])


def test_the_row_order_answer_is_wrong_for_a_reordered_sample(cfg, tiny_tokenizer):
    _, out = score_with_manager(cfg, tiny_tokenizer, hand_built_batch(tiny_tokenizer, seen=SEEN)[0])
    assert out["reward_extra_info"]["acc"] == 0.0  # "E" is aspirin for this sample
    assert out["reward_extra_info"]["pred"] == "A"
