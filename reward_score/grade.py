"""The one result type of every grader, the closed set of rule names, and the keys ``compute_score`` returns.

Why one type: training metrics, the evaluation report and the tests all read the same five fields, and the
``rule`` field records *which* rule decided, so an evaluation can show how answers were read (and a reward
hole shows up as a rule that fires too often) instead of only whether they were correct.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

TASKS = ("mcq", "calc", "text")
"""The task names ``extra_info["task"]`` may hold; the converters write one of them on every row."""
PRED_MAX_CHARS = 1024
"""``pred`` is truncated to this length so a runaway answer cannot bloat verl's per-sample dumps."""


class Grade(NamedTuple):
    """One graded answer. ``term`` is the correctness term (+1 / −1, 0 for an ungradable ground truth, the
    scaled metric for a continuous text reward); ``acc`` is 1.0 iff correct; ``parsed`` is 1.0 iff an answer
    of the task's kind was read (a hedge counts as read: it is an answer, and a wrong one); ``pred`` is what
    was read (letter, value, text), truncated; ``rule`` is one key of :data:`RULES`."""

    term: float
    acc: float
    parsed: float
    pred: str
    rule: str


Grader = Callable[[str], Grade]
"""A task's grading rule with the row's ground truth and fields bound: answer string → Grade."""

RULES: dict[str, str] = {
    "no_answer": "no answer was found: no <answer> tag (nor \\boxed{} / free-form answer when enabled)",
    "too_long": "the answer is longer than the task parser's cap and was not read",
    "exact_letter": "MCQ, paper rule: the answer is exactly one of the letters A-N",
    "letter": "MCQ: one option letter, alone or decorated (markdown, brackets, lead-ins such as 'Answer:')",
    "letter_lead": "MCQ: a letter followed by its own option text, or by text naming no other option",
    "option_text": "MCQ: exactly one option's text",
    "hedge": "MCQ: several letters, a retraction, a second answer or another option's text (read, wrong)",
    "not_an_option": "MCQ: one letter that is not among the question's options",
    "no_letter": "MCQ: no single option letter or option text could be read",
    "number": "calc: one numeric value (paper rule: float(answer); robust: read from units and prose)",
    "date": "calc: one calendar date",
    "weeks_days": "calc: one (weeks, days) gestational age",
    "string": "calc, paper rule with a non-numeric ground truth: string equality",
    "no_value": "calc: no single value of the expected kind could be read",
    "merge": "text: Merge = 0.5 EMS + 0.5 BLEU against the reference",
    "ems": "text: EMS against the reference",
    "bleu": "text: BLEU against the reference",
    "rougeL": "text: ROUGE-L F1 against the reference",
    "f1": "text: token F1 against the reference",
    "content": "text: IDF-weighted precision/coverage of the reference's terms outside the question",
    "freeform_anchor": "free-form fallback: the answer after the last lead-in ('the answer is D', '= 25.2')",
    "freeform_last_line": "free-form fallback: a lone letter on the last line",
    "freeform_option_text": "free-form fallback: an option's exact text at the start or end of the tail",
    "freeform_tail": "free-form fallback, text task: the whole tail after the reasoning",
}
"""Every rule a grader can report, with its one-line meaning (the evaluation report's "parsed by rule")."""

RESULT_KEYS = ("score", "acc", "format", "answer", "length", "parsed", "pred", "rule")
"""The keys of every ``compute_score`` result, in order (verl stacks them per batch: they never vary)."""
NUMERIC_RESULT_KEYS = tuple(key for key in RESULT_KEYS if key not in ("pred", "rule"))
"""The float-valued result keys, the ones training metrics average."""
