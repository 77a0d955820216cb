"""Prompt encoding and the two generation backends of the evaluation harness (vLLM offline, HF).

Why both: vLLM is what the paper (and any GPU user) evaluates with; Hugging Face ``generate`` runs
everywhere, including the CPU tests on the tiny model. Both take the same token-id prompts and return
token ids, so prompt handling, truncation, EOS counting and decoding live here once, and the response
length the reward sees is counted exactly as verl counts it (generated tokens up to and including EOS).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from data_preprocess.common import length_instruction

BACKENDS = ("vllm", "hf")


@dataclass(frozen=True)
class Sampling:
    """The sampling settings shared by both backends (temperature 0 means greedy)."""

    temperature: float
    top_p: float
    max_new_tokens: int


@dataclass(frozen=True)
class Request:
    """One prompt to sample ``n`` responses for, with its own seed (stable across resumes)."""

    prompt_ids: list[int]
    n: int
    seed: int


class Backend(Protocol):
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


def request_seed(seed: int, key: tuple[Any, ...]) -> int:
    """A per-request seed derived from the run seed and the sample key, so resumed runs draw the same
    stream for the same sample whatever else is in the batch."""
    return zlib.crc32(repr((seed, *key)).encode()) & 0x7FFFFFFF


def parse_length_budget(text: str | None) -> int | None:
    """``N`` or ``exact:N`` -> N; ``max:N`` -> -N (the signed budget of the data contract); None -> None."""
    if text is None:
        return None
    mode, _, number = text.rpartition(":")
    if mode not in ("", "exact", "max") or not number.isdigit() or int(number) <= 0:
        raise ValueError(f"--length_budget must be N, exact:N or max:N with N > 0, got {text!r}")
    return -int(number) if mode == "max" else int(number)


def with_length_budget(messages: list[dict[str, str]], old_budget: int, budget: int) -> list[dict[str, str]]:
    """The messages with the last user turn ending in the training data's length instruction for
    ``budget`` (replacing the row's own instruction for ``old_budget`` if it has one)."""
    messages = [dict(m) for m in messages]
    user = max(i for i, m in enumerate(messages) if m["role"] == "user")
    content = messages[user]["content"]
    old = f" {length_instruction(old_budget)}" if old_budget else ""
    if old and content.endswith(old):
        content = content[: -len(old)]
    messages[user]["content"] = f"{content} {length_instruction(budget)}"
    return messages


def encode_prompt(
    tokenizer: Any, messages: list[dict[str, str]], max_prompt_tokens: int
) -> tuple[list[int], int]:
    """Token ids of the chat-templated prompt, left-truncated to ``max_prompt_tokens`` like verl's
    ``truncation='left'``; returns (ids, original length) so the caller can count truncations."""
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    ids = list(tokenizer(text, add_special_tokens=False)["input_ids"])
    return ids[-max_prompt_tokens:], len(ids)


def eos_ids(tokenizer: Any, generation_config: Any = None) -> set[int]:
    """Every token id that ends a response (tokenizer EOS plus the generation config's list)."""
    ids = {tokenizer.eos_token_id} if tokenizer.eos_token_id is not None else set()
    extra = getattr(generation_config, "eos_token_id", None)
    if extra is not None:
        ids.update(extra if isinstance(extra, list) else [extra])
    return ids


def until_eos(token_ids: Sequence[int], stop: set[int]) -> list[int]:
    """The generated ids up to and including the first EOS (what verl's response mask covers)."""
    out: list[int] = []
    for token in token_ids:
        out.append(int(token))
        if token in stop:
            break
    return out


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


class HFBackend:
    """Batched ``transformers`` generation with left padding (works on CPU for small models)."""

    def __init__(self, model: str, tokenizer: Any, sampling: Sampling):
        import torch
        from transformers import AutoModelForCausalLM

        self.torch = torch
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.model = AutoModelForCausalLM.from_pretrained(model, dtype="auto").to(self.device).eval()
        self.sampling = sampling
        self.stop = eos_ids(tokenizer, self.model.generation_config)
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
    """vLLM's offline engine: ``LLM(...)`` + ``LLM.generate`` on token-id prompts, one
    ``SamplingParams(n, seed, ...)`` per prompt. Code-reviewed against vLLM's offline API; not run here
    (no GPU)."""

    def __init__(
        self,
        model: str,
        tokenizer: Any,
        sampling: Sampling,
        tensor_parallel_size: int,
        max_model_len: int | None,
    ):
        from vllm import LLM, SamplingParams

        self.sampling_params = SamplingParams
        self.sampling = sampling
        kwargs = {"max_model_len": max_model_len} if max_model_len else {}
        self.llm = LLM(model=model, tensor_parallel_size=tensor_parallel_size, **kwargs)
        self.stop = eos_ids(tokenizer)

    def generate(self, requests: Sequence[Request]) -> list[list[list[int]]]:
        params = [
            self.sampling_params(
                n=r.n,
                temperature=self.sampling.temperature,
                top_p=self.sampling.top_p,
                max_tokens=self.sampling.max_new_tokens,
                seed=r.seed,
            )
            for r in requests
        ]
        prompts = [{"prompt_token_ids": r.prompt_ids} for r in requests]
        outputs = self.llm.generate(prompts, params, use_tqdm=False)
        return [[until_eos(c.token_ids, self.stop) for c in out.outputs] for out in outputs]


def make_backend(
    name: str,
    model: str,
    tokenizer: Any,
    sampling: Sampling,
    tensor_parallel_size: int,
    max_model_len: int | None,
) -> Backend:
    """The chosen backend, with its heavy imports done only now."""
    if name == "vllm":
        return VLLMBackend(model, tokenizer, sampling, tensor_parallel_size, max_model_len)
    if name == "hf":
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        return HFBackend(model, tokenizer, sampling)
    raise ValueError(f"unknown backend {name!r}; choose one of {BACKENDS}")
