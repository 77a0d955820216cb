"""The fuzz script runs end to end on a small sample without a failure (the 100k run is outside the suite)."""

from __future__ import annotations

import pytest

from reward_score.fuzz import SETTINGS, TARGETS, main, run


def test_fuzz_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--n", "200", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert f"responses 200 x {len(TARGETS) * len(SETTINGS)} target/settings" in out
    assert "exceptions: 0" in out and "identical on every call" in out and "worst case:" in out


def test_fuzz_covers_every_task_and_setting_and_is_seeded() -> None:
    assert {info["task"] for _, info in TARGETS.values()} == {"mcq", "calc", "text"}
    assert {(s["preset"], s["freeform_fallback"]) for s in SETTINGS} == {
        (preset, freeform) for preset in ("medu1", "robust") for freeform in (False, True)
    }
    first, second = run(30, seed=5), run(30, seed=5)
    assert first["rules"] == second["rules"] and first["calls"] == 30 * len(TARGETS) * len(SETTINGS)
