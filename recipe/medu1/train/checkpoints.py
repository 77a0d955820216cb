"""Checkpoints across relaunches: where a run resumes, what it has left to train, which ones to delete.

verl 0.9.1 gets two things wrong once a run is relaunched, which the "medu1" trainer corrects here:

- Rotation: each worker remembers the checkpoints *it* saved, in memory only, and loading a checkpoint
  never adds it to that list. After a resume, ``max_actor_ckpt_to_keep`` / ``max_critic_ckpt_to_keep``
  no longer cover the checkpoints written before the crash, and they stay on disk for good (a 7B actor
  checkpoint with its optimizer state is ~120 GB). :func:`prune_checkpoints` enforces both limits from
  what is on disk, after every save.
- Nothing left to train: a run resumed from its last step (a finished run launched again, or a
  ``total_epochs`` reached before ``total_training_steps``) enters no training step and exits 0, which a
  scheduler reads as success. :func:`refuse_nothing_to_train` raises instead, before any worker starts.

The same lookup (:func:`resume_point`) tells ``--check`` which checkpoint a launch would continue.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import NamedTuple

from omegaconf import DictConfig

# verl's names: the step folders, the tracker file of the latest complete save, the role sub-folders.
STEP_DIR = re.compile(r"^global_step_(\d+)$")
TRACKER = "latest_checkpointed_iteration.txt"
ROLES = ("actor", "critic")


class ResumePoint(NamedTuple):
    """The checkpoint a launch continues: its folder and step."""

    folder: Path
    step: int


def checkpoint_root(trainer_cfg: DictConfig) -> Path:
    """``trainer.default_local_dir`` as verl resolves it: relative to the launch directory."""
    return Path(os.path.abspath(str(trainer_cfg.default_local_dir)))


def saved_steps(root: Path) -> dict[int, Path]:
    """Step -> ``global_step_<step>`` folder, for every such folder under ``root``."""
    if not root.is_dir():
        return {}
    steps = {}
    for entry in root.iterdir():
        match = STEP_DIR.match(entry.name)
        if match and entry.is_dir():
            steps[int(match.group(1))] = entry
    return steps


def resume_point(trainer_cfg: DictConfig) -> ResumePoint | None:
    """What verl's ``_load_checkpoint`` would load, None for a run from scratch.

    ``resume_mode=auto`` reads the tracker file under ``default_local_dir`` (written after every complete
    save, so a save cut short by a crash is never picked); ``resume_path`` names the folder itself.
    """
    mode = str(trainer_cfg.get("resume_mode", "auto"))
    if mode == "disable":
        return None
    if mode == "resume_path":
        folder = Path(os.path.abspath(str(trainer_cfg.resume_from_path)))
        match = STEP_DIR.match(folder.name)
        return ResumePoint(folder, int(match.group(1))) if match else None
    root = checkpoint_root(trainer_cfg)
    tracker = root / TRACKER
    if not tracker.is_file():
        return None
    step = int(tracker.read_text().strip())
    folder = root / f"global_step_{step}"
    return ResumePoint(folder, step) if folder.is_dir() else None


def last_step(total_training_steps: int, steps_per_epoch: int, total_epochs: int) -> int:
    """The last step verl's loop enters: it stops at ``total_training_steps`` or when the epochs run out."""
    return min(total_training_steps, steps_per_epoch * total_epochs)


def refuse_nothing_to_train(resumed_step: int, final_step: int, folder: Path | str) -> None:
    """Raise when a launch resumed at ``resumed_step`` would train no step (verl would exit 0)."""
    if resumed_step >= final_step:
        raise RuntimeError(
            f"[medu1] nothing left to train: the run resumes from {folder} (step {resumed_step}) and its "
            f"last step is {final_step} (min of trainer.total_training_steps and steps per epoch x "
            "trainer.total_epochs). To train further, raise trainer.total_training_steps or "
            "trainer.total_epochs; to start over, use another trainer.experiment_name / CKPT_DIR or "
            "trainer.resume_mode=disable."
        )


def keep_limit(trainer_cfg: DictConfig, role: str) -> int | None:
    """verl's retention for ``role``: None or a non-positive value keeps every checkpoint."""
    if trainer_cfg.get("remove_previous_ckpt_in_save", False):
        return 1
    limit = trainer_cfg.get(f"max_{role}_ckpt_to_keep", None)
    return int(limit) if limit is not None and int(limit) > 0 else None


def prune_checkpoints(root: Path, current_step: int, limits: dict[str, int | None]) -> list[Path]:
    """Delete role folders beyond the newest ``limits[role]`` steps, then step folders left without any.

    Only steps up to ``current_step`` count: a folder of a later step was written by another timeline of
    this experiment (a run resumed from an older ``resume_from_path``) and is left alone, so the
    checkpoint just saved is always among the kept ones. Returns the deleted folders.
    """
    steps = sorted((s, p) for s, p in saved_steps(root).items() if s <= current_step)
    deleted = []
    for role, limit in limits.items():
        if limit is None:
            continue
        with_role = [p / role for _, p in steps if (p / role).is_dir()]
        for folder in with_role[: max(len(with_role) - limit, 0)]:
            shutil.rmtree(folder, ignore_errors=True)
            deleted.append(folder)
    for step, folder in steps:
        if step != current_step and not any((folder / role).is_dir() for role in ROLES):
            shutil.rmtree(folder, ignore_errors=True)
            deleted.append(folder)
    return deleted


def refuse_finished_resume(trainer_cfg: DictConfig, steps_per_epoch: int, total_training_steps: int) -> None:
    """:func:`refuse_nothing_to_train` for the checkpoint this launch would load, if any."""
    point = resume_point(trainer_cfg)
    if point is not None:
        final = last_step(total_training_steps, steps_per_epoch, int(trainer_cfg.total_epochs))
        refuse_nothing_to_train(point.step, final, point.folder)


def prune_after_save(trainer_cfg: DictConfig, step: int) -> list[Path]:
    """:func:`prune_checkpoints` with the run's retention limits, after the save of ``step``."""
    limits = {role: keep_limit(trainer_cfg, role) for role in ROLES}
    return prune_checkpoints(checkpoint_root(trainer_cfg), step, limits)
