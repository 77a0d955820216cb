"""compute_score: the verl contract, caller errors before the response is read, and property tests."""

from __future__ import annotations

import math
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reward_score import NUMERIC_RESULT_KEYS, PRED_MAX_CHARS, RESULT_KEYS, RULES, compute_score

VERL_KEYS = {"num_turns": 2, "rollout_reward_scores": {}}  # what verl adds to every row's extra_info
TEXT_REFERENCE = "Community-acquired pneumonia"
CALC = {"calculator_id": 2, "output_type": "decimal", "lower_limit": 24.0, "upper_limit": 26.5}
CASE_SPECS = {  # task -> (data_source, ground truth, extra_info overrides)
    "mcq": ("medqa", "B", {}),
    "calc": ("medcalc", "25.2", CALC),
    "text": ("medical_o1", TEXT_REFERENCE, {}),
}


class Row(NamedTuple):
    """An extra_info to build with the ``extra_info`` fixture (parametrize lists exist before fixtures)."""

    task: str
    overrides: dict[str, object] = {}


@pytest.fixture(scope="module")
def cases(extra_info) -> dict[str, tuple[str, str, dict]]:
    """task -> (data_source, ground truth, extra_info as verl passes it)."""
    return {
        task: (source, truth, extra_info(task, **overrides) | VERL_KEYS)
        for task, (source, truth, overrides) in CASE_SPECS.items()
    }


@pytest.fixture(scope="module")
def mcq_info(extra_info):
    """``mcq_info(**overrides)``: the MCQ row's extra_info as verl passes it."""
    return lambda **overrides: extra_info("mcq", **overrides) | VERL_KEYS


def respond(answer: str, think: str = "reasoning") -> str:
    return f"<think>{think}</think>\n<answer>{answer}</answer>"


def assert_contract(result: dict) -> None:
    assert tuple(result) == RESULT_KEYS
    assert all(type(result[key]) is float for key in NUMERIC_RESULT_KEYS)
    assert type(result["pred"]) is str and result["rule"] in RULES
    assert -3.0 <= result["score"] <= 3.0
    assert result["score"] == result["format"] + result["answer"] + result["length"]
    assert result["acc"] in (0.0, 1.0) and result["parsed"] in (0.0, 1.0)


@pytest.mark.parametrize(
    ("task", "answer", "preset", "expected"),
    [
        ("mcq", "B", "medu1", (2.0, 1.0)),
        ("mcq", "(B)", "medu1", (0.0, 0.0)),
        ("mcq", "(B)", "robust", (2.0, 1.0)),
        ("mcq", "Heparin infusion", "robust", (2.0, 1.0)),
        ("mcq", "A or B", "robust", (0.0, 0.0)),
        ("calc", "25.2", "medu1", (2.0, 1.0)),
        ("calc", "25.2 mL/min", "medu1", (0.0, 0.0)),
        ("calc", "25.2 mL/min", "robust", (2.0, 1.0)),
        ("calc", "27", "robust", (0.0, 0.0)),
        ("text", "pneumonia", "medu1", (2.0, 1.0)),  # EMS 100: Merge > 45
        ("text", "a viral infection of the upper airways", "medu1", (0.0, 0.0)),
    ],
)
def test_scores(task: str, answer: str, preset: str, expected: tuple[float, float], cases) -> None:
    data_source, truth, info = cases[task]
    result = compute_score(data_source, respond(answer), truth, info, preset=preset)
    assert_contract(result)
    assert (result["score"], result["acc"]) == expected


@pytest.mark.parametrize("preset", ["medu1", "robust"])
@pytest.mark.parametrize(
    "response", ["", "no tags at all", "<think>x</think><answer>  </answer>", "<answer>"]
)
def test_missing_answer_is_minus_two_and_no_length_term(preset: str, response: str, cases) -> None:
    for data_source, truth, info in cases.values():
        result = compute_score(
            data_source, response, truth, info | {"length_budget": 300}, preset=preset, response_length=300
        )
        assert_contract(result)
        terms = ("answer", "length", "acc", "parsed", "pred", "rule")
        assert tuple(result[key] for key in terms) == (-2.0, 0.0, 0.0, 0.0, "", "no_answer")
        assert result["score"] == result["format"] - 2.0


def test_empty_answer_with_perfect_tags_scores_minus_one(mcq_info) -> None:
    result = compute_score("medqa", "<think>x</think><answer> </answer>", "B", mcq_info())
    assert (result["format"], result["score"]) == (1.0, -1.0)


def test_boxed_fallback_reads_the_answer_but_not_the_format_point(mcq_info) -> None:
    response = "<think>x</think> The answer is \\boxed{B}."
    assert compute_score("medqa", response, "B", mcq_info())["score"] == -3.0
    result = compute_score("medqa", response, "B", mcq_info(), preset="robust")
    assert (result["format"], result["answer"], result["score"], result["pred"]) == (-1.0, 1.0, 0.0, "B")


def test_check_think_false_needs_only_an_answer(mcq_info) -> None:
    result = compute_score("medqa", "<answer>B</answer>", "B", mcq_info(), check_think=False)
    assert (result["format"], result["score"]) == (1.0, 2.0)


def test_text_continuous_reward_via_kwargs(cases) -> None:
    data_source, truth, info = cases["text"]
    result = compute_score(
        data_source, respond("pneumonia"), truth, info, text_reward="continuous", text_metric="ems"
    )
    assert (result["answer"], result["acc"]) == (1.0, 1.0)  # EMS 100 / 100
    result = compute_score(
        data_source, respond("pneumonia"), truth, info, text_threshold=100.0, text_metric="ems"
    )
    assert result["acc"] == 0.0  # strictly greater than the threshold


@pytest.mark.parametrize(
    ("budget", "length", "expected"), [(500, 500, 1.0), (500, 1250, 0.5), (-700, 450, 0.5), (-700, 950, -0.5)]
)
def test_length_term_is_added(budget: int, length: int, expected: float, mcq_info) -> None:
    result = compute_score(
        "medqa", respond("B"), "B", mcq_info(length_budget=budget), response_length=np.int64(length)
    )
    assert_contract(result)
    assert result["length"] == pytest.approx(expected) and result["score"] == pytest.approx(2.0 + expected)


def test_length_scales_are_kwargs(mcq_info) -> None:
    info = mcq_info(length_budget=500)
    assert (
        compute_score("medqa", respond("B"), "B", info, response_length=1000, length_scale=1000)["length"]
        == 0.5
    )
    info = mcq_info(length_budget=-500)
    assert (
        compute_score("medqa", respond("B"), "B", info, response_length=600, length_max_scale=200)["length"]
        == -0.5
    )


@pytest.mark.parametrize("budget", [0, None, math.nan])
def test_no_budget_means_no_length_term_and_no_response_length_needed(budget: object, mcq_info) -> None:
    result = compute_score("medqa", respond("B"), "B", mcq_info(length_budget=budget))
    assert (result["length"], result["score"]) == (0.0, 2.0)


def test_task_comes_from_extra_info_only() -> None:
    """data_source names no task: a row of any source is graded by its extra_info['task']."""
    calc = {"task": "calc", "lower_limit": 24, "upper_limit": 26}
    assert compute_score("medqa", respond("25.2"), "25.2", calc)["rule"] == "number"
    assert compute_score("medcalc", respond("B"), "B", {"task": "mcq"})["rule"] == "exact_letter"
    for info in (None, {}, {"task": ""}, {"task": None}):
        with pytest.raises(ValueError, match=r"extra_info\['task'\] is missing: set it to one of mcq, calc"):
            compute_score("medqa", respond("B"), "B", info)


def test_date_truth_accepts_null_limits(extra_info) -> None:
    info = extra_info("calc", calculator_id=13, output_type="date", lower_limit=math.nan, upper_limit=None)
    for preset in ("medu1", "robust"):
        assert (
            compute_score("medcalc", respond("09/23/2014"), "09/23/2014", info, preset=preset)["acc"] == 1.0
        )


def test_options_as_dict_with_absent_letters(mcq_info) -> None:
    info = mcq_info(options={"A": "Aspirin", "B": "Heparin infusion", "C": None, "D": None})
    assert compute_score("medqa", respond("heparin infusion"), "B", info, preset="robust")["acc"] == 1.0
    assert compute_score("medqa", respond("C"), "B", info, preset="robust")["parsed"] == 0.0  # C is absent


def test_non_string_response_scores_as_empty(mcq_info) -> None:
    for response in (None, b"<answer>B</answer>", 3):
        result = compute_score("medqa", response, "B", mcq_info())
        assert_contract(result)
        assert result["score"] == -3.0


def test_pred_is_truncated(cases) -> None:
    data_source, truth, info = cases["text"]
    result = compute_score(data_source, respond("x " * PRED_MAX_CHARS), truth, info)
    assert len(result["pred"]) == PRED_MAX_CHARS


# --- caller errors: raised before the response is read ------------------------------------------------------
CALLER_ERRORS = [
    (("medqa", "B", Row("mcq", {"task": "essay"})), {}, "unknown task"),
    (("medqa", "B", {}), {}, "extra_info\\['task'\\] is missing"),
    (("medqa", "B", None), {}, "extra_info\\['task'\\] is missing"),
    (("medqa", "B", ["task", "mcq"]), {}, "extra_info must be a mapping"),
    (("medqa", None, Row("mcq")), {}, "ground_truth must be a string"),
    (("medcalc", "25.2", Row("calc")), {}, "needs lower_limit and upper_limit"),
    (
        ("medcalc", "25.2", Row("calc", {"upper_limit": 26.0})),
        {"preset": "robust"},
        "lower_limit",
    ),
    (("medqa", "B", Row("mcq", {"options": "{oops"})), {"preset": "robust"}, "not valid JSON"),
    (("medqa", "B", Row("mcq", {"length_budget": 500})), {}, "needs the response_length kwarg"),
    (("medqa", "B", Row("mcq", {"length_budget": "500"})), {"response_length": 3}, "length_budget"),
    (("medqa", "B", Row("mcq")), {"preset": "paper"}, "unknown reward preset"),
    (("medqa", "B", Row("mcq")), {"text_treshold": 40}, "unknown reward setting"),
    (("medqa", "B", Row("mcq", {"options": "[1]"})), {"freeform_fallback": True}, "mapping"),
    (("medqa", "B", Row("mcq")), {"text_scale": "100"}, "text_scale"),
]


@pytest.mark.parametrize(("args", "kwargs", "message"), CALLER_ERRORS)
@pytest.mark.parametrize("response", ["", respond("B"), respond("25.2"), None, "<answer>" * 100])
def test_caller_errors_raise_whatever_the_response(
    args: tuple, kwargs: dict, message: str, response: object, extra_info
) -> None:
    data_source, truth, spec = args
    info = extra_info(spec.task, **spec.overrides) if isinstance(spec, Row) else spec
    with pytest.raises(ValueError, match=message):
        compute_score(data_source, response, truth, info, **kwargs)


def test_verl_kwargs_are_accepted(mcq_info) -> None:
    result = compute_score(
        "medqa",
        respond("B"),
        "B",
        mcq_info(),
        reward_router_address=None,
        reward_model_tokenizer=object(),
    )
    assert result["acc"] == 1.0


# --- properties ---------------------------------------------------------------------------------------------
ADVERSARIAL = [
    "<think>",
    "</think>",
    "<answer>",
    "</answer>",
    "\\boxed{",
    "{",
    "}",
    "=",
    "1,234.5",
    "−3",
    "≈",
]
ADVERSARIAL += [
    "A or B",
    "(B)",
    "Answer:",
    "09/23/2014",
    "('17 weeks', '6 days')",
    "1e999",
    "nan",
    "\x00",
    "\ud800",
]
ADVERSARIAL += ["__import__('os').system('echo hi')", " ", "\n", ".", "the", "pneumonia"]
responses = st.one_of(
    st.text(max_size=200),
    st.builds(respond, st.text(max_size=60)),
    st.builds(respond, st.lists(st.sampled_from(ADVERSARIAL), max_size=8).map(" ".join)),
    st.lists(st.one_of(st.sampled_from(ADVERSARIAL), st.text(max_size=8)), max_size=25).map("".join),
)
setups = st.sampled_from(
    [
        (task, preset, metric, freeform)
        for task in CASE_SPECS
        for preset in ("medu1", "robust")
        for metric in ("merge", "rougeL", "f1")
        for freeform in (False, True)
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses, setups, st.integers(min_value=0, max_value=5000), st.sampled_from([0, 400, -400]))
def test_never_raises_same_keys_bounded_and_deterministic(
    cases, response: str, setup: tuple[str, str, str, bool], length: int, budget: int
) -> None:
    task, preset, metric, freeform = setup
    data_source, truth, info = cases[task]
    kwargs = {
        "preset": preset,
        "text_metric": metric,
        "response_length": length,
        "freeform_fallback": freeform,
    }
    first = compute_score(data_source, response, truth, info | {"length_budget": budget}, **kwargs)
    assert_contract(first)
    assert compute_score(data_source, response, truth, info | {"length_budget": budget}, **kwargs) == first


CODE_ANSWERS = [
    "__import__('pathlib').Path({path!r}).write_text('x')",
    "open({path!r}, 'w').write('1') or 25.2",
    "(__import__('pathlib').Path({path!r}).touch(), 6)",
    "('17 weeks', __import__('pathlib').Path({path!r}).touch())",
    "exec(\"open({path!r}, 'w')\")",
    "25.2 if open({path!r}, 'w') else 0",
]


@pytest.mark.parametrize("template", CODE_ANSWERS)
def test_python_expressions_in_answers_are_never_executed(tmp_path: Path, template: str, cases) -> None:
    target = tmp_path / "pwned"
    answer = template.format(path=str(target))
    calc = cases["calc"][2]
    infos = [
        ("medcalc", "4", calc | {"output_type": "integer", "calculator_id": 4}),
        ("medcalc", "('17 weeks', '6 days')", calc | {"calculator_id": 69, "lower_limit": None}),
        ("medcalc", "09/23/2014", calc | {"calculator_id": 13, "output_type": "date"}),
        *cases.values(),
    ]
    for data_source, truth, info in infos:
        for preset in ("medu1", "robust"):
            for response in (respond(answer), f"\\boxed{{{answer}}}"):
                assert_contract(compute_score(data_source, response, truth, info, preset=preset))
    assert not target.exists() and list(tmp_path.iterdir()) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(CODE_ANSWERS), st.text(alphabet="0123456789.,= ()'", max_size=6))
def test_generated_code_answers_create_no_file(cases, tmp_path: Path, template: str, noise: str) -> None:
    target = tmp_path / "generated"
    answer = template.format(path=str(target)) + noise
    for data_source, truth, info in cases.values():
        compute_score(data_source, respond(answer), truth, info, preset="robust")
        compute_score(data_source, respond(answer), truth, info, preset="medu1")
    assert not target.exists()
