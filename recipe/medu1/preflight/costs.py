"""Estimates of what the run costs beyond training itself: validation, checkpoints, memory, start-up.

Why: these do not fail a run, they waste it. Validating thousands of prompts x n at every test step
can cost as much generation as training; each 7B checkpoint with optimizer state and an HF copy is
~120 GB and verl keeps all of them by default; an entropy bonus without entropy checkpointing and an
over-large log-prob token budget hold activations and logits the GPU needs for something else.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from recipe.medu1.preflight.findings import Finding, fact, skipped, warning

if TYPE_CHECKING:
    from recipe.medu1.preflight.context import Preflight

#: verl's own GPU examples use 24576 tokens per GPU for the forward-only log-prob passes; each token
#: materialises a vocabulary-wide row of logits (and a temperature-scaled copy of it).
LOG_PROB_TOKENS = 24576
QWEN25_VOCAB = 152064  # assumed when no local config says otherwise
#: Warn when validation generates more than this share of what training generates.
VALIDATION_SHARE_WARNING = 0.2
#: Filtering more rows than this with one process delays the start by minutes.
FILTER_ROWS_PER_WORKER = 10_000
#: Bytes per parameter of each checkpoint part: FSDP model shards and the HF copy are written in the
#: FSDP parameter dtype (verl's default fp32), Adam keeps two fp32 moments; "extra" (rng, lr
#: scheduler, dataloader state) is negligible.
BYTES = {"fp32": 4, "float32": 4, "bf16": 2, "bfloat16": 2, "fp16": 2, "float16": 2}
MODEL_SIZE_IN_NAME = re.compile(r"(\d+(?:\.\d+)?)[bB](?![a-zA-Z])")
#: Parameters of the Qwen2.5 models the run scripts default to (their model cards), by the size in the
#: name; other names are taken at their nominal size.
QWEN25_PARAMETERS = {
    "0.5": 0.49e9,
    "1.5": 1.54e9,
    "3": 3.09e9,
    "7": 7.61e9,
    "14": 14.7e9,
    "32": 32.5e9,
    "72": 72.7e9,
}


def occurrences(total_steps: int, freq: int) -> int:
    """Steps at which verl validates or saves: every ``freq`` steps and always at the last step."""
    if freq <= 0 or total_steps <= 0:
        return 0
    return total_steps // freq + (1 if total_steps % freq else 0)


def check_validation_cost(ctx: Preflight) -> list[Finding]:
    """Validation prompts per source, x n, x validations over the run, against training's generations."""
    cfg, steps = ctx.cfg, ctx.total_steps
    if any(f.rows is None for f in ctx.val) or steps is None:
        return [skipped("validation cost (a train or val file was not read)")]
    sources = sum((f.sources for f in ctx.val), start=type(ctx.val[0].sources)()) if ctx.val else {}
    prompts = sum(sources.values())
    limit = int(cfg.data.get("val_max_samples", -1) or -1)
    prompts = min(prompts, limit) if limit > 0 else prompts
    n = int(cfg.actor_rollout_ref.rollout.val_kwargs.n)
    runs = int(bool(cfg.trainer.val_before_train)) + occurrences(steps, int(cfg.trainer.test_freq))
    per_run, training = (
        prompts * n,
        steps * int(cfg.data.train_batch_size) * int(cfg.actor_rollout_ref.rollout.n),
    )
    share = per_run * runs / training if training else 0.0
    by_source = ", ".join(f"{s} {c}" for s, c in sorted(sources.items()))
    line = (
        f"{prompts} prompts ({by_source}) x n={n} = {per_run} generations "
        f"of <= {cfg.data.max_response_length} "
        f"tokens per validation; {runs} validation(s) over {steps} steps (trainer.val_before_train="
        f"{cfg.trainer.val_before_train}, trainer.test_freq={cfg.trainer.test_freq}) = {per_run * runs} "
        f"generations, {share:.0%} of training's {training}"
    )
    findings = [fact("validation", line)]
    if share > VALIDATION_SHARE_WARNING:
        findings.append(
            warning(
                f"validation generates {share:.0%} of what training generates ({per_run} generations per "
                "validation): build a smaller val.parquet (data_preprocess/mix.py --val_per_source N, "
                "seeded) "
                "or raise trainer.test_freq"
            )
        )
    return findings


def parameter_count(ctx: Preflight) -> tuple[float, str] | None:
    """(parameters, how it was obtained): from a local config, else from a size in the model's name."""
    model = ctx.model
    if model is not None and not model.problem and hasattr(model.hf_config, "hidden_size"):
        return transformer_parameters(model.hf_config), "from the local config"
    name = str(ctx.cfg.actor_rollout_ref.model.path).rsplit("/", 1)[-1]
    match = MODEL_SIZE_IN_NAME.search(name)
    if match is None:
        return None
    if name.lower().startswith("qwen2.5-") and match.group(1) in QWEN25_PARAMETERS:
        return QWEN25_PARAMETERS[match.group(1)], "from the Qwen2.5 model card"
    return float(match.group(1)) * 1e9, "from the model name"


def transformer_parameters(c: Any) -> float:
    """Parameters of a decoder-only transformer (Llama/Qwen2 layout) from its HF config."""
    hidden, layers, vocab = c.hidden_size, c.num_hidden_layers, c.vocab_size
    heads = c.num_attention_heads
    head_dim = getattr(c, "head_dim", None) or hidden // heads
    kv_heads = getattr(c, "num_key_value_heads", None) or heads
    attention = 2 * hidden * heads * head_dim + 2 * hidden * kv_heads * head_dim
    mlp = 3 * hidden * getattr(c, "intermediate_size", 4 * hidden)
    embeddings = vocab * hidden * (1 if getattr(c, "tie_word_embeddings", False) else 2)
    return float(embeddings + layers * (attention + mlp + 2 * hidden))


def _checkpoint_bytes(params: float, contents: list[str], dtype: str) -> float:
    per_param = {"model": BYTES.get(dtype, 4), "optimizer": 8, "hf_model": BYTES.get(dtype, 4)}
    return params * sum(per_param.get(part, 0) for part in contents)


def check_checkpoint_size(ctx: Preflight) -> list[Finding]:
    """Checkpoint size x the number verl keeps (``trainer.max_actor_ckpt_to_keep``; null keeps all)."""
    cfg, counted, steps = ctx.cfg, parameter_count(ctx), ctx.total_steps
    if counted is None or steps is None:
        return [skipped("checkpoint size (no local model config and no size such as '7B' in the model name)")]
    params, how = counted
    actor = cfg.actor_rollout_ref.actor
    saves = occurrences(steps, int(cfg.trainer.save_freq))
    roles = [
        (
            "actor",
            list(actor.checkpoint.save_contents),
            str(actor.fsdp_config.model_dtype),
            "max_actor_ckpt_to_keep",
        )
    ]
    if ctx.uses_critic:
        critic = cfg.critic
        roles.append(
            (
                "critic",
                list(critic.checkpoint.save_contents),
                str(critic.fsdp.model_dtype),
                "max_critic_ckpt_to_keep",
            )
        )
    parts, findings, total = [], [], 0.0
    for role, contents, dtype, keep_key in roles:
        size, keep = _checkpoint_bytes(params, contents, dtype), cfg.trainer.get(keep_key)
        kept = saves if keep is None else min(saves, int(keep))
        total += size * kept
        parts.append(
            f"{role} ~{size / 1e9:.0f} GB ({'+'.join(contents)}, {dtype}) x {kept} kept of {saves} saved"
        )
        if keep is None and saves > 1:
            findings.append(
                warning(
                    f"trainer.{keep_key} is null: verl keeps all {saves} {role} checkpoints "
                    f"(~{size * saves / 1e9:.0f} GB); set it, e.g. 2"
                )
            )
    line = f"{'; '.join(parts)} = ~{total / 1e9:.0f} GB on disk ({params / 1e9:.2f}B parameters {how})"
    return [fact("checkpoints", line), *findings]


def check_memory_settings(ctx: Preflight) -> list[Finding]:
    """Entropy checkpointing with an entropy bonus (not on CPU, where the adapter computes the entropy at
    response positions only, so its kept activations are small and recomputing them only costs time);
    log-prob token budget against the logits it holds."""
    cfg, findings = ctx.cfg, []
    actor = cfg.actor_rollout_ref.actor
    if float(actor.entropy_coeff) and not actor.entropy_checkpointing and cfg.trainer.device != "cpu":
        findings.append(
            warning(
                f"actor_rollout_ref.actor.entropy_coeff={actor.entropy_coeff} without "
                "actor_rollout_ref.actor.entropy_checkpointing=True keeps the entropy's activations (one "
                "vocabulary-wide row per token) for the backward pass; set it to recompute them"
            )
        )
    model = ctx.model
    vocab = (
        getattr(model.hf_config, "vocab_size", QWEN25_VOCAB) if model and not model.problem else QWEN25_VOCAB
    )
    for key in ("rollout", "ref"):
        role = cfg.actor_rollout_ref[key]
        budget = int(role.log_prob_max_token_len_per_gpu)
        if role.log_prob_use_dynamic_bsz and budget > LOG_PROB_TOKENS:
            gigabytes = budget * vocab * 2 / 1e9  # bf16 logits
            findings.append(
                warning(
                    f"actor_rollout_ref.{key}.log_prob_max_token_len_per_gpu={budget} holds "
                    f"~{gigabytes:.0f} GB of bf16 logits per copy ({vocab} vocabulary), two copies with "
                    "temperature scaling; verl "
                    f"uses {LOG_PROB_TOKENS} unless measured safe"
                )
            )
    return findings


def check_filter_workers(ctx: Preflight) -> list[Finding]:
    """Overlong-prompt filtering of many rows with a single process."""
    data = ctx.cfg.data
    rows = sum(f.rows or 0 for f in ctx.train + ctx.val)
    workers = int(data.get("filter_overlong_prompts_workers", 1) or 1)
    if data.filter_overlong_prompts and rows > FILTER_ROWS_PER_WORKER * workers:
        return [
            warning(
                f"data.filter_overlong_prompts_workers={workers} templates and tokenizes {rows} prompts "
                "at start "
                f"with {workers} process(es); set it to about {-(-rows // FILTER_ROWS_PER_WORKER)} or more"
            )
        ]
    return []
