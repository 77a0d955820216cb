"""Reward settings: the two presets and the validation of every keyword argument ``compute_score`` accepts.

Why strict: settings arrive as ``+reward.custom_reward_function.reward_kwargs.<k>=<v>`` overrides, and a
misspelled or ill-typed one silently ignored would train a whole run on the wrong reward. Every check here
looks only at the settings, never at the response, so whether a call raises never depends on model output.
Each field carries its meaning (``doc``) and, for string fields, its allowed values (``choices``) as field
metadata: the README's kwarg table is checked against it.
"""

from __future__ import annotations

import dataclasses
import math
from functools import lru_cache
from numbers import Integral, Real

from reward_score.content import CONTENT_THRESHOLD
from reward_score.text import TEXT_METRICS


def _setting(doc: str, choices: tuple[str, ...] = (), positive: bool = False) -> dataclasses.Field:
    return dataclasses.field(metadata={"doc": doc, "choices": choices, "positive": positive})


@dataclasses.dataclass(frozen=True)
class RewardSettings:
    """Every setting of the reward; each field's meaning is its ``doc`` metadata."""

    boxed_fallback: bool = _setting("use the last `\\boxed{}` when there is no `<answer>` tag")
    mcq_match: str = _setting("MCQ rule", choices=("exact", "robust"))
    calc_match: str = _setting(
        "calc rule: paper `float()` + limits, or MedCalc-Bench's rule without `eval()`",
        choices=("exact", "medcalc"),
    )
    check_think: bool = _setting(
        "format needs the think/answer structure; `False`: any non-empty `<answer>` earns +1"
    )
    text_metric: str = _setting(
        "`merge`, `ems` (0–100), `bleu` (0–1), `rougeL` (0–100), `f1` (0–100), `content` (0–100: "
        "IDF-weighted precision/coverage F of the reference's terms, the question's words discounted, "
        "hedges and repetition 0)",
        choices=TEXT_METRICS,
    )
    text_threshold: float = _setting("acc / +1 iff metric > threshold")
    text_reward: str = _setting(
        "`binary` (±1) or `continuous` (metric / `text_scale`, clipped to [−1, 1])",
        choices=("binary", "continuous"),
    )
    text_scale: float = _setting("divisor of the continuous reward", positive=True)
    length_scale: float = _setting("denominator of the exact-budget length term", positive=True)
    length_max_scale: float = _setting("denominator of the maximum-budget length term", positive=True)
    freeform_fallback: bool = _setting(
        "evaluation only: with no answer tag (and no `\\boxed{}` under `boxed_fallback`), read the answer "
        "from the prose after the last `</think>`; never in training (a reward must not pay prose)"
    )


PRESETS = {
    "medu1": RewardSettings(
        boxed_fallback=False,
        mcq_match="exact",
        calc_match="exact",
        check_think=True,
        text_metric="merge",
        text_threshold=45.0,
        text_reward="binary",
        text_scale=100.0,
        length_scale=1500.0,
        length_max_scale=500.0,
        freeform_fallback=False,
    ),
}
PRESETS["robust"] = dataclasses.replace(
    PRESETS["medu1"],
    boxed_fallback=True,
    mcq_match="robust",
    calc_match="medcalc",
    text_metric="content",
    text_threshold=CONTENT_THRESHOLD,
)

CALL_KWARGS = {
    "preset": "`medu1` or `robust`; sets the defaults below",
    "response_length": "response tokens incl. EOS; required when `length_budget ≠ 0` (the `medu1` manager "
    "passes it)",
}
"""The keyword arguments besides the settings fields, with their meanings."""
IGNORED_KWARGS = frozenset(("reward_router_address", "reward_model_tokenizer"))
"""Passed by verl's reward managers when a reward-model router exists; irrelevant to a rule reward."""
_FIELDS = {field.name: field for field in dataclasses.fields(RewardSettings)}


def _checked(name: str, value: object) -> object:
    field = _FIELDS[name]
    choices = field.metadata["choices"]
    if choices:
        if not isinstance(value, str) or value not in choices:
            raise ValueError(f"reward setting {name}={value!r} must be one of {', '.join(choices)}")
        return value
    if field.type == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"reward setting {name}={value!r} must be a bool")
        return value
    if not isinstance(value, Real) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"reward setting {name}={value!r} must be a finite number")
    if field.metadata["positive"] and value <= 0:
        raise ValueError(f"reward setting {name}={value!r} must be > 0")
    return float(value)


@lru_cache(maxsize=256)
def _resolve(items: tuple[tuple[str, type, object], ...]) -> RewardSettings:
    given = {name: value for name, _, value in items}
    preset = given.pop("preset", "medu1")
    if not isinstance(preset, str) or preset not in PRESETS:
        raise ValueError(f"unknown reward preset {preset!r}; choose one of {', '.join(PRESETS)}")
    unknown = sorted(set(given) - set(_FIELDS))
    if unknown:
        raise ValueError(
            f"unknown reward setting(s) {', '.join(unknown)}; "
            f"known: {', '.join(CALL_KWARGS)}, {', '.join(sorted(_FIELDS))}"
        )
    overrides = {name: _checked(name, value) for name, value in given.items()}
    return dataclasses.replace(PRESETS[preset], **overrides) if overrides else PRESETS[preset]


def resolve_settings(kwargs: dict[str, object]) -> tuple[RewardSettings, int | None]:
    """(settings, response_length) from ``compute_score``'s keyword arguments; ValueError naming any unknown
    or ill-typed one. Results are cached per distinct kwarg set, so the per-call cost is a dict lookup."""
    response_length = kwargs.get("response_length")
    if response_length is not None and (
        not isinstance(response_length, Integral) or isinstance(response_length, bool) or response_length < 0
    ):
        raise ValueError(f"response_length={response_length!r} must be a non-negative int")
    # The value's type is part of the cache key: True == 1 and 1 == 1.0 must not share a validation result.
    # Unsorted: the same kwargs in another order are only another cache entry with the same result.
    items = tuple(
        (k, type(v), v) for k, v in kwargs.items() if k != "response_length" and k not in IGNORED_KWARGS
    )
    try:
        settings = _resolve(items)
    except TypeError:  # an unhashable value: _resolve itself raises only ValueError
        raise ValueError(f"reward settings must be plain scalars, got {kwargs!r}") from None
    return settings, None if response_length is None else int(response_length)
