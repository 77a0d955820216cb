"""The one argument every pre-flight check takes: the composed config and what was read for it.

Why a context object: several checks need the same expensive facts (the composed config, the data
files, the local tokenizer). Each is computed once, on first use, and never produces findings itself;
the check that owns a concern turns it into findings. A check that needs ``cfg`` runs only after the
composition check passed (the command stops there otherwise).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from omegaconf import DictConfig

from recipe.medu1.preflight.composition import compose_config
from recipe.medu1.preflight.data import DataFile, data_paths, read_data_file
from recipe.medu1.preflight.model import LocalModel, load_local_model, model_location


@dataclass
class Preflight:
    """A config to check (``config_dir/config_name`` + Hydra overrides) and the facts read for it."""

    config_dir: Path
    config_name: str
    overrides: list[str] = field(default_factory=list)

    @cached_property
    def cfg(self) -> DictConfig:
        """Composed exactly as ``main_ppo --config-path=config_dir --config-name=config_name`` does."""
        return compose_config(self.config_dir, self.config_name, self.overrides)

    @cached_property
    def train(self) -> list[DataFile]:
        prompt_key = str(self.cfg.data.get("prompt_key", "prompt"))
        return [
            read_data_file("data.train_files", p, prompt_key) for p in data_paths(self.cfg.data.train_files)
        ]

    @cached_property
    def val(self) -> list[DataFile]:
        prompt_key = str(self.cfg.data.get("prompt_key", "prompt"))
        return [read_data_file("data.val_files", p, prompt_key) for p in data_paths(self.cfg.data.val_files)]

    @cached_property
    def model_location(self) -> str:
        """'local', 'hub' or 'missing' for ``actor_rollout_ref.model.path``."""
        return model_location(str(self.cfg.actor_rollout_ref.model.path))

    @cached_property
    def model(self) -> LocalModel | None:
        """The local model's config and tokenizer (never weights); None for a hub id or a missing path."""
        return load_local_model(self.cfg) if self.model_location == "local" else None

    @cached_property
    def uses_critic(self) -> bool:
        """verl's ``need_critic`` without its warning for critic-free estimators."""
        from verl.trainer.ppo.utils import need_critic

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return bool(need_critic(self.cfg))

    @property
    def n_gpus(self) -> int:
        return int(self.cfg.trainer.nnodes) * int(self.cfg.trainer.n_gpus_per_node)

    @property
    def train_rows(self) -> int | None:
        """Rows the trainer iterates over (``data.train_max_samples`` applied), None if a file is unread."""
        if any(f.rows is None for f in self.train):
            return None
        rows = sum(f.rows for f in self.train)
        limit = int(self.cfg.data.get("train_max_samples", -1) or -1)
        return min(rows, limit) if limit > 0 else rows

    @property
    def total_steps(self) -> int | None:
        """Training steps as verl counts them: full batches per epoch x epochs, or the explicit cap."""
        trainer = self.cfg.trainer
        if trainer.get("total_training_steps") is not None:
            return int(trainer.total_training_steps)
        rows = self.train_rows
        return (
            None if rows is None else rows // int(self.cfg.data.train_batch_size) * int(trainer.total_epochs)
        )
