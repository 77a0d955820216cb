"""Reward settings: presets, overrides, clear errors; the README kwarg table equals the field metadata."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import pytest

from reward_score.settings import CALL_KWARGS, PRESETS, RewardSettings, resolve_settings

README = Path(__file__).resolve().parents[2] / "docs" / "reward.md"


def test_default_preset_is_the_paper() -> None:
    settings, response_length = resolve_settings({})
    assert settings == PRESETS["medu1"] and response_length is None
    assert (settings.text_metric, settings.text_threshold, settings.text_reward) == ("merge", 45.0, "binary")
    assert (settings.length_scale, settings.length_max_scale, settings.check_think) == (1500.0, 500.0, True)


def test_robust_preset_changes_only_how_correctness_is_read() -> None:
    medu1, robust = PRESETS["medu1"], PRESETS["robust"]
    changed = {
        f.name
        for f in dataclasses.fields(RewardSettings)
        if getattr(medu1, f.name) != getattr(robust, f.name)
    }
    assert changed == {"boxed_fallback", "mcq_match", "calc_match", "text_metric", "text_threshold"}


def test_freeform_fallback_is_off_in_every_preset() -> None:
    assert all(preset.freeform_fallback is False for preset in PRESETS.values())


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("boxed_fallback", True),
        ("mcq_match", "robust"),
        ("calc_match", "medcalc"),
        ("check_think", False),
        ("text_metric", "rougeL"),
        ("text_threshold", 30),
        ("text_reward", "continuous"),
        ("text_scale", 50.0),
        ("length_scale", 3000),
        ("length_max_scale", 250.5),
        ("freeform_fallback", True),
    ],
)
def test_every_setting_is_a_kwarg(name: str, value: object) -> None:
    settings, _ = resolve_settings({"preset": "medu1", name: value})
    assert getattr(settings, name) == value
    assert settings == dataclasses.replace(PRESETS["medu1"], **{name: value})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"preset": "paper"}, "unknown reward preset 'paper'"),
        ({"preset": None}, "unknown reward preset"),
        ({"text_treshold": 40}, "unknown reward setting.*text_treshold"),
        ({"format_score": 1}, "unknown reward setting.*format_score"),
        ({"text_metric": "BLEU"}, "text_metric='BLEU' must be one of merge, ems, bleu, rougeL, f1"),
        ({"text_reward": "discrete"}, "text_reward"),
        ({"mcq_match": True}, "mcq_match"),
        ({"calc_match": "robust"}, "calc_match"),
        ({"check_think": "yes"}, "check_think='yes' must be a bool"),
        ({"check_think": 1}, "check_think=1 must be a bool"),
        ({"boxed_fallback": 0}, "boxed_fallback"),
        ({"freeform_fallback": "true"}, "freeform_fallback='true' must be a bool"),
        ({"text_threshold": "45"}, "text_threshold='45' must be a finite number"),
        ({"text_threshold": math.nan}, "text_threshold"),
        ({"text_threshold": True}, "text_threshold"),
        ({"text_scale": 0}, "text_scale=0 must be > 0"),
        ({"length_scale": -1.0}, "length_scale"),
        ({"length_max_scale": math.inf}, "length_max_scale"),
        ({"response_length": -1}, "response_length"),
        ({"response_length": 12.0}, "response_length"),
        ({"response_length": True}, "response_length"),
        ({"text_scale": [1]}, "plain scalars"),
    ],
)
def test_bad_settings_raise_naming_the_problem(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_settings(kwargs)


def test_validation_cache_does_not_confuse_equal_values_of_other_types() -> None:
    assert resolve_settings({"check_think": True})[0].check_think is True
    with pytest.raises(ValueError, match="must be a bool"):
        resolve_settings({"check_think": 1})  # 1 == True, but an int is not a bool


def test_verl_kwargs_are_accepted_and_ignored() -> None:
    settings, length = resolve_settings(
        {"reward_router_address": "10.0.0.1:8000", "reward_model_tokenizer": object(), "response_length": 7}
    )
    assert settings == PRESETS["medu1"] and length == 7


# --- the README table is the field metadata ----------------------------------------------------------------
def _cell(value: object) -> str:
    return f"`{value}`"


def expected_rows() -> list[tuple[str, str, str]]:
    """(kwarg, defaults, meaning) rendered from the settings: defaults are the medu1 value, followed by the
    robust value in brackets when it differs."""
    medu1, robust = PRESETS["medu1"], PRESETS["robust"]
    rows = [("`preset`", "`medu1`", CALL_KWARGS["preset"])]
    for field in dataclasses.fields(RewardSettings):
        default = _cell(getattr(medu1, field.name))
        if getattr(robust, field.name) != getattr(medu1, field.name):
            default += f" ({_cell(getattr(robust, field.name))})"
        rows.append((_cell(field.name), default, field.metadata["doc"]))
    rows.append(("`response_length`", "—", CALL_KWARGS["response_length"]))
    return rows


def readme_rows() -> list[tuple[str, str, str]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Settings") :]
    section = section[: section.index("\n## ", 1)]
    header = section.index("| kwarg | medu1 default (robust) | meaning |")
    rows = []
    for line in section[header:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        rows.append(tuple(cells))
    return rows


def test_readme_kwarg_table_equals_the_field_metadata() -> None:
    expected = expected_rows()
    rendered = "\n".join(f"| {' | '.join(row)} |" for row in expected)
    assert readme_rows() == expected, f"README reward table must read:\n{rendered}"
