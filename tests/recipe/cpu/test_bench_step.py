"""The GRPO step benchmark's table: verl's timing breakdown per variant and the ratio to the demo's step."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from recipe.medu1.cpu import bench_step, bench_variants, resources


def test_table_prints_the_breakdown_cores_and_ratios_to_the_demo() -> None:
    results = {
        "demo": {"gen": 5.0, "old_log_prob": 0.0, "ref": 0.0, "update_actor": 8.0, "step": 15.0}
        | {"resp_mean": 26.9, "resp_max": 59.0}
        | {
            "cores/gen": 1.6,
            "cores/update_actor": 1.95,
            "cores/step": 1.8,
            "logprob_corr": 0.99,
            "peak_gb": 9.5,
        },
        "previous_demo": {"gen": 6.0, "old_log_prob": 0.0, "ref": 0.0, "update_actor": 27.4, "step": 33.9}
        | {"cores/gen": 1.6, "cores/update_actor": 1.0, "cores/step": 1.1, "peak_gb": 17.7},  # no corr: "-"
        "lora_r16": {},
    }
    lines = bench_step.table(results).splitlines()
    header = "variant | resp_mean | resp_max | gen | old_log_prob | ref | update_actor | step | cores/gen"
    header += " | cores/update_actor | cores/step | logprob_corr | peak_gb | step / demo | update / demo"
    assert lines[0] == f"| {header} |"
    demo = "demo | 27 | 59 | 5.0 | 0.0 | 0.0 | 8.0 | 15.0 | 1.60 | 1.95 | 1.80 | 0.99 | 9.50 | 1.00 | 1.00"
    assert lines[2] == f"| {demo} |"
    previous = "previous_demo | - | - | 6.0 | 0.0 | 0.0 | 27.4 | 33.9 | 1.60 | 1.00 | 1.10 | - | 17.70"
    assert lines[3] == f"| {previous} | 2.26 | 3.42 |"
    assert lines[4] == "| lora_r16 |" + " - |" * 14  # a failed variant is shown


def test_cores_are_cpu_seconds_over_wall_seconds_of_step_2(tmp_path: Path, monkeypatch) -> None:
    """run_variant reads step 2 of verl's file log: timing_s/<phase> and timing_s/cpu/<phase>."""
    step = {"timing_s/gen": 4.0, "timing_s/cpu/gen": 6.0, "timing_s/update_actor": 8.0}
    step |= {"timing_s/cpu/update_actor": 16.0, "timing_s/step": 13.0, "timing_s/cpu/step": 22.1}
    step |= {"training/rollout_actor_probs_pearson_corr": 0.98, "response_length/mean": 30.5}

    def fake_run(command, env, **_kwargs):
        metrics = Path(env["OUT_DIR"]) / "metrics.jsonl"
        metrics.parent.mkdir(parents=True)
        lines = [{"step": 1, "data": {"timing_s/step": 99.0}}, {"step": 2, "data": step}]
        metrics.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
        assert env["MEDU1_CPU_THREADS"] == "1"  # the variant's environment reaches the run
        return subprocess.CompletedProcess(command, 0)

    class FakePopen:
        def __init__(self, command, env, **kwargs):
            self.result = fake_run(command, env, **kwargs)
            self.pid = 2**22 + 1  # no such session: the memory sampler finds nothing

        def wait(self, timeout=None):
            return self.result.returncode

    monkeypatch.setattr(bench_step.subprocess, "Popen", FakePopen)
    timing = bench_step.run_variant("one_thread", tmp_path / "m", tmp_path / "t.parquet", tmp_path / "out")
    assert timing["update_actor"] == 8.0 and timing["step"] == 13.0
    assert timing["cores/gen"] == 1.5 and timing["cores/update_actor"] == 2.0
    assert abs(timing["cores/step"] - 1.7) < 1e-9
    assert timing["peak_gb"] == 0.0 and timing["logprob_corr"] == 0.98 and timing["resp_mean"] == 30.5
    assert (tmp_path / "out" / "one_thread.memory.txt").read_text().startswith("peak 0.00 GB")


def test_every_variant_changes_the_demo_except_the_demo() -> None:
    assert bench_variants.VARIANTS["demo"] == bench_variants.Variant([])
    for name, variant in bench_variants.VARIANTS.items():
        assert name == "demo" or variant.overrides or variant.env, name
        assert all("=" in o and not o.startswith("-") for o in variant.overrides), name


def test_kill_session_ends_processes_in_other_process_groups_too() -> None:
    # `set -m` puts the background sleep in a process group of its own, as Ray does with its workers.
    run = subprocess.Popen(["bash", "-c", "set -m; sleep 300 & sleep 300"], start_new_session=True)
    deadline = time.monotonic() + 10
    while len(resources.session_members(run.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(resources.session_members(run.pid)) == 3  # bash and its two sleeps
    bench_step.kill_session(run.pid)
    run.wait(timeout=10)
    deadline = time.monotonic() + 10
    while resources.session_members(run.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert resources.session_members(run.pid) == []


def test_more_steps_are_averaged_from_step_2_on(tmp_path: Path, monkeypatch) -> None:
    """--steps N: every figure is the mean of steps 2..N (step 1's one-time start-up left out)."""
    logged = [(1, 99.0, 90.0), (2, 8.0, 13.0), (3, 10.0, 17.0)]

    class FakePopen:
        def __init__(self, command, env, **kwargs):
            assert env["STEPS"] == "3"
            metrics = Path(env["OUT_DIR"]) / "metrics.jsonl"
            metrics.parent.mkdir(parents=True)
            lines = [
                json.dumps({"step": n, "data": {"timing_s/update_actor": update, "timing_s/step": step}})
                for n, update, step in logged
            ]
            metrics.write_text("\n".join(lines) + "\n")
            self.pid = 2**22 + 3

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(bench_step.subprocess, "Popen", FakePopen)
    timing = bench_step.run_variant("demo", tmp_path / "m", tmp_path / "t.parquet", tmp_path / "out", steps=3)
    assert timing["update_actor"] == 9.0 and timing["step"] == 15.0
