"""The rule table: every rule a grader can return is documented in RULES, and every documented rule fires."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import reward_score
from reward_score import RESULT_KEYS, RULES, TEXT_METRICS, compute_score

PACKAGE = Path(reward_score.__file__).parent
# Calls whose argument at this position is a rule name.
RULE_ARGUMENT = {"Grade": 4, "McqReading": 1, "_graded": 2, "_relabel": 1}


def rule_literals() -> set[str]:
    """Every string literal the package passes as a rule, or returns as the rule of an (answer, rule) pair."""
    found = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in RULE_ARGUMENT
            ):
                position = RULE_ARGUMENT[node.func.id]
                if len(node.args) > position and isinstance(node.args[position], ast.Constant):
                    found.add(node.args[position].value)
            returned = node.value if isinstance(node, ast.Return) else None
            if isinstance(returned, ast.Tuple) and isinstance(returned.elts[-1], ast.Constant):
                found.add(returned.elts[-1].value)
            if isinstance(node, ast.IfExp) and isinstance(node.body, ast.Constant):  # "a" if x else "b"
                if isinstance(node.orelse, ast.Constant) and node.body.value in RULES:
                    found.update((node.body.value, node.orelse.value))
    return {value for value in found if isinstance(value, str)}


def test_every_rule_in_the_code_is_documented_and_every_documented_rule_is_used() -> None:
    literals = rule_literals()
    assert literals - set(RULES) == set(), "rules returned but not documented in RULES"
    assert set(RULES) == literals | set(TEXT_METRICS)  # text rules are the metric names


OPTIONS = json.dumps({"A": "Naloxone", "B": "Flumazenil", "C": "Physostigmine"})
MCQ = {"task": "mcq", "options": OPTIONS}
CALC = {"task": "calc", "lower_limit": 24.0, "upper_limit": 26.0}
DATE = {"task": "calc", "calculator_id": 13, "output_type": "date"}
AGE = {"task": "calc", "calculator_id": 69}
TEXT = {"task": "text"}


def tagged(answer: str) -> str:
    return f"<think>x</think><answer>{answer}</answer>"


EXAMPLES = {  # rule -> (response, ground truth, extra_info, kwargs)
    "no_answer": ("no tags", "A", MCQ, {}),
    "too_long": (tagged("A" * 5000), "A", MCQ, {"preset": "robust"}),
    "exact_letter": (tagged("A"), "A", MCQ, {}),
    "letter": (tagged("(A)"), "A", MCQ, {"preset": "robust"}),
    "letter_lead": (tagged("A. Naloxone"), "A", MCQ, {"preset": "robust"}),
    "option_text": (tagged("Naloxone"), "A", MCQ, {"preset": "robust"}),
    "hedge": (tagged("A or B"), "A", MCQ, {"preset": "robust"}),
    "not_an_option": (tagged("D"), "A", MCQ, {"preset": "robust"}),
    "no_letter": (tagged("(A)"), "A", MCQ, {}),
    "number": (tagged("25.2"), "25.2", CALC, {}),
    "date": (tagged("2014-09-23"), "09/23/2014", DATE, {"preset": "robust"}),
    "weeks_days": (tagged("[17, 6]"), "('17 weeks', '6 days')", AGE, {"preset": "robust"}),
    "string": (tagged("09/23/2014"), "09/23/2014", DATE, {}),
    "no_value": (tagged("soon"), "25.2", CALC, {"preset": "robust"}),
    "freeform_anchor": ("The answer is A.", "A", MCQ, {"preset": "robust", "freeform_fallback": True}),
    "freeform_last_line": ("Hmm.\n**A**", "A", MCQ, {"preset": "robust", "freeform_fallback": True}),
    "freeform_option_text": ("It is Naloxone.", "A", MCQ, {"preset": "robust", "freeform_fallback": True}),
    "freeform_tail": ("</think>pneumonia", "pneumonia", TEXT, {"freeform_fallback": True}),
    **{metric: (tagged("pneumonia"), "pneumonia", TEXT, {"text_metric": metric}) for metric in TEXT_METRICS},
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_has_a_firing_example(rule: str) -> None:
    response, truth, info, kwargs = EXAMPLES[rule]
    result = compute_score("any_source", response, truth, info, **kwargs)
    assert tuple(result) == RESULT_KEYS and result["rule"] == rule
