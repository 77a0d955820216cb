"""The individual checks behind ``python -m recipe.medu1.preflight``.

Why: a GPU run that dies at step 0 on a misspelled key, or that silently trains with verl's built-in
reward because a legacy key was ignored, wastes a day. Each function here checks one concern of a
composed config on CPU, offline, and returns messages that name the offending key, value or file.
``check_config`` runs them in order and prints the summary. Nothing here downloads or loads model
weights: a local model directory is read for its config and tokenizer only.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from omegaconf import DictConfig, ListConfig, OmegaConf

from reward_score.tasks import TASK_BY_SOURCE

# Legacy top-level keys that verl 0.9.1 composes but never reads (its main_ppo dropped
# migrate_legacy_reward_impl), mapped to the reward.* key that replaces them. Longest prefix wins.
LEGACY_REPLACEMENTS = {
    "custom_reward_function": "reward.custom_reward_function",
    "reward_model": "reward.reward_model",
    "reward_model.num_workers": "reward.num_workers",
    "reward_model.reward_manager": "reward.reward_manager.name",
    "reward_model.reward_kwargs": "reward.reward_kwargs",
    "reward_model.reward_loop_source": "reward.reward_manager.source",
    "reward_model.reward_loop_module_path": "reward.reward_manager.module.path",
    "reward_model.reward_loop_class_name": "reward.reward_manager.name",
    "reward_model.model.path": "reward.reward_model.model_path",
    "sandbox_fusion": "reward.sandbox_fusion",
}
LEGACY_TOP_LEVEL_KEYS = ("custom_reward_function", "reward_model", "sandbox_fusion")
# Names that exist only in verl's legacy reward-manager registry (verl/workers/reward_manager/).
LEGACY_ONLY_REWARD_MANAGERS = ("batch", "prime")
# Advantage estimators that normalise within a group of responses to one prompt: need rollout.n >= 2.
GROUP_ESTIMATORS = ("grpo", "grpo_vectorized", "grpo_passk", "gdpo", "rloo", "rloo_vectorized", "opo")
# What reward_score.compute_score reads besides data_source and the ground truth (the row contract).
REWARD_EXTRA_INFO_KEYS = ("task", "options", "lower_limit", "upper_limit", "length_budget")
# The dict compute_score returns on every call (shared contract).
REWARD_RESULT_KEYS = ("score", "acc", "format", "answer", "length", "parsed", "pred")
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
PROMPT_SAMPLE_ROWS = 128


@dataclass
class Report:
    """What the checks found: refusals, warnings, checks skipped (and why), summary lines."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    summary: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DataFile:
    """One data file as the checks saw it (``rows`` None when it could not be read)."""

    key: str
    path: str
    rows: int | None = None
    sources: Counter = field(default_factory=Counter)
    budgeted_rows: int = 0
    first_row_per_task: dict[str, dict] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# Config composition and legacy keys
# --------------------------------------------------------------------------------------------------


def compose_config(config_dir: Path, config_name: str, overrides: list[str]) -> DictConfig:
    """Compose exactly what ``main_ppo --config-path=config_dir --config-name=config_name`` composes."""
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(Path(config_dir).resolve()), version_base=None):
        return compose(config_name=config_name, overrides=list(overrides))


def plain(node: Any) -> dict:
    """A config mapping (possibly empty, possibly None) as a plain resolved dict."""
    return OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig) else dict(node or {})


def _leaves(node: Any, prefix: str):
    """(dotted key, value) for every non-dict leaf under ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{prefix}.{key}")
    else:
        yield prefix, node


def legacy_replacement(key: str) -> str:
    """The reward.* key that replaces legacy ``key`` (longest matching prefix, remainder kept)."""
    prefix = max((p for p in LEGACY_REPLACEMENTS if key == p or key.startswith(p + ".")), key=len)
    return LEGACY_REPLACEMENTS[prefix] + key[len(prefix) :]


def check_legacy_keys(cfg: DictConfig) -> list[str]:
    """Refuse every legacy top-level reward setting: verl 0.9.1 composes it and then ignores it."""
    errors = []
    for top in LEGACY_TOP_LEVEL_KEYS:
        node = OmegaConf.to_container(cfg[top], resolve=False) if top in cfg else None
        for key, value in _leaves(node or {}, top):
            if value is not None:
                errors.append(
                    f"{key}={value!r} is a legacy top-level key that verl 0.9.1 silently ignores "
                    f"(the run would use the default reward); use {legacy_replacement(key)}={value} instead"
                )
    return errors


# --------------------------------------------------------------------------------------------------
# verl's own validation, and the checks it lacks
# --------------------------------------------------------------------------------------------------


def run_verl_validate_config(cfg: DictConfig, use_critic: bool, report: Report) -> list[str]:
    """verl's ``validate_config`` (``main_ppo`` runs it before ``ray.init``); its notices become warnings."""
    from verl.trainer.ppo.utils import need_reference_policy
    from verl.utils.config import validate_config

    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            validate_config(
                config=cfg, use_reference_policy=need_reference_policy(cfg), use_critic=use_critic
            )
        report.warnings += verl_notices(printed.getvalue())
    except Exception as exc:  # verl raises AssertionError, ValueError and friends
        return [f"verl validate_config: {type(exc).__name__}: {exc}"]
    return []


def verl_notices(printed: str) -> list[str]:
    """The WARNING/NOTICE lines verl's validate_config prints (e.g. deprecated keys)."""
    return [line.strip() for line in printed.splitlines() if line.startswith(("WARNING", "NOTICE"))]


def needs_critic(cfg: DictConfig) -> bool:
    """verl's ``need_critic`` without its warning for critic-free estimators."""
    from verl.trainer.ppo.utils import need_critic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return need_critic(cfg)


def n_gpus(cfg: DictConfig) -> int:
    return int(cfg.trainer.nnodes) * int(cfg.trainer.n_gpus_per_node)


def check_batch_sizes(cfg: DictConfig) -> list[str]:
    """Batch-size rules verl skips with dynamic batch size or asserts only at step 0.

    verl 0.9.1 skips ``train_batch_size >= ppo_mini_batch_size`` when ``use_dynamic_bsz`` is on, and
    asserts ``(mini-batch x n) % data-parallel size == 0`` only inside the first update.
    """
    errors = []
    gpus = n_gpus(cfg)
    batch = int(cfg.data.train_batch_size)
    rollout_n = int(cfg.actor_rollout_ref.rollout.n)
    sequence_len = int(cfg.data.max_prompt_length) + int(cfg.data.max_response_length)
    actor = cfg.actor_rollout_ref.actor
    roles = [("actor_rollout_ref.actor", actor, int(actor.get("ulysses_sequence_parallel_size", 1) or 1))]
    if needs_critic(cfg):
        roles.append(("critic", cfg.critic, int(cfg.critic.get("ulysses_sequence_parallel_size", 1) or 1)))
    for name, role, sp in roles:
        mini = int(role.ppo_mini_batch_size)
        if batch < mini:
            errors.append(
                f"data.train_batch_size={batch} is smaller than {name}.ppo_mini_batch_size={mini} "
                "(both count prompts); make the mini-batch <= the batch"
            )
        if gpus % sp:
            errors.append(f"{name}.ulysses_sequence_parallel_size={sp} does not divide the {gpus} GPUs")
        elif (mini * rollout_n) % (gpus // sp):
            errors.append(
                f"{name}.ppo_mini_batch_size={mini} x actor_rollout_ref.rollout.n={rollout_n} = "
                f"{mini * rollout_n} responses is not divisible by the data-parallel size {gpus // sp} "
                f"({gpus} GPUs / sequence parallel {sp}); verl asserts this at the first update"
            )
    budgets = []
    if actor.use_dynamic_bsz:
        budgets.append(("actor_rollout_ref.actor.ppo_max_token_len_per_gpu", actor.ppo_max_token_len_per_gpu))
    rollout, ref = cfg.actor_rollout_ref.rollout, cfg.actor_rollout_ref.ref
    if rollout.log_prob_use_dynamic_bsz:
        budgets.append(
            (
                "actor_rollout_ref.rollout.log_prob_max_token_len_per_gpu",
                rollout.log_prob_max_token_len_per_gpu,
            )
        )
    if ref.log_prob_use_dynamic_bsz:
        budgets.append(
            ("actor_rollout_ref.ref.log_prob_max_token_len_per_gpu", ref.log_prob_max_token_len_per_gpu)
        )
    if needs_critic(cfg) and cfg.critic.use_dynamic_bsz:
        budgets.append(("critic.ppo_max_token_len_per_gpu", cfg.critic.ppo_max_token_len_per_gpu))
        budgets.append(("critic.forward_max_token_len_per_gpu", cfg.critic.forward_max_token_len_per_gpu))
    for key, budget in budgets:
        if int(budget) < sequence_len:
            errors.append(
                f"{key}={budget} cannot hold one full sequence (data.max_prompt_length + "
                f"data.max_response_length = {sequence_len} tokens); verl asserts budget >= sequence length"
            )
    replica = (
        int(rollout.tensor_model_parallel_size)
        * int(rollout.get("data_parallel_size", 1))
        * int(rollout.get("pipeline_model_parallel_size", 1))
    )
    if gpus % replica:
        errors.append(
            f"actor_rollout_ref.rollout.tensor_model_parallel_size={rollout.tensor_model_parallel_size} "
            f"(x data/pipeline parallel = {replica} GPUs per vLLM replica) does not divide the {gpus} GPUs"
        )
    return errors


def check_algorithm(cfg: DictConfig) -> list[str]:
    """Advantage estimator, rollout engine, group size, clip ratios and trainer mode."""
    from verl.trainer.ppo.core_algos import ADV_ESTIMATOR_REGISTRY
    from verl.trainer.ppo.v1 import get_trainer_cls
    from verl.workers.rollout.replica import RolloutReplicaRegistry

    errors = []
    estimator = str(cfg.algorithm.adv_estimator)
    if estimator not in ADV_ESTIMATOR_REGISTRY:
        errors.append(
            f"algorithm.adv_estimator={estimator!r} is not a registered advantage estimator "
            f"(available: {', '.join(sorted(ADV_ESTIMATOR_REGISTRY))})"
        )
    rollout = cfg.actor_rollout_ref.rollout
    # The registry's loaders import the engine lazily, so listing its names needs no vLLM install.
    engines = sorted(RolloutReplicaRegistry._registry)
    if rollout.name not in engines:
        errors.append(
            f"actor_rollout_ref.rollout.name={rollout.name!r} is not a rollout engine ({', '.join(engines)})"
        )
    if estimator in GROUP_ESTIMATORS:
        if int(rollout.n) < 2:
            errors.append(
                f"actor_rollout_ref.rollout.n={rollout.n} with algorithm.adv_estimator={estimator}: a group "
                "needs >= 2 responses per prompt (with one, every advantage is 0)"
            )
        if rollout.do_sample and float(rollout.temperature) <= 0:
            errors.append(
                f"actor_rollout_ref.rollout.temperature={rollout.temperature}: greedy sampling makes the "
                f"{estimator} group identical, so every advantage is 0"
            )
    actor = cfg.actor_rollout_ref.actor
    ratios = {
        f"actor_rollout_ref.actor.{k}": actor.get(k)
        for k in ("clip_ratio", "clip_ratio_low", "clip_ratio_high")
    }
    if needs_critic(cfg):
        ratios["critic.cliprange_value"] = cfg.critic.get("cliprange_value")
    for key, value in ratios.items():
        if value is not None and float(value) <= 0:
            errors.append(f"{key}={value} must be > 0 (it is a PPO clip range)")
    try:
        get_trainer_cls(str(cfg.trainer.v1.trainer_mode))
    except ValueError as exc:
        errors.append(f"trainer.v1.trainer_mode={cfg.trainer.v1.trainer_mode!r}: {exc}")
    return errors


def check_loggers(cfg: DictConfig, report: Report) -> None:
    """Logger names verl accepts (it asserts only once training starts); wandb needs credentials."""
    from verl.utils.tracking import Tracking

    loggers = data_paths(cfg.trainer.logger)
    unknown = [name for name in loggers if name not in Tracking.supported_backend]
    if unknown:
        report.errors.append(
            f"trainer.logger={loggers}: {', '.join(unknown)} not supported by verl "
            f"({', '.join(Tracking.supported_backend)})"
        )
    netrc = Path(os.path.expanduser("~/.netrc"))
    logged_in = netrc.is_file() and "api.wandb.ai" in netrc.read_text(errors="ignore")
    if "wandb" in loggers and not os.environ.get("WANDB_API_KEY") and not logged_in:
        report.warnings.append(
            "trainer.logger includes wandb but neither WANDB_API_KEY nor `wandb login` credentials exist "
            "(set WANDB_MODE=offline to log locally)"
        )


# --------------------------------------------------------------------------------------------------
# Data files
# --------------------------------------------------------------------------------------------------


def data_paths(value: Any) -> list[str]:
    """``data.train_files`` / ``data.val_files`` (a string or a list) as a list of strings."""
    if isinstance(value, ListConfig | list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _missing_columns(schema: pa.Schema, prompt_key: str) -> list[str]:
    missing = [
        name for name in ("data_source", prompt_key, "reward_model", "extra_info") if name not in schema.names
    ]
    if "reward_model" in schema.names:
        reward_model = schema.field("reward_model").type
        if not pa.types.is_struct(reward_model) or reward_model.get_field_index("ground_truth") < 0:
            missing.append("reward_model.ground_truth")
    if "extra_info" in schema.names:
        extra = schema.field("extra_info").type
        names = [extra.field(i).name for i in range(extra.num_fields)] if pa.types.is_struct(extra) else []
        missing += [f"extra_info.{k}" for k in REWARD_EXTRA_INFO_KEYS if k not in names]
    return missing


def inspect_data_file(key: str, raw_path: str, prompt_key: str, report: Report) -> DataFile:
    """Existence, reward columns, row counts per source, length budgets and one row per task."""
    path = os.path.expanduser(raw_path)
    found = DataFile(key=key, path=raw_path)
    if "://" in path:
        report.skipped.append(f"{key}: {raw_path} is remote; existence and columns not checked")
        return found
    if not os.path.isfile(path):
        report.errors.append(f"{key}: data file {raw_path} does not exist")
        return found
    if not os.path.isabs(path):
        report.warnings.append(
            f"{key}: {raw_path} is relative; Ray actors may resolve it elsewhere, use an absolute path"
        )
    if not path.endswith(".parquet"):
        report.skipped.append(f"{key}: {raw_path} is not parquet; its columns were not checked")
        return found
    try:
        schema = pq.read_schema(path)
    except Exception as exc:
        report.errors.append(f"{key}: {raw_path} is not a readable parquet file ({exc})")
        return found
    missing = _missing_columns(schema, prompt_key)
    if missing:
        report.errors.append(
            f"{key}: {raw_path} lacks the column(s) the reward needs: {', '.join(missing)} "
            "(write it with the data_preprocess converters)"
        )
        return found
    table = pq.read_table(path)
    found.rows = table.num_rows
    sources = table.column("data_source").to_pylist()
    infos = table.column("extra_info").to_pylist()
    found.sources = Counter(sources)
    found.budgeted_rows = sum(1 for info in infos if (info or {}).get("length_budget"))
    unknown = sorted(
        {s for s, info in zip(sources, infos, strict=True) if not (info or {}).get("task")}
        - set(TASK_BY_SOURCE)
    )
    if unknown:
        report.errors.append(
            f"{key}: {raw_path} has rows without extra_info.task whose data_source is unknown to "
            f"reward_score.tasks.TASK_BY_SOURCE: {', '.join(map(str, unknown))}"
        )
    wanted: dict[str, int] = {}
    for i, (source, info) in enumerate(zip(sources, infos, strict=True)):
        wanted.setdefault((info or {}).get("task") or TASK_BY_SOURCE.get(source, "unknown"), i)
    found.first_row_per_task = {task: table.slice(i, 1).to_pylist()[0] for task, i in wanted.items()}
    return found


def check_data(cfg: DictConfig, report: Report) -> tuple[list[DataFile], list[DataFile]]:
    """Inspect every train and val file; refuse a train set smaller than one batch."""
    prompt_key = str(cfg.data.get("prompt_key", "prompt"))
    train = [
        inspect_data_file("data.train_files", p, prompt_key, report) for p in data_paths(cfg.data.train_files)
    ]
    val = [inspect_data_file("data.val_files", p, prompt_key, report) for p in data_paths(cfg.data.val_files)]
    rows = train_rows(cfg, train)
    if rows is not None and rows < int(cfg.data.train_batch_size):
        report.errors.append(
            f"data.train_files hold {rows} usable rows, fewer than "
            f"data.train_batch_size={cfg.data.train_batch_size}: an epoch would have 0 steps "
            "(the dataloader drops the last partial batch)"
        )
    return train, val


def train_rows(cfg: DictConfig, train: list[DataFile]) -> int | None:
    """Rows the trainer will iterate over (``data.train_max_samples`` applied), None if unknown."""
    if any(f.rows is None for f in train):
        return None
    rows = sum(f.rows for f in train)
    limit = int(cfg.data.get("train_max_samples", -1) or -1)
    return min(rows, limit) if limit > 0 else rows


# --------------------------------------------------------------------------------------------------
# Reward manager and reward function
# --------------------------------------------------------------------------------------------------


def check_reward_manager(cfg: DictConfig, budgeted_rows: int) -> tuple[type | None, list[str]]:
    """Resolve the manager in verl's reward-loop registry; budgeted data requires the medu1 manager."""
    from verl.experimental.reward_loop.reward_manager.registry import REWARD_MANAGER
    from verl.trainer.ppo.reward import resolve_reward_manager_cls

    from recipe.medu1.train.reward_manager import REWARD_MANAGER_NAME, MedU1RewardManager

    manager_cfg = cfg.reward.reward_manager
    try:
        manager_cls = resolve_reward_manager_cls(cfg)
    except Exception as exc:
        if manager_cfg.source != "register":
            return None, [
                f"reward.reward_manager.name={manager_cfg.name!r} could not be loaded from "
                f"reward.reward_manager.module.path={manager_cfg.module.path!r}: {exc}"
            ]
        hint = (
            f" {manager_cfg.name!r} exists only in verl's legacy registry, which no 0.9.1 trainer path uses."
            if manager_cfg.name in LEGACY_ONLY_REWARD_MANAGERS
            else ""
        )
        return None, [
            f"reward.reward_manager.name={manager_cfg.name!r} is not in verl 0.9.1's reward-loop registry "
            f"(available: {', '.join(sorted(REWARD_MANAGER))}).{hint} Med-U1 uses {REWARD_MANAGER_NAME!r}."
        ]
    if budgeted_rows and not issubclass(manager_cls, MedU1RewardManager):
        return manager_cls, [
            f"reward.reward_manager.name={manager_cfg.name!r}: {budgeted_rows} train/val rows carry a length "
            f"budget, and only the {REWARD_MANAGER_NAME!r} manager passes the response length the length "
            f"term needs; set reward.reward_manager.name={REWARD_MANAGER_NAME}"
        ]
    return manager_cls, []


def plausible_response(ground_truth: str) -> str:
    """A well-formed Med-U1 response that answers with the ground truth."""
    return f"<think>\nChecking the configuration before training.\n</think>\n<answer>{ground_truth}</answer>"


def check_reward_function(cfg: DictConfig, rows: dict[str, tuple[str, dict]]) -> tuple[dict, list[str]]:
    """Load the custom reward function and call it once per task on a real training row.

    The call goes through verl's own wrapper (``get_custom_reward_fn``), so the configured
    ``reward_kwargs`` are merged exactly as in training and an unknown kwarg fails now.
    ``rows`` maps task -> (file, row). Returns the results per task and the errors.
    """
    from verl.trainer.ppo.reward import get_custom_reward_fn

    fn_cfg = cfg.reward.get("custom_reward_function") or {}
    path, name = fn_cfg.get("path"), fn_cfg.get("name")
    kwargs = plain(fn_cfg.get("reward_kwargs"))
    if not path:
        return {}, [
            "reward.custom_reward_function.path is not set: verl would use its built-in scorer, which "
            "raises NotImplementedError for medical data sources; set it to pkg://reward_score"
        ]
    try:
        compute_score = get_custom_reward_fn(cfg)
    except Exception as exc:
        return {}, [
            f"reward.custom_reward_function.path={path!r} / name={name!r} could not be loaded: "
            f"{type(exc).__name__}: {exc}"
        ]
    results, errors = {}, []
    for task, (file, row) in rows.items():
        ground_truth = str(row["reward_model"]["ground_truth"])
        solution = plausible_response(ground_truth)
        try:
            result = compute_score(
                data_source=row["data_source"],
                solution_str=solution,
                ground_truth=ground_truth,
                extra_info=dict(row.get("extra_info") or {}),
                response_length=len(solution.split()) + 1,
            )
        except Exception as exc:
            errors.append(
                f"reward.custom_reward_function {path}:{name} with "
                f"reward.custom_reward_function.reward_kwargs={kwargs} failed on the first {task} row "
                f"of {file}: {type(exc).__name__}: {exc}"
            )
            continue
        absent = [k for k in REWARD_RESULT_KEYS if not isinstance(result, dict) or k not in result]
        if absent:
            errors.append(
                f"reward.custom_reward_function {path}:{name} returned {result!r} on the first {task} row of "
                f"{file}; the medu1 manager and metrics need a dict with {', '.join(absent)}"
            )
            continue
        results[task] = result
    return results, errors


# --------------------------------------------------------------------------------------------------
# Model (config and tokenizer only, never weights, never a download)
# --------------------------------------------------------------------------------------------------


def model_location(path: str) -> str:
    """'local' (an existing directory), 'hub' (looks like org/name) or 'missing'."""
    if os.path.isdir(os.path.expanduser(path)):
        return "local"
    if HUB_ID.match(path):
        return "hub"
    return "missing"


def check_local_model(cfg: DictConfig, train: list[DataFile], report: Report) -> None:
    """Tokenizer, chat template, context length and prompt lengths of a local model directory."""
    from transformers import AutoConfig, AutoTokenizer

    model_cfg = cfg.actor_rollout_ref.model
    path = os.path.expanduser(str(model_cfg.path))
    if not os.path.isabs(path):
        report.warnings.append(
            f"actor_rollout_ref.model.path={model_cfg.path} is relative; Ray actors may resolve it elsewhere"
        )
    tokenizer_path = os.path.expanduser(str(model_cfg.get("tokenizer_path") or path))
    try:
        hf_config = AutoConfig.from_pretrained(path, local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(tokenizer_path, local_files_only=True)
    except Exception as exc:
        report.errors.append(
            f"actor_rollout_ref.model.path={model_cfg.path}: cannot read config/tokenizer ({exc})"
        )
        return
    if not tokenizer.chat_template and not model_cfg.get("custom_chat_template"):
        report.errors.append(
            f"actor_rollout_ref.model.path={model_cfg.path}: the tokenizer has no chat template; "
            "verl applies it to every prompt (and filter_overlong_prompts would drop every row)"
        )
        return
    prompt_len, response_len = int(cfg.data.max_prompt_length), int(cfg.data.max_response_length)
    context = getattr(hf_config, "max_position_embeddings", None)
    max_model_len = cfg.actor_rollout_ref.rollout.get("max_model_len")
    if context and not max_model_len and prompt_len + response_len > context:
        report.errors.append(
            f"data.max_prompt_length + data.max_response_length = {prompt_len + response_len} exceeds the "
            f"model's max_position_embeddings={context} ({model_cfg.path}); vLLM refuses to start"
        )
    _check_prompt_lengths(cfg, tokenizer, train, report)


def _check_prompt_lengths(cfg: DictConfig, tokenizer: Any, train: list[DataFile], report: Report) -> None:
    """Template the first training prompts and count those over ``data.max_prompt_length``."""
    from verl.utils.tokenizer import normalize_token_ids

    files = [f for f in train if f.rows]
    if not files:
        return
    prompt_key = str(cfg.data.get("prompt_key", "prompt"))
    prompts = pq.read_table(os.path.expanduser(files[0].path), columns=[prompt_key]).column(0)
    prompts = prompts.slice(0, PROMPT_SAMPLE_ROWS).to_pylist()
    chat_kwargs = plain(cfg.data.get("apply_chat_template_kwargs"))
    # Counted exactly as verl's filter_overlong_prompts counts (RLHFDataset.doc2len).
    lengths = [
        len(
            normalize_token_ids(
                tokenizer.apply_chat_template(p, add_generation_prompt=True, tokenize=True, **chat_kwargs)
            )
        )
        for p in prompts
    ]
    limit = int(cfg.data.max_prompt_length)
    over = sum(length > limit for length in lengths)
    report.summary.append(
        ("prompt tokens", f"max {max(lengths)}, {over}/{len(lengths)} sampled over {limit}")
    )
    action = (
        "dropped (filter_overlong_prompts)"
        if cfg.data.filter_overlong_prompts
        else "left-truncated at rollout"
    )
    if over == len(lengths):
        report.errors.append(
            f"every sampled prompt of {files[0].path} is longer than data.max_prompt_length={limit} "
            f"(shortest {min(lengths)} tokens): all would be {action}"
        )
    elif over:
        report.warnings.append(
            f"{over}/{len(lengths)} sampled prompts of {files[0].path} exceed data.max_prompt_length={limit} "
            f"and will be {action}"
        )
