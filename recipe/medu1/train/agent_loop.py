"""verl plugin: the "medu1_option_orders" agent loop — the responses of a GRPO group see the MCQ options in
different orders, the right option at every letter equally often.

Why: GRPO compares the responses of one prompt with each other. When all of them see the options in one
order, a policy that answers one letter everywhere is right in a whole group or wrong in a whole group,
and a group of equal rewards carries no gradient: nothing pushes against the letter. On 2 CPU cores with a
135M model (``make demo``) that is what happened: the policy could not read the questions, and the letter
it favoured drifted with the order of the gold letters until it held 50-80 % of the held-out answers at lr
5e-6 (100 % at 2e-5). Here response ``k`` of a group finds the right option at movable position ``(base +
k) mod m`` (``base`` drawn once per group, ``m`` the movable options), the other options shuffled around
it: with 8 responses and 4 movable options every letter is right exactly twice per group, so a constant
letter earns in a quarter of the group and loses in the rest, while choosing the right text earns
everywhere. Responses whose right option sits at the same position share one whole order (the shuffle
is drawn from the group and that position): a group of 8 holds 4 distinct prompts, not 8, and the CPU
adapter computes each distinct prompt of a micro-batch once (a shuffle per response gave 7.35 distinct
prompts per group and made the demo's update 1.5x slower than one order per group, measured when the
adapter shared only whole prompts; it now also shares the stem before the options).

The rewritten prompt is what the policy sees, samples and is trained on (verl keeps each sample's own
prompt tokens), and the reward must grade against it: the option order travels in the sample's
``extra_fields`` (:mod:`recipe.medu1.train.seen_order`), which verl hands to the reward manager when the
reward is computed in the rollout (verl's V1 trainer, no colocated reward model: preflight refuses the
rest), and :mod:`recipe.medu1.train.reward_manager` grades with that order. Rows whose options must keep
their order ("Both A and B", "None of the above" before other options), whose answer is anchored, or whose
prompt does not hold the option lines exactly once keep the row's order (the field is then None).
Everything that is not MCQ runs verl's single-turn loop unchanged. Validation samples are reordered too
(verl's agent loop does not see which phase it serves): each pass draws new orders, so validation curves
carry that noise, and ``pred`` is reported in the row's own order.

Enable with ``actor_rollout_ref.rollout.agent.default_agent_loop=medu1_option_orders``; the
``verl.plugins`` entry point (:mod:`recipe.medu1.train.plugins`) registers it wherever verl imports its
agent loops.
"""

from __future__ import annotations

import json
import random
from typing import Any

from verl.experimental.agent_loop.agent_loop import AgentLoopOutput, register
from verl.experimental.agent_loop.single_turn_agent_loop import SingleTurnAgentLoop

from data_preprocess.core.choices import can_reorder, movable_positions, reorder_prompt
from data_preprocess.registry import task_of
from recipe.medu1.train.seen_order import OPTION_ORDER_FIELD
from reward_score import parse_options

AGENT_LOOP_NAME = "medu1_option_orders"


def option_order(row: dict[str, Any], uid: str, session_id: int) -> dict[str, Any] | None:
    """The prompt, options, answer and question for response ``session_id`` of group ``uid`` of ``row``
    (verl's per-sample fields: ``raw_prompt``, ``reward_model``, ``extra_info``), or None when the row
    keeps its order. Drawn from ``uid`` and the right option's position: verl gives every prompt a fresh
    uid per step, so the orders differ between steps and between reruns."""
    extra_info = row.get("extra_info") or {}
    if task_of(row.get("data_source"), extra_info) != "mcq":
        return None
    options = parse_options(extra_info.get("options"))
    answer = str(row["reward_model"]["ground_truth"])
    if not can_reorder(options, answer):
        return None
    movable = movable_positions(options)
    base = random.Random(uid).randrange(len(movable))
    answer_at = movable[(base + int(session_id)) % len(movable)]
    question = extra_info.get("question") or ""
    rng = random.Random(f"{uid}:{answer_at}")
    order = reorder_prompt(list(row["raw_prompt"]), options, answer, answer_at, rng, question)
    if order is None:
        return None
    return {
        "messages": order.messages,
        "options": json.dumps(order.options),
        "ground_truth": order.answer,
        # The question as this sample saw it (the robust preset discounts an answer's overlap with it).
        "question": order.question,
        "row_letter": {new: old for old, new in order.new_letter.items()},
    }


@register(AGENT_LOOP_NAME)
class OptionOrderAgentLoop(SingleTurnAgentLoop):
    """verl's single-turn loop on the sample's own option order (:func:`option_order`)."""

    async def run(self, sampling_params: dict[str, Any], **kwargs: Any) -> AgentLoopOutput:
        order = option_order(kwargs, str(kwargs["uid"]), int(kwargs["session_id"]))
        prompt = kwargs if order is None else {**kwargs, "raw_prompt": order["messages"]}
        output = await super().run(sampling_params, **prompt)
        seen = None if order is None else {key: value for key, value in order.items() if key != "messages"}
        output.extra_fields[OPTION_ORDER_FIELD] = seen
        return output
