"""Our verl plugins load with verl's registries, not with ``import verl``: every process of a run imports
verl, and only the task runner builds a trainer."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys

from recipe.medu1.train.plugins import PLUGIN_MODULES

# A fresh interpreter (this one may have imported anything): what `import verl` loads, then what verl's three
# registries hold once they are imported.
PROBE = """
import json, sys
import verl
light = {name: name in sys.modules for name in ("verl.trainer.ppo.v1", "recipe.medu1.train.trainer",
                                                "recipe.medu1.train.reward_manager",
                                                "recipe.medu1.train.agent_loop", "vllm")}
from verl.trainer.ppo.v1 import get_trainer_cls
from verl.experimental.reward_loop.reward_manager import get_reward_manager_cls
from verl.experimental.agent_loop.agent_loop import _agent_loop_registry
print(json.dumps({"after_import_verl": light, "trainer": get_trainer_cls("medu1").__module__,
                  "reward_manager": get_reward_manager_cls("medu1").__module__,
                  "agent_loop": _agent_loop_registry["medu1_option_orders"]["_target_"]}))
"""


def test_entry_points_name_the_light_plugin_module() -> None:
    installed = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="verl.plugins")}
    assert installed.get("medu1") == "recipe.medu1.train.plugins"
    assert "medu1_trainer" not in installed and "medu1_reward_manager" not in installed  # a stale install


def test_import_verl_loads_no_trainer_and_the_registries_get_ours() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    found = json.loads(out.strip().splitlines()[-1])
    assert not any(found["after_import_verl"].values()), found
    assert found["trainer"] == PLUGIN_MODULES["verl.trainer.ppo.v1"]
    assert found["reward_manager"] == PLUGIN_MODULES["verl.experimental.reward_loop.reward_manager"]
    module = PLUGIN_MODULES["verl.experimental.agent_loop"]
    assert found["agent_loop"] == f"{module}.OptionOrderAgentLoop"
