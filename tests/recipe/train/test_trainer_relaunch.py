"""The medu1 trainer's relaunch hooks are wired into verl's own methods (verl's bodies replaced by stand-ins).

The behaviours are tested in ``test_checkpoints.py`` / ``test_metrics_log.py`` and on the real loop in
``tests/recipe/cpu``; here: that verl's ``_init_dataloader``, ``_save_checkpoint`` and ``fit`` reach them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omegaconf import OmegaConf
from verl.trainer.ppo.v1.trainer_base import PPOTrainer
from verl.utils import tracking

from recipe.medu1.train import trainer as medu1_trainer
from recipe.medu1.train.checkpoints import TRACKER


def make_trainer(root: Path, steps: int) -> medu1_trainer.MedU1Trainer:
    trainer = object.__new__(medu1_trainer.MedU1Trainer)
    trainer.config = OmegaConf.create(
        {
            "trainer": {
                "default_local_dir": str(root),
                "resume_mode": "auto",
                "total_epochs": 1,
                "max_actor_ckpt_to_keep": 1,
                "max_critic_ckpt_to_keep": 1,
                "logger": ["file"],
                "project_name": "medu1",
                "experiment_name": "exp",
            }
        }
    )
    trainer.global_steps = steps
    return trainer


def save(root: Path, step: int) -> None:
    (root / f"global_step_{step}" / "actor").mkdir(parents=True)
    (root / TRACKER).write_text(str(step))


def test_a_finished_run_is_refused_right_after_verls_dataloader_setup(monkeypatch, tmp_path: Path) -> None:
    def init_dataloader(self):  # verl's sets these two from the data
        self.steps_per_epoch, self.total_training_steps = 3, 3

    monkeypatch.setattr(PPOTrainer, "_init_dataloader", init_dataloader)
    save(tmp_path, 3)
    with pytest.raises(RuntimeError, match="nothing left to train"):
        make_trainer(tmp_path, 0)._init_dataloader()


def test_every_save_is_followed_by_the_rotation(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(PPOTrainer, "_save_checkpoint", lambda self: save(tmp_path, self.global_steps))
    save(tmp_path, 1)  # written by the launch before the resume
    make_trainer(tmp_path, 2)._save_checkpoint()
    assert sorted(p.name for p in tmp_path.glob("global_step_*")) == ["global_step_2"]


def test_fit_logs_through_the_appending_file_logger(monkeypatch, tmp_path: Path) -> None:
    log = tmp_path / "metrics.jsonl"
    log.write_text(json.dumps({"step": 1, "data": {"a": 1.0}}) + "\n")
    monkeypatch.setenv("VERL_FILE_LOGGER_PATH", str(log))

    def fit(self, agent_loop_manager):  # verl's fit builds its Tracking first
        tracker = tracking.Tracking(project_name="medu1", experiment_name="exp", default_backend=["file"])
        tracker.log(data={"a": 2.0}, step=2)
        tracker.logger["file"].finish()

    monkeypatch.setattr(PPOTrainer, "fit", fit)
    make_trainer(tmp_path, 1).fit(agent_loop_manager=None)
    assert [json.loads(line)["step"] for line in log.read_text().splitlines()] == [1, 2]
