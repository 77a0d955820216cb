"""`--check` names the checkpoint a launch continues, refuses one with nothing left, warns about a trial's."""

from __future__ import annotations

from pathlib import Path

from recipe.medu1.preflight.findings import ERROR, FACT, WARNING, of_level


def saved(root: Path, step: int) -> Path:
    """A checkpoint as verl leaves it: the step folder and the tracker naming it."""
    (root / f"global_step_{step}" / "actor").mkdir(parents=True)
    (root / "latest_checkpointed_iteration.txt").write_text(str(step))
    return root


def resume_fact(findings) -> str:
    (text,) = [f.text for f in findings if f.level == FACT and f.label == "resume"]
    return text


def test_without_a_checkpoint_the_run_starts_from_scratch(preflight, tmp_path: Path):
    findings = preflight(f"trainer.default_local_dir={tmp_path}")
    assert resume_fact(findings) == f"from scratch: no checkpoint of this experiment in {tmp_path}"
    assert of_level(findings, WARNING) == []


def test_an_existing_checkpoint_is_named_with_its_directory(preflight, tmp_path: Path):
    findings = preflight(f"trainer.default_local_dir={saved(tmp_path, 10)}", "trainer.save_freq=10")
    assert resume_fact(findings) == f"will resume from global_step_10 of {tmp_path}"
    assert of_level(findings, ERROR) == [] and of_level(findings, WARNING) == []


def test_a_trial_runs_checkpoint_is_warned_about(preflight, tmp_path: Path):
    """The README's 20-step trial saved at its last step; the real run (saves every 50) would continue it."""
    (message,) = of_level(preflight(f"trainer.default_local_dir={saved(tmp_path, 20)}"), WARNING)
    assert message.startswith("global_step_20 is not one of this run's saves (every 50 steps)")
    assert "trainer.total_training_steps=20" in message and "from step 21" in message


def test_a_finished_run_is_refused(preflight, tmp_path: Path):
    directory = saved(tmp_path, 20)
    findings = preflight(f"trainer.default_local_dir={directory}", "trainer.total_training_steps=20")
    (message,) = of_level(findings, ERROR)
    assert message.startswith(f"nothing left to train: global_step_20 of {tmp_path} is at or past")


def test_resume_disabled_ignores_the_checkpoint(preflight, tmp_path: Path):
    findings = preflight(f"trainer.default_local_dir={saved(tmp_path, 20)}", "trainer.resume_mode=disable")
    assert resume_fact(findings).startswith("from scratch (trainer.resume_mode=disable)")
    assert of_level(findings, WARNING) == []


def test_a_relative_checkpoint_directory_is_said_to_follow_the_launch_directory(preflight):
    text = resume_fact(preflight("trainer.default_local_dir=checkpoints/x"))
    assert text.endswith(
        f"{Path.cwd() / 'checkpoints' / 'x'} (trainer.default_local_dir=checkpoints/x, "
        "relative to this directory)"
    )


def test_a_step_cap_beyond_the_epochs_is_refused(preflight, tmp_path: Path):
    """verl would end at the last epoch's end, before the cap, without saving that step."""
    findings = preflight(f"trainer.default_local_dir={tmp_path}", "trainer.total_training_steps=100000")
    (message,) = of_level(findings, ERROR)
    assert message.startswith("trainer.total_training_steps=100000 is more than the data hold: ")
    epochs = int(message.rsplit("set trainer.total_epochs=", 1)[1].split()[0])
    findings = preflight(
        f"trainer.default_local_dir={tmp_path}",
        "trainer.total_training_steps=100000",
        f"trainer.total_epochs={epochs}",
    )
    assert of_level(findings, ERROR) == []
