"""verl's FSDP engine on the shared-prefix layout, with the LM head only at response positions.

Why: see :mod:`recipe.medu1.cpu.shared_prompts`. This module plugs that layout into verl 0.9.1's
``FSDPEngineWithLMHead`` (``verl/workers/engine/fsdp/transformer_impl.py``) without editing it:

* ``prepare_model_inputs``: after verl has packed the micro-batch, the row is replaced by the shared
  layout, the model is asked for logits at ``keep`` only (transformers' ``logits_to_keep`` with a tensor of
  positions), and the labels and temperatures verl computes log-probs with are those of the same
  positions of verl's own row.
* ``_gather_and_unpad_packed``: verl calls it on every per-position output (log-probs, entropy) before
  splitting the row into sequences; here it writes the kept values back to their places in verl's row,
  zeros elsewhere (positions whose next token is a prompt token, which verl's loss never reads).

verl's own code computes everything in between (temperature, entropy, log-probs). Only the path this
adapter runs is changed: remove-padding with the packed-sequence attention, no sequence parallelism, no
static padding, no fused kernels, no distillation and no sum of squared probabilities; anything else
(and the critic's value head) goes through verl untouched. The positions of response tokens are taken
from verl's own ``no_padding_2_padding``, the function its loss reads the log-probs with.

``MEDU1_CPU_SHARED_PROMPTS=0`` turns it off (every copy of a prompt and every position computed, as verl
does), ``=prompts`` shares whole prompts only (no common stems): for side-by-side measurements
(``bench_step``'s ``every_position`` and ``whole_prompts`` variants) and as an escape hatch.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

import torch

from recipe.medu1.cpu.packed_attention import ATTENTION_NAME
from recipe.medu1.cpu.shared_prompts import PackedSequence, has_plain_positions, shared_layout

LAYOUT_KEY = "medu1_shared_layout"
"""Key of ``output_args`` (verl passes that dict from inputs to outputs) holding (source, total tokens)."""
SCATTER_ATTR = "_medu1_scatter"
"""Engine attribute set while verl's output code runs on a shared-layout micro-batch: (source, total)."""
PATCHED_MARK = "_medu1_shared_layout_patch"
SWITCH = "MEDU1_CPU_SHARED_PROMPTS"
UNSUPPORTED_FLAGS = ("use_fused_kernels", "distillation_use_topk", "calculate_sum_pi_squared")
_LOGGED = False


def packed_sequences(micro_batch: Any, total: int) -> list[PackedSequence]:
    """Start, prompt length and response length of each sequence, as verl's loss slices them."""
    from verl.workers.utils.padding import no_padding_2_padding

    # verl's slicer applied to 1..total: each row holds the (1-based) positions the loss reads, 0 on padding.
    marks = no_padding_2_padding(torch.arange(1, total + 1), micro_batch)
    offsets = micro_batch["input_ids"].offsets().tolist()
    out = []
    for row, (start, end) in enumerate(zip(offsets[:-1], offsets[1:], strict=True)):
        response_len = int((marks[row] > 0).sum())
        out.append(PackedSequence(start, end - start - response_len, response_len))
    return out


def _log_layout(sequences: int, before: int, after: int, kept: int) -> None:
    """One line per process, so a run's log shows what the shared layout saved (tests read it)."""
    global _LOGGED
    _LOGGED = True
    print(
        f"[medu1-cpu] shared prompts: {sequences} sequences, {after} of {before} tokens computed, "
        f"LM head on {kept}",
        file=sys.stderr,
    )


def eligible(
    engine: Any, micro_batch: Any, model_inputs: dict[str, Any], output_args: dict[str, Any]
) -> bool:
    """True on the path this adapter runs (see the module docstring); verl's own path otherwise."""
    from verl.utils import tensordict_utils as tu

    if os.environ.get(SWITCH, "1") == "0":
        return False
    config = getattr(getattr(engine, "module", None), "config", None)
    if getattr(config, "_attn_implementation", None) != ATTENTION_NAME:
        return False
    if not tu.get_non_tensor_data(data=micro_batch, key="use_remove_padding", default=True):
        return False
    if any(tu.get_non_tensor_data(data=micro_batch, key=flag, default=False) for flag in UNSUPPORTED_FLAGS):
        return False
    if getattr(engine, "use_ulysses_sp", False) or output_args.get("pad_size", 0):
        return False
    expected = {"input_ids", "attention_mask", "position_ids"}
    return set(model_inputs) == expected and model_inputs["position_ids"].dim() == 2


def use_shared_layout(micro_batch: Any, model_inputs: dict[str, Any], output_args: dict[str, Any]) -> None:
    """Rewrite verl's packed inputs in place into the shared layout (see the module docstring)."""
    ids = model_inputs["input_ids"][0]
    positions = model_inputs["position_ids"][0]
    sequences = packed_sequences(micro_batch, ids.numel())
    if not all(s.prompt_len > 0 and s.response_len > 0 for s in sequences):
        return
    if not has_plain_positions(positions, sequences):
        return
    layout = shared_layout(ids, sequences, stems=os.environ.get(SWITCH) != "prompts")
    model_inputs.update(
        input_ids=layout.input_ids, position_ids=layout.position_ids, logits_to_keep=layout.keep
    )
    output_args["input_ids_rmpad_rolled"] = output_args["input_ids_rmpad_rolled"][layout.source]
    output_args["temperature_rmpad"] = output_args["temperature_rmpad"][layout.source]
    output_args[LAYOUT_KEY] = (layout.source, ids.numel())
    if not _LOGGED:
        _log_layout(len(sequences), ids.numel(), layout.input_ids.shape[1], layout.keep.numel())


def scatter_back(values: torch.Tensor, source: torch.Tensor, total: int) -> torch.Tensor:
    """A (total, ...) tensor with ``values`` at ``source`` and zeros elsewhere (differentiable)."""
    full = values.new_zeros((total, *values.shape[1:]))
    return full.index_put((source,), values)


def patch_engine_class(engine_cls: type) -> None:
    """Wrap the three engine methods named in the module docstring (idempotent)."""
    prepare_inputs = engine_cls.prepare_model_inputs
    prepare_outputs = engine_cls.prepare_model_outputs
    gather = engine_cls._gather_and_unpad_packed
    if getattr(prepare_inputs, PATCHED_MARK, False):
        return

    @functools.wraps(prepare_inputs)
    def prepare_model_inputs(self: Any, micro_batch: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        model_inputs, output_args = prepare_inputs(self, micro_batch)
        # The critic's engine inherits this method but has its own outputs: only the LM head class is changed.
        if type(self).prepare_model_outputs is prepare_model_outputs and eligible(
            self, micro_batch, model_inputs, output_args
        ):
            use_shared_layout(micro_batch, model_inputs, output_args)
        return model_inputs, output_args

    @functools.wraps(prepare_outputs)
    def prepare_model_outputs(
        self: Any, output: Any, output_args: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        layout = output_args.pop(LAYOUT_KEY, None)
        if layout is None:
            return prepare_outputs(self, output, output_args, *args, **kwargs)
        setattr(self, SCATTER_ATTR, layout)
        try:
            return prepare_outputs(self, output, output_args, *args, **kwargs)
        finally:
            delattr(self, SCATTER_ATTR)

    @functools.wraps(gather)
    def _gather_and_unpad_packed(self: Any, tensor: torch.Tensor, pad_size: int) -> torch.Tensor:
        layout = getattr(self, SCATTER_ATTR, None)
        if layout is None:
            return gather(self, tensor, pad_size)
        return scatter_back(tensor, *layout)

    for wrapper in (prepare_model_inputs, prepare_model_outputs, _gather_and_unpad_packed):
        setattr(wrapper, PATCHED_MARK, True)
    engine_cls.prepare_model_inputs = prepare_model_inputs
    engine_cls.prepare_model_outputs = prepare_model_outputs
    engine_cls._gather_and_unpad_packed = _gather_and_unpad_packed
