"""verl plugin: the "medu1" reward-loop manager (verl's naive manager + the exact response length).

Why a manager of our own: the Med-U1 length term compares the response's token count with the
prompt's "Think for N tokens." budget, and only the reward manager sees the tokens. verl's naive
manager decodes the response but passes no length, so this one passes ``response_length`` = the
valid response tokens exactly as verl counts them (the attention mask over the response part, EOS
included) to ``compute_score``, and returns every reward term as ``reward_extra_info`` so that
validation logs ``val-aux/<data_source>/<term>/...`` and the medu1 trainer can log per-task means.
A sample whose MCQ options an agent loop showed in another order (:mod:`recipe.medu1.train.agent_loop`)
is graded against that order: the answer letter, options and question it saw.

The ``verl.plugins`` entry point (:mod:`recipe.medu1.train.plugins`) imports this module right after verl
imports its reward-manager registry, in every process that does (the ``RewardLoopWorker`` actors among
them). Importing it must stay side-effect free apart from the registration. A failure is printed to
stderr before it propagates; ``python -m recipe.medu1.preflight`` imports this module directly.
"""

from __future__ import annotations

import sys

try:
    from verl import DataProto
    from verl.experimental.reward_loop.reward_manager import register
    from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager

    from data_preprocess.registry import task_of
    from recipe.medu1.train.seen_order import OPTION_ORDER_FIELD, as_seen, row_letter
except Exception as exc:  # pragma: no cover - only reached with a broken verl install
    print(
        f"[medu1] reward manager plugin (recipe.medu1.train.reward_manager) failed: {exc!r}", file=sys.stderr
    )
    raise

REWARD_MANAGER_NAME = "medu1"


def valid_response_length(data_item) -> int:
    """Valid response tokens of one ``DataProto`` item, counted the way verl's managers count them.

    ``attention_mask`` spans prompt + response; its last ``responses.shape[-1]`` entries cover the
    (right-padded) response, so their sum is the generated length including the EOS token.
    """
    response_width = data_item.batch["responses"].shape[-1]
    return int(data_item.batch["attention_mask"][-response_width:].sum())


@register(REWARD_MANAGER_NAME)
class MedU1RewardManager(NaiveRewardManager):
    """verl's naive reward-loop manager that also passes ``response_length`` to ``compute_score``.

    The constructor is the naive one (compute_score, optional reward-model router); only
    ``run_single`` differs. The configured ``reward_kwargs`` (e.g. ``preset``) are merged in by
    verl's ``get_custom_reward_fn`` wrapper and win over the per-call ones.
    """

    async def run_single(self, data: DataProto) -> dict:
        # Multi-sequence (multi-turn) outputs: score the last sequence, as verl's managers do.
        data_item = data[-1:][0]
        length = valid_response_length(data_item)
        valid_response_ids = data_item.batch["responses"][:length]

        non_tensor = data_item.non_tensor_batch
        order = (non_tensor.get("tool_extra_fields") or {}).get(OPTION_ORDER_FIELD)
        # A copy: the row's dict is shared with the rest of the batch and must not be mutated here.
        ground_truth, extra_info = as_seen(
            non_tensor["reward_model"]["ground_truth"], dict(non_tensor.get("extra_info") or {}), order
        )
        call_kwargs = {
            "data_source": non_tensor["data_source"],
            "ground_truth": ground_truth,
            "extra_info": extra_info,
            "response_length": length,
        }
        if self.reward_router_address is not None:
            call_kwargs["reward_router_address"] = self.reward_router_address
            call_kwargs["reward_model_tokenizer"] = self.reward_model_tokenizer

        solution_str = await self.loop.run_in_executor(
            None, lambda: self.tokenizer.decode(valid_response_ids, skip_special_tokens=True)
        )
        if self.is_async_reward_score:
            result = await self.compute_score(solution_str=solution_str, **call_kwargs)
        else:
            result = await self.loop.run_in_executor(
                None, lambda: self.compute_score(solution_str=solution_str, **call_kwargs)
            )
        if not isinstance(result, dict) or "score" not in result:
            raise TypeError(
                f"reward manager {REWARD_MANAGER_NAME!r} expects compute_score to return a dict with 'score' "
                f"(reward_score.compute_score does); got {type(result).__name__}: {result!r}"
            )
        # Every term of reward_score.RESULT_KEYS goes to reward_extra_info (verl's validation metrics skip
        # the strings "pred" and "rule" except for majority voting), plus the row's task, so that validation
        # dumps, which carry no data_source, still say which task each response belongs to.
        # "pred" is named in the row's own order, as verl's validation dumps name the ground truth (a dump's
        # prompt shows the order the sample saw, so its letters may differ from both; rollout dumps name the
        # ground truth in the order seen).
        info = {**result, "pred": row_letter(result["pred"], order)}
        info["task"] = task_of(non_tensor["data_source"], extra_info)
        return {"reward_score": float(result["score"]), "reward_extra_info": info}
