"""verl plugin entry point: registers the ``medu1`` trainer and reward manager and the
``medu1_option_orders`` agent loop when verl imports their registries, in the processes that do, and
nowhere else.

Why: ``import verl`` imports every ``verl.plugins`` entry point in every process of a run (driver, task
runner, rollout server, agent loop, reward loop, load balancer, FSDP workers). Our trainer subclasses
verl's V1 trainer, whose package imports vLLM: as an entry point of its own it put 2,085 extra modules and
~196 MB (PSS) into each of those processes, most of which never build a trainer. Here each plugin module is
imported right after verl's registry module for it has executed (:mod:`recipe.medu1.after_import`): the
trainer with ``verl.trainer.ppo.v1`` (where verl looks up ``trainer.v1.trainer_mode``), the reward manager
with ``verl.experimental.reward_loop.reward_manager`` (where it looks up ``reward.reward_manager.name``),
the agent loop with ``verl.experimental.agent_loop`` (where it looks up the rollout's agent loop by name).
An import error in a plugin is raised there, inside the import of verl's module, so the run stops with it.
"""

from __future__ import annotations

import importlib

from recipe.medu1.after_import import when_imported

#: verl's registry module -> our plugin module that registers into it.
PLUGIN_MODULES = {
    "verl.trainer.ppo.v1": "recipe.medu1.train.trainer",
    "verl.experimental.reward_loop.reward_manager": "recipe.medu1.train.reward_manager",
    "verl.experimental.agent_loop": "recipe.medu1.train.agent_loop",
}

for _registry, _plugin in PLUGIN_MODULES.items():
    when_imported(_registry, lambda _module, plugin=_plugin: importlib.import_module(plugin))
