"""The data order of a resumed run, through verl 0.9.1's own dataloader pieces, at every possible resume step.

Why: verl issue 7401 (a checkpoint saved at an epoch boundary restores an exhausted dataloader, and the
next epoch yields no batch) is real in verl's other trainers. The V1 trainer the recipe runs fetches
with ``PPOTrainer._fetch_one_gen_batch``, which starts a new pass when the restored one is exhausted;
this checks that a resume after any step - the epoch boundary included - continues the uninterrupted
order, with the sampler and dataloader verl builds (``create_rl_sampler``, ``StatefulDataLoader``,
``collate_fn``) and the recipe's shuffle settings. The real-loop resume is in ``tests/recipe/cpu``.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from omegaconf import OmegaConf
from torchdata.stateful_dataloader import StatefulDataLoader
from verl.trainer.ppo.utils import create_rl_sampler
from verl.trainer.ppo.v1.trainer_base import PPOTrainer
from verl.utils.dataset.rl_dataset import collate_fn

DATA_CFG = OmegaConf.load(
    Path(__file__).resolve().parents[3] / "recipe" / "medu1" / "config" / "medu1.yaml"
).data
ROWS = 12
BATCH = 4  # 3 steps per epoch
EPOCHS = 3


def fresh_trainer() -> SimpleNamespace:
    """The two attributes ``_fetch_one_gen_batch`` reads, built as verl's ``_init_dataloader`` builds them."""
    rows = [{"raw_prompt": f"q{i}", "index": torch.tensor(i)} for i in range(ROWS)]
    loader = StatefulDataLoader(
        dataset=rows,
        batch_size=BATCH,
        drop_last=True,
        collate_fn=collate_fn,
        sampler=create_rl_sampler(DATA_CFG, rows),
    )
    return SimpleNamespace(train_dataloader=loader, train_dataloader_it=None)


def fetch(trainer: SimpleNamespace, steps: int) -> list[list[int]]:
    return [PPOTrainer._fetch_one_gen_batch(trainer)["index"].tolist() for _ in range(steps)]


UNINTERRUPTED = fetch(fresh_trainer(), EPOCHS * ROWS // BATCH)


def test_epochs_are_reshuffled() -> None:
    per_epoch = ROWS // BATCH
    first, second = UNINTERRUPTED[:per_epoch], UNINTERRUPTED[per_epoch : 2 * per_epoch]
    assert sorted(sum(first, [])) == sorted(sum(second, [])) == list(range(ROWS))
    assert first != second


@pytest.mark.parametrize("saved_after", range(1, len(UNINTERRUPTED)))
def test_resume_after_any_step_continues_the_uninterrupted_order(saved_after: int) -> None:
    """``saved_after`` = 3 and 6 are epoch boundaries: the saved dataloader state is exhausted there."""
    killed = fresh_trainer()
    before = fetch(killed, saved_after)
    state = killed.train_dataloader.state_dict()  # what _save_checkpoint writes to data.pt
    resumed = fresh_trainer()
    resumed.train_dataloader.load_state_dict(state)  # what _load_checkpoint restores
    after = fetch(resumed, len(UNINTERRUPTED) - saved_after)
    assert before + after == UNINTERRUPTED
