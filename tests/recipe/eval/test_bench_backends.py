"""The backend benchmark's report: the workload it measured and each backend's rates relative to HF."""

from __future__ import annotations

from recipe.medu1.eval.bench_backends import Timing, report


def test_report_names_the_workload_and_gives_ratios_to_the_first_timing() -> None:
    timings = [Timing("hf", "checkpoint", 1.0, 10.0, 200, 4), Timing("vllm", "bfloat16", 5.0, 2.0, 180, 4)]
    lines = report(timings, [100, 300, 200, 200]).splitlines()
    assert lines[0] == "4 questions, greedy; mean prompt 200 tokens, mean response 50 tokens (hf, checkpoint)"
    assert lines[2].split() == ["hf", "checkpoint", "1.0", "10.0", "200", "20.0", "0.40", "1.00x", "1.00x"]
    assert lines[3].split() == ["vllm", "bfloat16", "5.0", "2.0", "180", "90.0", "2.00", "4.50x", "5.00x"]
