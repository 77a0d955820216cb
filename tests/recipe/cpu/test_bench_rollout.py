"""The rollout benchmark's table: each variant's rate and its ratio to the live-weight engine's."""

from __future__ import annotations

from recipe.medu1.cpu.bench_rollout import table


def test_rates_and_ratios_to_the_live_weight_engine() -> None:
    out = table({"live_weight": {"tokens": 908, "seconds": 10.5}, "adapter": {"tokens": 796, "seconds": 7.0}})
    lines = out.splitlines()
    assert lines[0] == "| variant | tokens | seconds | tokens/s | / live_weight |"
    assert lines[2] == "| live_weight | 908 | 10.5 | 86.5 | 1.00 |"
    assert lines[3] == "| adapter | 796 | 7.0 | 113.7 | 1.31 |"
