"""--check's length-budget summary: the share of rows with a budget per source; unreachable budgets."""

from __future__ import annotations

from recipe.medu1.preflight.findings import FACT, WARNING


def budget_lines(findings) -> list[str]:
    (found,) = [f for f in findings if f.level == FACT and f.label == "length budgets"]
    return found.text.splitlines()


def test_share_with_a_budget_per_source_and_mode(preflight):
    # The toy rows cycle medqa (no budget), medcalc (exact 256), medical_o1 (maximum 512): 512 train, 12 val.
    train, val = budget_lines(preflight())
    assert train == (
        "data.train_files: medcalc 171/171 (100 %: exact 171, max 0, N 256-256), medical_o1 170/170 "
        "(100 %: exact 0, max 170, N 512-512), medqa 0/171 (0 %)"
    )
    assert val.startswith("data.val_files: medcalc 4/4 (100 %") and val.endswith("medqa 0/4 (0 %)")


def test_exact_budget_above_the_response_cap_is_a_warning(preflight):
    warnings = [f.text for f in preflight("data.max_response_length=200") if f.level == WARNING]
    unreachable = [w for w in warnings if "exact length budgets above" in w]
    assert len(unreachable) == 2  # the train and the val file
    assert "data.max_response_length=200 (N 256-256)" in unreachable[0]
    assert not any("exact length budgets above" in f.text for f in preflight("data.max_response_length=512"))


def test_no_line_for_unread_files(preflight, tmp_path):
    findings = preflight(f"data.val_files={tmp_path / 'missing.parquet'}")
    assert [line.split(":")[0] for line in budget_lines(findings)] == ["data.train_files"]


def test_length_scales_too_large_for_the_response_cap_are_a_warning(preflight):
    """The toy rows carry both modes; under a 128-token cap the paper's scales (1500, 500) leave the term
    0.085 / 0.256 of reach, and the warning gives the resized scale; resized scales silence it."""
    warnings = [f.text for f in preflight("data.max_response_length=128") if f.level == WARNING]
    weak = [w for w in warnings if "length term moves by at most" in w]
    assert len(weak) == 2
    assert "length_scale=1500 and data.max_response_length=128" in weak[0] and "0.085" in weak[0]
    assert weak[0].endswith("reward_kwargs.length_scale=47") and weak[1].endswith("length_max_scale=16")
    resized = preflight(
        "data.max_response_length=128",
        "+reward.custom_reward_function.reward_kwargs.length_scale=47",
        "+reward.custom_reward_function.reward_kwargs.length_max_scale=16",
    )
    assert not any("length term moves by at most" in f.text for f in resized)
