"""Checkpoint rotation from the disk, the resume point, and the refusal of a resume with nothing to train."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from recipe.medu1.train.checkpoints import (
    TRACKER,
    keep_limit,
    last_step,
    prune_after_save,
    prune_checkpoints,
    refuse_finished_resume,
    resume_point,
)


def save(root: Path, step: int, roles: tuple[str, ...] = ("actor",)) -> Path:
    """What verl's ``_save_checkpoint`` leaves: role folders, ``data.pt``, the tracker file."""
    folder = root / f"global_step_{step}"
    for role in roles:
        (folder / role).mkdir(parents=True)
        (folder / role / "model.pt").write_bytes(b"weights")
    (folder / "data.pt").write_bytes(b"dataloader")
    (root / TRACKER).write_text(str(step))
    return folder


def trainer_cfg(root: Path, **extra) -> OmegaConf:
    return OmegaConf.create(
        {
            "default_local_dir": str(root),
            "resume_mode": "auto",
            "resume_from_path": None,
            "total_epochs": 1,
            "max_actor_ckpt_to_keep": 2,
            "max_critic_ckpt_to_keep": 2,
            **extra,
        }
    )


def step_folders(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob("global_step_*"))


def test_checkpoints_written_before_a_resume_are_rotated(tmp_path: Path) -> None:
    """verl's in-memory list forgets steps 1-2 after the relaunch; the disk does not."""
    for step in (1, 2, 3):
        save(tmp_path, step)
    deleted = prune_after_save(trainer_cfg(tmp_path), 3)
    assert step_folders(tmp_path) == ["global_step_2", "global_step_3"]
    assert deleted == [tmp_path / "global_step_1" / "actor", tmp_path / "global_step_1"]


def test_actor_and_critic_limits_apply_separately(tmp_path: Path) -> None:
    for step in (1, 2, 3, 4):
        save(tmp_path, step, roles=("actor", "critic"))
    prune_checkpoints(tmp_path, 4, {"actor": 1, "critic": 3})
    assert sorted(p.parent.name for p in tmp_path.glob("*/actor")) == ["global_step_4"]
    assert sorted(p.parent.name for p in tmp_path.glob("*/critic")) == [f"global_step_{s}" for s in (2, 3, 4)]
    assert step_folders(tmp_path) == [f"global_step_{s}" for s in (2, 3, 4)]


def test_unlimited_retention_deletes_nothing(tmp_path: Path) -> None:
    for step in (1, 2, 3):
        save(tmp_path, step)
    cfg = trainer_cfg(tmp_path, max_actor_ckpt_to_keep=None, max_critic_ckpt_to_keep=0)
    assert keep_limit(cfg, "actor") is None and keep_limit(cfg, "critic") is None
    assert prune_after_save(cfg, 3) == []
    assert len(step_folders(tmp_path)) == 3


def test_deprecated_remove_previous_keeps_one(tmp_path: Path) -> None:
    assert keep_limit(trainer_cfg(tmp_path, remove_previous_ckpt_in_save=True), "actor") == 1


def test_later_steps_of_another_timeline_are_left_alone(tmp_path: Path) -> None:
    """A run resumed from an older resume_from_path: the step just saved is kept, later folders untouched."""
    for step in (5, 6):
        save(tmp_path, step)
    for step in (2, 3, 4):
        save(tmp_path, step)
    prune_checkpoints(tmp_path, 4, {"actor": 2, "critic": 2})
    assert step_folders(tmp_path) == [f"global_step_{s}" for s in (3, 4, 5, 6)]


def test_resume_point_follows_the_tracker_not_the_newest_folder(tmp_path: Path) -> None:
    save(tmp_path, 1)
    save(tmp_path, 2)
    (tmp_path / "global_step_3" / "actor").mkdir(parents=True)  # a save cut short by a crash
    point = resume_point(trainer_cfg(tmp_path))
    assert point is not None and point.step == 2 and point.folder == tmp_path / "global_step_2"


def test_resume_point_none_from_scratch_or_disabled(tmp_path: Path) -> None:
    assert resume_point(trainer_cfg(tmp_path / "absent")) is None
    save(tmp_path, 2)
    assert resume_point(trainer_cfg(tmp_path, resume_mode="disable")) is None


def test_resume_path_names_the_step(tmp_path: Path) -> None:
    folder = save(tmp_path, 7)
    point = resume_point(trainer_cfg(tmp_path, resume_mode="resume_path", resume_from_path=str(folder)))
    assert point is not None and point.step == 7


def test_last_step_is_bounded_by_the_epochs() -> None:
    assert last_step(total_training_steps=20, steps_per_epoch=100, total_epochs=1) == 20
    assert last_step(total_training_steps=300, steps_per_epoch=100, total_epochs=2) == 200


def test_resuming_a_finished_run_is_refused(tmp_path: Path) -> None:
    save(tmp_path, 3)
    with pytest.raises(RuntimeError, match=r"nothing left to train.*global_step_3.*last step is 3"):
        refuse_finished_resume(trainer_cfg(tmp_path), steps_per_epoch=3, total_training_steps=3)


def test_resuming_at_the_end_of_the_only_epoch_is_refused(tmp_path: Path) -> None:
    """total_training_steps beyond one epoch with total_epochs=1: verl stops at the epoch's end."""
    save(tmp_path, 3)
    with pytest.raises(RuntimeError, match="nothing left to train"):
        refuse_finished_resume(trainer_cfg(tmp_path), steps_per_epoch=3, total_training_steps=6)


def test_resuming_with_steps_left_passes(tmp_path: Path) -> None:
    save(tmp_path, 3)
    refuse_finished_resume(trainer_cfg(tmp_path, total_epochs=2), steps_per_epoch=3, total_training_steps=6)
    refuse_finished_resume(trainer_cfg(tmp_path / "fresh"), steps_per_epoch=3, total_training_steps=3)
