"""Med-U1 rule-based reward for verl, plus the answer parsers and text metrics evaluation reuses.

Entry point: :func:`compute_score` (verl's ``custom_reward_function``). The task of a row is
``extra_info["task"]`` (one of :data:`TASKS`); every grader returns a :class:`Grade` whose ``rule`` is one
key of :data:`RULES`, and every result has exactly the keys :data:`RESULT_KEYS`.

Presets (kwarg ``preset``, see :class:`RewardSettings` for every setting):

``"medu1"`` (default) reproduces the official Med-U1 training reward exactly: format ±1, correctness ±1
(−2 when no answer), length term; MCQ exact letter, calc ``float(answer)`` within the dataset limits
(string equality for dates / week-day tuples), text Merge > 45. The response is the decoded response
alone (verl passes no prompt), so the official "cut after <|im_start|>assistant" step has nothing to do.
Bounds no real response reaches are added: text answers over ``TEXT_ANSWER_MAX_CHARS`` are scored wrong
without computing metrics, and ``pred`` is truncated to ``PRED_MAX_CHARS``; a non-string
``solution_str`` scores as an empty response.

Caution, kept for fidelity: the paper's EMS is a precision over the answer's tokens without recall, so a
one-word answer found in the reference earns EMS 100, Merge ≥ 50 > 45 and full reward, while a reference
with repeated words fails against itself. ``preset="robust"`` grades text with the ``content`` metric
(:mod:`reward_score.content`) instead.

``"robust"`` keeps the format and length terms and changes only how correctness is read:

- extraction: an answer that is wholly ``\\boxed{X}`` counts as ``X``; without any ``<answer>`` tag pair the
  last ``\\boxed{…}`` is used (the format term stays −1 because the tags are missing);
- MCQ: answers and option texts are Unicode-folded the same way; markdown, LaTeX text wrappers, list
  markers, lead-ins ("Answer:", "The answer is", "My choice:", "Option") and brackets are ignored; "B. text",
  "(B) text", "B – text", "B (text)" and exactly an option's text are accepted; several letters, a
  letter followed by a second answer or another option's text are hedges (read, wrong);
- text: ``content`` > 60 — IDF-weighted precision and coverage of the reference's terms with the
  question's words (``extra_info["question"]``) discounted; hedges and repetition score 0;
- calc: MedCalc-Bench's grading (calendar dates, (weeks, days), ``round(value) == truth`` for integer
  scores, limits for decimals) with one value read from prose and units, never ``eval()``.

``freeform_fallback`` (off in both presets, evaluation only) reads an answer from tag-less prose.
"""

from reward_score.calc import (
    CALC_ANSWER_MAX_CHARS,
    CalcTarget,
    calc_target,
    grade_calc,
    parse_date,
    parse_gestational_age,
    parse_number,
)
from reward_score.extraction import extract_answer, last_answer_tag, last_boxed
from reward_score.format import format_reward, has_think_answer_structure
from reward_score.freeform import freeform_tail, grade_freeform
from reward_score.grade import NUMERIC_RESULT_KEYS, PRED_MAX_CHARS, RESULT_KEYS, RULES, TASKS, Grade
from reward_score.length import length_reward
from reward_score.mcq import (
    MCQ_ANSWER_MAX_CHARS,
    McqReading,
    grade_mcq_exact,
    grade_mcq_robust,
    letters_by_text,
    parse_options,
    read_mcq,
)
from reward_score.normalize import fold_unicode
from reward_score.score import compute_score
from reward_score.settings import PRESETS, RewardSettings, resolve_settings
from reward_score.text import (
    TEXT_ANSWER_MAX_CHARS,
    TEXT_METRICS,
    bleu,
    ems,
    grade_text,
    merge,
    normalize_text,
    rouge_l,
    text_metric,
    token_f1,
)

__all__ = [
    "CALC_ANSWER_MAX_CHARS",
    "MCQ_ANSWER_MAX_CHARS",
    "NUMERIC_RESULT_KEYS",
    "PRED_MAX_CHARS",
    "PRESETS",
    "RESULT_KEYS",
    "RULES",
    "TASKS",
    "TEXT_ANSWER_MAX_CHARS",
    "TEXT_METRICS",
    "CalcTarget",
    "Grade",
    "McqReading",
    "RewardSettings",
    "bleu",
    "calc_target",
    "compute_score",
    "ems",
    "extract_answer",
    "fold_unicode",
    "format_reward",
    "freeform_tail",
    "grade_calc",
    "grade_freeform",
    "grade_mcq_exact",
    "grade_mcq_robust",
    "grade_text",
    "has_think_answer_structure",
    "last_answer_tag",
    "last_boxed",
    "length_reward",
    "letters_by_text",
    "merge",
    "normalize_text",
    "parse_date",
    "parse_gestational_age",
    "parse_number",
    "parse_options",
    "read_mcq",
    "resolve_settings",
    "rouge_l",
    "text_metric",
    "token_f1",
]
