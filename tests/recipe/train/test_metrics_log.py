"""The file logger of a resumed run keeps the earlier launch's steps; a run from scratch starts empty."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omegaconf import OmegaConf
from verl.utils import tracking

from recipe.medu1.analysis.summarize_run import read_steps
from recipe.medu1.train.metrics_log import appending_file_logger, keep_history, metrics_log_path


def write_log(path: Path, steps: list[int], torn: bool = False) -> None:
    lines = [json.dumps({"step": s, "data": {"actor/grad_norm": float(s)}}) for s in steps]
    path.write_text("\n".join(lines) + "\n" + ('{"step": 9, "da' if torn else ""))


def trainer_cfg(logger: list[str]) -> OmegaConf:
    return OmegaConf.create({"logger": logger, "project_name": "medu1", "experiment_name": "exp"})


@pytest.mark.parametrize("env_path", [True, False])
def test_path_is_the_one_verl_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env_path: bool) -> None:
    if env_path:
        monkeypatch.setenv("VERL_FILE_LOGGER_PATH", str(tmp_path / "m.jsonl"))
    else:
        monkeypatch.delenv("VERL_FILE_LOGGER_PATH", raising=False)
        monkeypatch.setenv("VERL_FILE_LOGGER_ROOT", str(tmp_path))
    verl_logger = tracking.FileLogger("medu1", "exp")
    verl_logger.finish()
    assert metrics_log_path("medu1", "exp") == Path(verl_logger.filepath)


def test_resume_keeps_steps_up_to_the_checkpoint(tmp_path: Path) -> None:
    """Steps after the checkpoint are trained again, so their old lines go; a torn last line too."""
    log = tmp_path / "m.jsonl"
    write_log(log, [0, 1, 2, 3, 4], torn=True)
    assert keep_history(log, resumed_step=2) == 3
    assert [s for s, _ in read_steps(log)] == [0, 1, 2]


def test_run_from_scratch_starts_an_empty_log(tmp_path: Path) -> None:
    log = tmp_path / "m.jsonl"
    write_log(log, [0, 1, 2])
    assert keep_history(log, resumed_step=0) == 0
    assert log.read_text() == ""


def test_tracking_appends_after_a_resume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through verl's own Tracking, as the trainer's fit builds it."""
    log = tmp_path / "m.jsonl"
    monkeypatch.setenv("VERL_FILE_LOGGER_PATH", str(log))
    write_log(log, [0, 1, 2, 3])
    with appending_file_logger(trainer_cfg(["file"]), resumed_step=2):
        tracker = tracking.Tracking(project_name="medu1", experiment_name="exp", default_backend=["file"])
        tracker.log(data={"val-core/medqa/acc/mean@1": 0.5}, step=2)
        tracker.log(data={"actor/grad_norm": 30.0}, step=3)
    tracker.logger["file"].finish()
    assert tracking.FileLogger is not type(tracker.logger["file"])  # verl's class is back
    steps = dict(read_steps(log))
    assert sorted(steps) == [0, 1, 2, 3]
    assert steps[2] == {"actor/grad_norm": 2.0, "val-core/medqa/acc/mean@1": 0.5}  # merged
    assert steps[3] == {"actor/grad_norm": 30.0}


def test_without_the_file_logger_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERL_FILE_LOGGER_PATH", str(tmp_path / "m.jsonl"))
    with appending_file_logger(trainer_cfg(["console"]), resumed_step=2):
        assert tracking.FileLogger.__module__ == "verl.utils.tracking"
    assert not (tmp_path / "m.jsonl").exists()
