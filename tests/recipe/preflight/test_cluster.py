"""Loggers and multi-node: absolute checkpoint dir, worker environment routes."""

from __future__ import annotations

from recipe.medu1.preflight.findings import ERROR, WARNING, of_level

TWO_NODES = "trainer.nnodes=2"


def test_unknown_logger_and_wandb_without_credentials(preflight, monkeypatch, tmp_path):
    assert any(
        "wandbb not supported by verl" in e
        for e in of_level(preflight("trainer.logger=[console,wandbb]"), ERROR)
    )
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    findings = preflight("trainer.logger=[console,wandb]")
    assert of_level(findings, ERROR) == [] and any("WANDB_API_KEY" in w for w in of_level(findings, WARNING))


def test_relative_checkpoint_dir_is_refused_on_several_nodes(preflight, tmp_path):
    (message,) = of_level(preflight(TWO_NODES, "trainer.default_local_dir=checkpoints/x"), ERROR)
    assert message.startswith("trainer.default_local_dir=checkpoints/x is relative with trainer.nnodes=2")
    assert of_level(preflight(TWO_NODES, f"trainer.default_local_dir={tmp_path}"), ERROR) == []
    # One node: the relative default is fine (one working directory).
    assert of_level(preflight("trainer.default_local_dir=checkpoints/x"), ERROR) == []


def test_worker_environment_routes(preflight, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.delenv("NCCL_SOCKET_IFNAME", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    findings = preflight(
        TWO_NODES,
        f"trainer.default_local_dir={tmp_path}",
        "+ray_kwargs.ray_init.runtime_env.env_vars.GLOO_SOCKET_IFNAME=eth0",
    )
    routes = {f.label: f.text for f in findings}["worker env"]
    assert "GLOO_SOCKET_IFNAME forwarded (ray_kwargs.ray_init.runtime_env.env_vars)" in routes
    assert "HF_HOME set here only: export it before `ray start` on every node" in routes
    assert "NCCL_SOCKET_IFNAME unset" in routes and "HF_TOKEN unset" in routes
    assert "worker env" not in {f.label for f in preflight()}
