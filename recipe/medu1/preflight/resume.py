"""Which checkpoint a launch would continue, said before it starts.

Why: verl resumes silently (``trainer.resume_mode=auto``: any checkpoint of the same experiment is
continued, and its absence is logged at INFO as "Training from scratch"). A 20-step trial run saves at its
last step, so the real run launched next with the same experiment name would start at step 21; a
checkpoint directory relative to the launch directory is missed from any other directory (said in the
report); a finished
run launched again would train nothing. The lookup is the trainer's own
(``recipe.medu1.train.checkpoints``), so ``--check`` and the run agree.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from recipe.medu1.preflight.findings import Finding, error, fact, warning
from recipe.medu1.train.checkpoints import checkpoint_root, last_step, resume_point

if TYPE_CHECKING:
    from recipe.medu1.preflight.context import Preflight


def check_resume(ctx: Preflight) -> list[Finding]:
    """Report the resume point; refuse one with nothing left to train; warn about a trial's checkpoint."""
    trainer = ctx.cfg.trainer
    root = checkpoint_root(trainer)
    # verl resolves a relative directory (``~`` included) against the launch directory: said, since a
    # relaunch from elsewhere would start from scratch (the run scripts set an absolute one from CKPT_DIR).
    if not os.path.isabs(str(trainer.default_local_dir)):
        root_text = (
            f"{root} (trainer.default_local_dir={trainer.default_local_dir}, relative to this directory)"
        )
    else:
        root_text = str(root)
    if str(trainer.get("resume_mode", "auto")) == "disable":
        return [fact("resume", f"from scratch (trainer.resume_mode=disable), saving to {root_text}")]
    point = resume_point(trainer)
    if point is None:
        return [fact("resume", f"from scratch: no checkpoint of this experiment in {root_text}")]
    findings = [fact("resume", f"will resume from global_step_{point.step} of {point.folder.parent}")]
    rows = ctx.train_rows
    if rows is not None and ctx.total_steps is not None:
        steps_per_epoch = rows // int(ctx.cfg.data.train_batch_size)
        final = last_step(ctx.total_steps, steps_per_epoch, int(trainer.total_epochs))
        if point.step >= final:
            findings.append(
                error(
                    f"nothing left to train: global_step_{point.step} of {point.folder.parent} is at or past "
                    f"this run's last step {final}; raise trainer.total_training_steps / total_epochs, or "
                    "start over with another EXPERIMENT_NAME / CKPT_DIR or trainer.resume_mode=disable"
                )
            )
            return findings
    save_freq = int(trainer.save_freq)
    if save_freq > 0 and point.step % save_freq:
        findings.append(
            warning(
                f"global_step_{point.step} is not one of this run's saves (every {save_freq} steps): it is "
                f"the last step of a shorter run, such as a trial with trainer.total_training_steps="
                f"{point.step}, which this run would continue from step {point.step + 1}; to start over, "
                "use another EXPERIMENT_NAME / CKPT_DIR or trainer.resume_mode=disable"
            )
        )
    return findings


def check_step_cap(ctx: Preflight) -> list[Finding]:
    """Refuse a step cap the data cannot reach.

    verl 0.9.1 stops at the end of its last epoch even when ``trainer.total_training_steps`` is larger,
    and it saves at multiples of ``trainer.save_freq`` and at the cap: a run whose epochs end first exits
    0 without a checkpoint of its last step (seen in the CPU demo: 20 steps asked, 17 per epoch, no
    checkpoint at all with ``save_freq=20``).
    """
    trainer, rows = ctx.cfg.trainer, ctx.train_rows
    cap = trainer.get("total_training_steps")
    if cap is None or rows is None:
        return []
    steps_per_epoch = rows // int(ctx.cfg.data.train_batch_size)
    reachable = steps_per_epoch * int(trainer.total_epochs)
    if int(cap) <= reachable:
        return []
    epochs = -(-int(cap) // max(steps_per_epoch, 1))
    return [
        error(
            f"trainer.total_training_steps={cap} is more than the data hold: {rows} rows make "
            f"{steps_per_epoch} steps per epoch x trainer.total_epochs={trainer.total_epochs} = {reachable} "
            "(fewer if data.filter_overlong_prompts drops rows); verl ends there and saves its last step "
            f"only if it is a multiple of trainer.save_freq; set trainer.total_epochs={epochs} or lower "
            "trainer.total_training_steps"
        )
    ]
