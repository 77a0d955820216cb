"""The demo's before/after table rendered from a summary.json built here in demo_summary's schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from recipe.medu1.analysis.demo_summary import criteria
from recipe.medu1.analysis.summary_table import HEADER, main, render


def _row(
    task: str, n: int, samples: int, score: float, acc: float, fmt: float, tokens: float
) -> dict[str, Any]:
    return {
        "task": task,
        "n": n,
        "samples": samples,
        "score": score,
        "acc": acc,
        "format_rate": fmt,
        "unparsed_rate": 0.0,
        "mean_tokens": tokens,
    }


def summary() -> dict[str, Any]:
    before = {
        "medmcqa": _row("mcq", 2, 8, -2.5, 0.0, 0.125, 12.4),
        "medquad": {**_row("text", 2, 8, -1.0, 0.25, 0.5, 40.0), "echo_credited": 1},
        "all": _row("all", 4, 16, -1.75, 0.125, 0.3125, 26.2),
    }
    after = {
        "medmcqa": _row("mcq", 2, 8, 0.5, 0.375, 1.0, 20.0),
        "medquad": {**_row("text", 2, 8, 0.25, 0.5, 0.875, 31.6), "echo_credited": 3},
        "all": _row("all", 4, 16, 0.375, 0.4375, 0.9375, 25.8),
    }
    steps = [{"step": s, "score": v, "per_task": {}} for s, v in enumerate([-2.0, -1.0, 0.0, 1.0], 1)]
    built = {"train": {"steps": steps}, "eval": {"before": before, "after": after}}
    built["criteria"] = criteria(built)
    return built


def test_table_rows_read_before_arrow_after_with_all_last() -> None:
    lines = render(summary()).splitlines()
    assert "\n".join(lines[:2]) == HEADER
    assert lines[2] == "| medmcqa | mcq | 2 | -2.50 → +0.50 | 0% → 38% | 12% → 100% | 12 → 20 |"
    assert lines[3] == "| medquad | text | 2 | -1.00 → +0.25 | 25% → 50% | 50% → 88% | 40 → 32 |"
    assert lines[4] == "| all | all | 4 (×4 samples) | -1.75 → +0.38 | 12% → 44% | 31% → 94% | 26 → 26 |"
    assert lines[5] == ""


def test_notes_give_trend_echoes_and_criteria_from_the_summary() -> None:
    text = render(summary())
    assert "Training score per step: -2.00 -1.00 +0.00 +1.00." in text
    assert "medquad: credited answers that only repeat the question's words: 1 before, 3 after." in text
    assert "heldout_score_gain: +2.12 (target >= 0.3, met)." in text
    # last third minus first third of four steps: +1.00 - (-2.00)
    assert "train_score_gain_last_vs_first_third: +3.00 (target >= 0.3, met)." in text
    assert "heldout_acc_change_points: +31.25" in text
    assert "medmcqa: credited" not in text


def test_length_criteria_follow_the_others() -> None:
    data = summary()
    data["length"] = {
        "criteria": {
            "heldout_max_within_budget_gain_points": {"value": -7.8, "target": ">= 20.0", "met": False}
        }
    }
    assert render(data).endswith("heldout_max_within_budget_gain_points: -7.80 (target >= 20.0, not met).")


def test_a_missed_criterion_says_not_met() -> None:
    data = summary()
    data["eval"]["after"]["all"]["score"] = -1.7
    data["criteria"] = criteria(data)
    assert "heldout_score_gain: +0.05 (target >= 0.3, not met)." in render(data)


def test_command_line_prints_the_table(tmp_path: Path, capsys) -> None:
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(summary()))
    assert main([str(path)]) == 0
    assert capsys.readouterr().out == render(summary()) + "\n"
