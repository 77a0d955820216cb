"""The training and validation files: existence, the columns the reward reads, rows per source and task.

Why: a missing file or a parquet without ``extra_info`` fails only after Ray, the model and vLLM have
started; a train set smaller than one batch gives an epoch of zero steps without an error.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
from omegaconf import ListConfig

from data_preprocess.registry import task_of
from recipe.medu1.preflight.findings import Finding, error, skipped, warning

if TYPE_CHECKING:
    from recipe.medu1.preflight.context import Preflight

#: What ``reward_score.compute_score`` reads from ``extra_info`` besides the ground truth (the task, the
#: MCQ options, the calc limits, the length budget).
REWARD_EXTRA_INFO_KEYS = ("task", "options", "lower_limit", "upper_limit", "length_budget")


@dataclass
class DataFile:
    """One data file as read for the checks; ``problem`` (a refusal) or ``note`` (not checked) explain
    why ``rows`` is None."""

    key: str
    path: str
    rows: int | None = None
    table: pa.Table | None = None
    sources: Counter = field(default_factory=Counter)
    budgeted_rows: int = 0
    untasked: Counter = field(default_factory=Counter)  # rows without extra_info.task, per data_source
    first_row_per_task: dict[str, dict] = field(default_factory=dict)
    problem: str | None = None
    note: str | None = None


def data_paths(value: Any) -> list[str]:
    """``data.train_files`` / ``data.val_files`` (a string or a list) as a list of strings."""
    if isinstance(value, ListConfig | list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _missing_columns(schema: pa.Schema, prompt_key: str) -> list[str]:
    missing = [n for n in ("data_source", prompt_key, "reward_model", "extra_info") if n not in schema.names]
    if "reward_model" in schema.names:
        reward_model = schema.field("reward_model").type
        if not pa.types.is_struct(reward_model) or reward_model.get_field_index("ground_truth") < 0:
            missing.append("reward_model.ground_truth")
    if "extra_info" in schema.names:
        extra = schema.field("extra_info").type
        names = [extra.field(i).name for i in range(extra.num_fields)] if pa.types.is_struct(extra) else []
        missing += [f"extra_info.{k}" for k in REWARD_EXTRA_INFO_KEYS if k not in names]
    return missing


def read_data_file(key: str, raw_path: str, prompt_key: str) -> DataFile:
    """Read one file for the checks (never raises: a failure becomes ``problem`` or ``note``)."""
    path = os.path.expanduser(raw_path)
    found = DataFile(key=key, path=raw_path)
    if "://" in path:
        found.note = f"{key}: {raw_path} is remote; existence and columns not checked"
    elif not os.path.isfile(path):
        found.problem = f"{key}: data file {raw_path} does not exist"
    elif not path.endswith(".parquet"):
        found.note = f"{key}: {raw_path} is not parquet; its columns were not checked"
    if found.problem or found.note:
        return found
    try:
        schema = pq.read_schema(path)
    except Exception as exc:
        found.problem = f"{key}: {raw_path} is not a readable parquet file ({exc})"
        return found
    missing = _missing_columns(schema, prompt_key)
    if missing:
        found.problem = (
            f"{key}: {raw_path} lacks the column(s) the reward needs: {', '.join(missing)} "
            "(write it with the data_preprocess converters)"
        )
        return found
    table = pq.read_table(path, columns=["data_source", prompt_key, "reward_model", "extra_info"])
    sources = table.column("data_source").to_pylist()
    infos = [info or {} for info in table.column("extra_info").to_pylist()]
    found.rows, found.table, found.sources = table.num_rows, table, Counter(sources)
    found.budgeted_rows = sum(1 for info in infos if info.get("length_budget"))
    found.untasked = Counter(s for s, info in zip(sources, infos, strict=True) if not info.get("task"))
    first: dict[str, int] = {}
    for i, (source, info) in enumerate(zip(sources, infos, strict=True)):
        first.setdefault(task_of(source, info), i)
    found.first_row_per_task = {task: table.slice(i, 1).to_pylist()[0] for task, i in first.items()}
    return found


def _untasked_message(data_file: DataFile) -> str:
    counts = ", ".join(
        f"{source} {n} (registry task: {task_of(source, None)})"
        for source, n in sorted(data_file.untasked.items())
    )
    return (
        f"{data_file.key}: {data_file.path} has rows without extra_info.task, which compute_score requires "
        f"(it reads the task from nowhere else): {counts}; "
        "regenerate them with the data_preprocess converters"
    )


def check_data_files(ctx: Preflight) -> list[Finding]:
    """Every train and val file exists, is a parquet with the reward's columns, and every row has a task."""
    findings = []
    for data_file in ctx.train + ctx.val:
        if data_file.problem:
            findings.append(error(data_file.problem))
        if data_file.note:
            findings.append(skipped(data_file.note))
        if data_file.untasked:
            findings.append(error(_untasked_message(data_file)))
        if data_file.rows is not None and not os.path.isabs(os.path.expanduser(data_file.path)):
            findings.append(
                warning(
                    f"{data_file.key}: {data_file.path} is relative; Ray actors may resolve it elsewhere, "
                    "use an absolute path"
                )
            )
    rows = ctx.train_rows
    if rows is not None and rows < int(ctx.cfg.data.train_batch_size):
        findings.append(
            error(
                f"data.train_files hold {rows} usable rows, fewer than "
                f"data.train_batch_size={ctx.cfg.data.train_batch_size}: an epoch would have 0 steps "
                "(the dataloader drops the last partial batch)"
            )
        )
    return findings
