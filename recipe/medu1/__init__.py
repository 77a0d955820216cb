"""Med-U1 glue for verl 0.9.1, one concern per sub-package.

``config/`` the Hydra recipe ``medu1.yaml`` (layered on verl's ``ppo_trainer``), run as ``medu1_grpo`` or
``medu1_ppo`` (only what PPO changes);
``train/`` the verl plugins (reward manager, trainer, per-task metrics) — the only code verl's workers import;
``preflight/`` the offline config checker behind ``--check``; ``eval/`` the evaluation harness;
``analysis/`` training curves and run summaries; ``fixtures/`` offline models and data for tests and the demo;
``cpu/`` the adapter that lets verl's real trainer run on a CPU.
"""
