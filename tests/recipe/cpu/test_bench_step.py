"""The GRPO step benchmark's table: verl's timing breakdown per variant and the ratio to the demo's step."""

from __future__ import annotations

import subprocess
import time

from recipe.medu1.cpu import bench_step


def test_table_prints_the_breakdown_and_ratios_to_the_demo() -> None:
    results = {
        "demo": {"gen": 10.0, "old_log_prob": 0.0, "ref": 0.0, "update_actor": 40.0, "step": 50.0},
        "issue_fp32_setup": {
            "gen": 40.0,
            "old_log_prob": 15.0,
            "ref": 11.0,
            "update_actor": 60.0,
            "step": 126.0,
        },
        "lora_r16": {},
    }
    lines = bench_step.table(results).splitlines()
    assert lines[0] == "| variant | gen | old_log_prob | ref | update_actor | step | step / demo |"
    assert lines[2] == "| demo | 10.0 | 0.0 | 0.0 | 40.0 | 50.0 | 1.00 |"
    assert lines[3] == "| issue_fp32_setup | 40.0 | 15.0 | 11.0 | 60.0 | 126.0 | 2.52 |"
    assert lines[4] == "| lora_r16 | - | - | - | - | - | - |"  # a failed variant is shown, not dropped


def test_every_variant_changes_the_demo_except_the_demo() -> None:
    assert bench_step.VARIANTS["demo"] == []
    for name, overrides in bench_step.VARIANTS.items():
        assert name == "demo" or overrides, name
        assert all("=" in o and not o.startswith("-") for o in overrides), name


def test_kill_session_ends_processes_in_other_process_groups_too() -> None:
    # `set -m` puts the background sleep in a process group of its own, as Ray does with its workers.
    run = subprocess.Popen(["bash", "-c", "set -m; sleep 300 & sleep 300"], start_new_session=True)
    deadline = time.monotonic() + 10
    while len(bench_step.session_members(run.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(bench_step.session_members(run.pid)) == 3  # bash and its two sleeps
    bench_step.kill_session(run.pid)
    run.wait(timeout=10)
    deadline = time.monotonic() + 10
    while bench_step.session_members(run.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert bench_step.session_members(run.pid) == []
