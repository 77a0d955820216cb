"""Length adherence per budget on hand-made samples of known length."""

from __future__ import annotations

import pytest

from recipe.medu1.eval.adherence import arm_metrics, exact_length_correlation, length_adherence


def sample(budget: int, tokens: int, score: float = 0.0, acc: float = 0.0, source: str = "medqa") -> dict:
    return {
        "data_source": source,
        "extra_info": {"length_budget": budget},
        "response_tokens": tokens,
        "score": score,
        "acc": acc,
    }


def test_exact_arm_hand_computed() -> None:
    # N = 100; L = 95 (5 %), 120 (20 %), 150 (50 %), 100 (0 %).
    records = [
        sample(100, 95, 2.0, 1.0),
        sample(100, 120),
        sample(100, 150, -1.0),
        sample(100, 100, 1.0, 1.0),
    ]
    row = arm_metrics(100, records)
    assert row["mode"] == "exact" and row["budget"] == 100 and row["n"] == 4
    assert row["mean_length"] == pytest.approx(116.25)
    assert row["mean_abs_error"] == pytest.approx((5 + 20 + 50 + 0) / 4)
    assert row["mean_rel_error"] == pytest.approx(0.1875)
    assert row["within_10"] == 0.5 and row["within_25"] == 0.75
    assert row["within_budget"] == 0.5  # 95 and 100
    assert row["score"] == pytest.approx(0.5) and row["acc"] == 0.5


def test_max_arm_and_the_unbudgeted_arm() -> None:
    # N = 40 (maximum); L = 30, 40, 44, 90: errors 10, 0, 4, 50.
    row = arm_metrics(-40, [sample(-40, 30), sample(-40, 40), sample(-40, 44), sample(-40, 90)])
    assert row["mode"] == "max" and row["budget"] == 40
    assert row["within_budget"] == 0.5  # 30 and 40
    assert row["within_10"] == 0.5 and row["within_25"] == 0.75  # |L - N| <= 4: 40, 44; <= 10: + 30
    assert row["mean_rel_error"] == pytest.approx(64 / 160)
    plain = arm_metrics(0, [sample(0, 10, 1.0, 1.0), sample(0, 30)])
    assert plain == {"mode": "none", "budget": 0, "n": 2, "mean_length": 20.0, "score": 0.5, "acc": 0.5}


def test_arms_per_source_and_overall_in_a_fixed_order() -> None:
    records = [
        sample(-40, 30),
        sample(100, 90),
        sample(0, 50),
        sample(50, 45, source="medcalc"),
        sample(0, 70, source="medcalc"),
    ]
    adherence = length_adherence(records)
    assert adherence is not None
    arms = [(a["mode"], a["budget"], a["n"]) for a in adherence["all"]["arms"]]
    assert arms == [("none", 0, 2), ("exact", 50, 1), ("exact", 100, 1), ("max", 40, 1)]
    assert adherence["all"]["arms"][0]["mean_length"] == 60.0
    assert set(adherence["per_source"]) == {"medqa", "medcalc"}
    assert [a["budget"] for a in adherence["per_source"]["medcalc"]["arms"]] == [0, 50]
    # Exact budgets 50 -> 45 and 100 -> 90: L follows N exactly (correlation 1).
    assert adherence["all"]["exact_length_correlation"] == pytest.approx(1.0)
    assert adherence["per_source"]["medqa"]["exact_length_correlation"] is None  # one exact budget


def test_no_budget_anywhere_gives_no_section() -> None:
    assert length_adherence([sample(0, 10), sample(0, 20)]) is None


def test_correlation_reads_the_number_not_the_shortness() -> None:
    follows = [sample(n, n + d) for n in (16, 32, 64) for d in (-2, 2)]
    ignores = [sample(n, 20 + d) for n in (16, 32, 64) for d in (-2, 2)]
    assert exact_length_correlation(follows) > 0.99
    assert exact_length_correlation(ignores) == pytest.approx(0.0)
    assert exact_length_correlation([sample(16, 5), sample(32, 5)]) is None  # constant L
