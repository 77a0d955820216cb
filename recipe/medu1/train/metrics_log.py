"""verl's file logger (``trainer.logger=[...,file]``) that keeps the history of a resumed run.

verl 0.9.1 opens its JSONL file with ``"wb"`` at every launch, so a relaunch that resumes from step N
truncates steps 1..N that the analysis tools and a user's plots read. Here a resumed launch keeps the
lines up to step N (the steps after N are trained again and logged again) and appends; a launch from
scratch starts an empty file, as verl does. The resumed launch logs step N once more (its validation
before training): readers merge lines of the same step (``recipe.medu1.analysis.summarize_run.read_steps``).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from omegaconf import DictConfig
from verl.utils import tracking


def metrics_log_path(project_name: str, experiment_name: str) -> Path:
    """Where verl's ``FileLogger`` writes: ``VERL_FILE_LOGGER_PATH``, or ``<root>/<project>/<exp>.jsonl``"""
    path = os.getenv("VERL_FILE_LOGGER_PATH")
    if path is None:
        root = os.path.expanduser(os.getenv("VERL_FILE_LOGGER_ROOT", "."))
        path = os.path.join(root, project_name, f"{experiment_name}.jsonl")
    return Path(path)


def line_step(line: bytes) -> int | None:
    """The step of one logged line; None for a torn line (a launch killed while writing)."""
    try:
        return int(json.loads(line)["step"])
    except (ValueError, KeyError, TypeError):
        return None


def keep_history(path: Path, resumed_step: int) -> int:
    """Rewrite ``path`` with its lines of steps up to ``resumed_step`` (none for a run from scratch).

    Atomic (a temporary file renamed over the log), so a crash here never loses the history. Returns
    the number of lines kept.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    kept: list[bytes] = []
    if resumed_step > 0 and path.is_file():
        for line in path.read_bytes().splitlines():
            step = line_step(line)
            if step is not None and step <= resumed_step:
                kept.append(line + b"\n")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(b"".join(kept))
    os.replace(tmp, path)
    return len(kept)


class AppendingFileLogger(tracking.FileLogger):
    """verl's ``FileLogger`` opening its file for appending; :func:`keep_history` trims it first."""

    def __init__(self, project_name: str, experiment_name: str):
        self.project_name = project_name
        self.experiment_name = experiment_name
        self.filepath = str(metrics_log_path(project_name, experiment_name))
        print(f"[medu1] file logger appends to {os.path.abspath(self.filepath)}")
        self.fp = open(self.filepath, "ab", buffering=0)  # noqa: SIM115 - closed by verl's finish()


@contextlib.contextmanager
def appending_file_logger(trainer_cfg: DictConfig, resumed_step: int) -> Iterator[None]:
    """Inside: verl's ``Tracking`` builds an :class:`AppendingFileLogger` on a log trimmed to the resume.

    Nothing changes when the file logger is not among ``trainer.logger``.
    """
    if "file" not in list(trainer_cfg.logger):
        yield
        return
    keep_history(metrics_log_path(trainer_cfg.project_name, trainer_cfg.experiment_name), resumed_step)
    original = tracking.FileLogger
    tracking.FileLogger = AppendingFileLogger
    try:
        yield
    finally:
        tracking.FileLogger = original
