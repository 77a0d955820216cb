"""``compute_score``: the Med-U1 mixed reward (format + correctness + length) for verl's reward loop.

Order of work, and why: every caller error (settings, task, ground truth, extra_info fields, a length
budget without ``response_length``) is checked *before* the response is read, so whether a call raises
never depends on model output; after that nothing raises, and every return has the keys of
:data:`reward_score.grade.RESULT_KEYS` (verl stacks the keys of all samples of a batch and fails on a
mismatch).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Integral

from reward_score.calc import calc_target, grade_calc
from reward_score.extraction import extract_answer
from reward_score.format import format_reward
from reward_score.freeform import grade_freeform
from reward_score.grade import TASKS, Grade, Grader
from reward_score.length import length_reward
from reward_score.mcq import grade_mcq_exact, grade_mcq_robust, letters_by_text, parse_options
from reward_score.settings import RewardSettings, resolve_settings
from reward_score.text import grade_text

MISSING_ANSWER_TERM = -2.0


def _task(extra_info: Mapping) -> str:
    task = extra_info.get("task")
    if task is None or task == "":
        raise ValueError(
            f"extra_info['task'] is missing: set it to one of {', '.join(TASKS)} "
            "(every data_preprocess converter writes it)"
        )
    if task not in TASKS:
        raise ValueError(f"unknown task extra_info['task']={task!r}; expected one of {', '.join(TASKS)}")
    return task


def _ground_truth(ground_truth: object) -> str:
    if isinstance(ground_truth, str):
        return ground_truth
    if isinstance(ground_truth, (int, float)) and not isinstance(ground_truth, bool):
        return str(ground_truth)
    raise ValueError(f"ground_truth must be a string, got {type(ground_truth).__name__}")


def _length_budget(extra_info: Mapping) -> int:
    """extra_info["length_budget"]: 0, None, NaN or absent = no length instruction."""
    budget = extra_info.get("length_budget")
    if budget is None or (isinstance(budget, float) and math.isnan(budget)):
        return 0
    if isinstance(budget, Integral) and not isinstance(budget, bool):
        return int(budget)
    if isinstance(budget, float) and budget.is_integer():
        return int(budget)
    raise ValueError(f"extra_info['length_budget']={budget!r} must be an int")


def _question(extra_info: Mapping) -> str:
    """extra_info["question"]: the question as the user saw it; "" (nothing discounted) when absent."""
    question = extra_info.get("question")
    if question is None or (isinstance(question, float) and math.isnan(question)):
        return ""
    if not isinstance(question, str):
        raise ValueError(f"extra_info['question'] must be a string, got {type(question).__name__}")
    return question


def _grader(task: str, truth: str, extra_info: Mapping, settings: RewardSettings, options: dict) -> Grader:
    """The task's grading rule with everything it needs from the row resolved (and checked) up front."""
    if task == "mcq":
        if settings.mcq_match == "exact":
            return lambda answer: grade_mcq_exact(answer, truth)
        index = letters_by_text(options)
        return lambda answer: grade_mcq_robust(answer, truth, options, index)
    if task == "calc":
        target = calc_target(truth, extra_info, match=settings.calc_match)
        return lambda answer: grade_calc(answer, target, match=settings.calc_match)
    question = _question(extra_info)
    return lambda answer: grade_text(
        answer,
        truth,
        metric=settings.text_metric,
        threshold=settings.text_threshold,
        reward=settings.text_reward,
        scale=settings.text_scale,
        question=question,
    )


def _result(fmt: float, grade: Grade, length: float) -> dict[str, float | str]:
    """The result, keys in the order of ``reward_score.grade.RESULT_KEYS``. A literal, because
    ``dict(zip(...))`` costs a microsecond more per call (~5% of the reward's time); tests check that the
    keys equal RESULT_KEYS."""
    term, acc, parsed, pred, rule = grade
    return {
        "score": fmt + term + length,
        "acc": acc,
        "format": fmt,
        "answer": term,
        "length": length,
        "parsed": parsed,
        "pred": pred,
        "rule": rule,
    }


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: str,
    extra_info: Mapping | None = None,
    **kwargs: object,
) -> dict[str, float | str]:
    """Score one response; returns exactly the keys of :data:`reward_score.grade.RESULT_KEYS`.

    The task comes from ``extra_info["task"]`` alone (``data_source`` is not read: verl passes it, and the
    dataset registry that names sources lives with the converters). kwargs: ``preset`` ("medu1" |
    "robust"), any field of :class:`reward_score.settings.RewardSettings`, and ``response_length`` (response
    tokens incl. EOS; required when ``extra_info["length_budget"] != 0``). Raises ValueError only for
    caller errors; a non-string ``solution_str`` scores as an empty response.
    """
    settings, response_length = resolve_settings(kwargs)
    if extra_info is None:
        extra_info = {}
    elif not isinstance(extra_info, Mapping):
        raise ValueError(f"extra_info must be a mapping or None, got {type(extra_info).__name__}")
    task = _task(extra_info)
    reads_options = task == "mcq" and (settings.mcq_match == "robust" or settings.freeform_fallback)
    options = parse_options(extra_info.get("options")) if reads_options else {}
    grader = _grader(task, _ground_truth(ground_truth), extra_info, settings, options)
    budget = _length_budget(extra_info)
    if budget and response_length is None:
        raise ValueError(
            f"extra_info['length_budget']={budget} needs the response_length kwarg "
            "(response tokens incl. EOS)"
        )

    text = solution_str if isinstance(solution_str, str) else ""
    answer, in_tag = extract_answer(text, boxed_fallback=settings.boxed_fallback)
    fmt = format_reward(text, answer_in_tag=answer is not None and in_tag, check_think=settings.check_think)
    if answer is not None:
        grade = grader(answer)
    elif settings.freeform_fallback and not in_tag:
        grade = grade_freeform(text, task, grader, options)
    else:
        grade = None
    if grade is None:
        return _result(fmt, Grade(MISSING_ANSWER_TERM, 0.0, 0.0, "", "no_answer"), 0.0)
    length = (
        length_reward(
            response_length, budget, scale=settings.length_scale, max_scale=settings.length_max_scale
        )
        if budget
        else 0.0
    )
    return _result(fmt, grade, length)
