"""Multiple-choice answers: the paper's exact letter match and the robust letter / option-text reader.

The robust reader is stricter than an evaluation parser on purpose: it is a reward, and a policy that writes
two answers must not be paid for either. A leading letter is accepted only when what follows is that
option's own text, or names no other option letter, has no second answer lead-in ("answer is", "actually",
…) and no second letter-led statement; otherwise the answer is a *hedge* (read, and wrong).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import NamedTuple

from reward_score.grade import PRED_MAX_CHARS, Grade
from reward_score.lead_in import ANSWER_NOUN, COPULA, QUALIFIER, SEPARATOR
from reward_score.normalize import fold_unicode

OFFICIAL_LETTERS = frozenset("ABCDEFGHIJKLMN")
"""Ground truths the paper's code grades; any other ground truth gives a correctness term of 0."""
MCQ_ANSWER_MAX_CHARS = 4096
"""Robust reading ignores answers longer than this (real answers are a letter or one option's text)."""

_MARKUP = re.compile(r"\\(?:textbf|text|mathbf|mathrm|textit|emph)\{([^{}]*)\}")
# Repeated list / quote markers ("- ", "1. ", "> ") and lead-ins ("The final answer is:", "Option", "My
# choice →"), in any order, at the start of the answer.
_LEADS = re.compile(
    rf"(?:(?:[-+>]|\d{{1,3}}[.)])\s+|(?:(?:the|my)\s+)?(?:{QUALIFIER}\s+)?{ANSWER_NOUN}"
    rf"\b(?:\s+{COPULA})?\s*{SEPARATOR}?\s*)+",
    re.I,
)
_SINGLE = re.compile(r"[(\[]?([A-Za-z])[)\]]?[.:)]*")
_SEVERAL = re.compile(
    r"(?:(?:both|either)\s+)?[(\[]?[A-Za-z][)\]]?"
    r"(?:\s*(?:,|/|&|\bor\b|\band\b|\bnor\b)\s*[(\[]?[A-Za-z][)\]]?)+\.?",
    re.I,
)
_LETTER_TOKEN = re.compile(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])")
# "B. text", "(B) text", "B) text", "B: text", "B, text", "B - text", "B (text)".
_PREFIXED = re.compile(r"[(\[]?([A-Za-z])(?:[).:,\]]|\s+-|\s+(?=\())\s*(\S.*)", re.S)
# A second lead-in inside a letter-led answer. Narrower than a leading one on purpose: an option's own
# explanation may say "the best option" or "surgical option: …" without naming a second answer.
_SECOND_LEAD = re.compile(
    rf"\b(?:(?:final|correct|right)\s+{ANSWER_NOUN}|answer\s+{COPULA}|actually"
    r"|changed?\s+my\s+mind|on\s+second\s+thought|scratch\s+that|i\s+mean)\b"
    rf"|\b(?:answer|choice)\s*{SEPARATOR}",
    re.I,
)
_UPPER_LETTER = re.compile(r"(?<![\w'\-])[A-Z](?![\w'\-])")
# What, right before a capital, makes it a second answer: a joiner ("or C", "A/C") or a contrast ("B, but
# C would be better", "although C is correct").
_JOINED = re.compile(
    r"(?:\b(?:or|and|nor|vs|versus|either|both|option|choice|answer|letter|not|than|but|although|though"
    r"|however|whereas|instead|rather|actually)\.?|[,/&])\s*$",
    re.I,
)
_JOINER = re.compile(r"(?:or|and|,|/|&)\s*", re.I)
_PLAIN_WORD_BEFORE = re.compile(r"\w\s+$")
_PHRASE_AFTER = re.compile(r"\s+\w")
_PRONOUN_OR_ARTICLE = re.compile(r"\s+[a-z]")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)$")


class McqReading(NamedTuple):
    """What the robust reader made of an answer: the letter it names (None when it names none it can
    credit) and the rule that decided (a key of ``reward_score.grade.RULES``)."""

    letter: str | None
    rule: str


def parse_options(value: object) -> dict[str, str]:
    """Letter → option text from ``extra_info["options"]``: a dict or a JSON object string; None, NaN or ""
    means no options. Letters mapped to None are absent (a parquet struct column holds every letter).

    Raises ValueError for anything else — a data error, reported whatever the response is.
    """
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueError(f"extra_info['options'] is not valid JSON: {error}") from None
    if not isinstance(value, Mapping):
        raise ValueError(
            f"extra_info['options'] must be a letter -> text mapping, got {type(value).__name__}"
        )
    options = {}
    for letter, text in value.items():
        if text is None:
            continue
        if not (isinstance(letter, str) and len(letter.strip()) == 1 and letter.strip().isalpha()):
            raise ValueError(f"extra_info['options'] key {letter!r} is not a single letter")
        if not isinstance(text, str):
            raise ValueError(f"extra_info['options'][{letter!r}] must be a string, got {type(text).__name__}")
        options[letter.strip().upper()] = text
    return options


def unmarked(text: str) -> str:
    """Unicode folded, LaTeX ``\\textbf{X}``-style wrappers and markdown emphasis/code marks removed,
    whitespace runs collapsed to one space. Strikethrough ``~~X~~`` is kept, so it stays unread."""
    text = fold_unicode(text)
    if "\\" in text:
        text = _MARKUP.sub(r"\1", text)
    return " ".join(text.replace("*", "").replace("_", "").replace("`", "").split())


def comparable(text: str) -> str:
    """Case-, whitespace-, markdown- and Unicode-insensitive form in which answers meet option texts."""
    return unmarked(text).rstrip(".").rstrip().casefold()


def letters_by_text(options: Mapping[str, str]) -> dict[str, list[str]]:
    """Comparable option text → the letters that carry it (several if the dataset repeats a text)."""
    index: dict[str, list[str]] = {}
    for letter, text in options.items():
        index.setdefault(comparable(text), []).append(letter)
    return index


def strip_leads(text: str) -> str:
    """An unmarked text without its leading list markers and lead-ins ("Answer:", "The answer is", …)."""
    match = _LEADS.match(text)
    return text[match.end() :] if match else text


def _names_another_letter(rest: str, letter: str, options: Mapping[str, str]) -> bool:
    """Whether the text after a leading letter names another option letter as an answer would: bracketed
    "(C)", joined "or C" / "A/C", alone at a statement's start ("… . D. text") or at the end ("… C.").
    A capital inside a phrase ("vitamin A deficiency", "hepatitis C virus") and the words "A" / "I" before
    a lower-case word ("A common cause", "I think") are not letters."""
    for match in _UPPER_LETTER.finditer(rest):
        found = match.group()
        if found == letter or (options and found not in options):
            continue
        before, after = rest[max(0, match.start() - 12) : match.start()], rest[match.end() :]
        if before.endswith(("(", "[")) or after.startswith((")", "]")) or _JOINED.search(before):
            return True
        if not _PHRASE_AFTER.match(after):
            return True
        if _PLAIN_WORD_BEFORE.search(before):
            continue
        if not (found in "AI" and _SENTENCE_START.search(before) and _PRONOUN_OR_ARTICLE.match(after)):
            return True
    return False


def _read_prefixed(letter: str, rest: str, options: Mapping[str, str], index: Mapping) -> McqReading:
    if options and letter not in options:
        return McqReading(None, "not_an_option")
    own = comparable(rest)
    holders = index.get(own)
    if holders is None and own.startswith("(") and own.endswith(")"):
        holders = index.get(own[1:-1].strip())  # "A (Nadolol)"
    if holders is not None:
        return McqReading(letter, "letter_lead") if letter in holders else McqReading(None, "hedge")
    if _SECOND_LEAD.search(rest) or _names_another_letter(rest, letter, options):
        return McqReading(None, "hedge")
    # "B. or a", "(B)(a)": the text after the letter is itself a letter or a list of letters.
    after_joiner = rest[_JOINER.match(rest).end() :] if _JOINER.match(rest) else rest
    if _SINGLE.fullmatch(after_joiner) or _SEVERAL.fullmatch(after_joiner):
        others = {token.upper() for token in _LETTER_TOKEN.findall(after_joiner)} - {letter}
        if others and (not options or others & options.keys()):
            return McqReading(None, "hedge")
    return McqReading(letter, "letter_lead")


def read_mcq(
    answer: str, options: Mapping[str, str], index: Mapping[str, list[str]] | None = None
) -> McqReading:
    """Read the option an answer names; ``index`` is :func:`letters_by_text` of ``options`` (pass it when
    reading many answers to the same question).

    Accepted: "B", "b", "(B)", "[B]", "【B】", "B.", "**B**", "\\textbf{B}", "Answer: B", "Answer：（B）",
    "Final answer — B", "The answer is (B).", "My choice: B", "Option B", "- **B.** text", "B. <text>",
    "(B) <text>", "B) <text>", "B – <text>", "B (<text>)", and exactly an option's text. Hedges: several
    letters ("A or B", "A/B", "both A and C"), a letter followed by a second answer ("(A) x. (D) y",
    "A. x. Actually the answer is C") or by another option's text ("C. <text of A>"). Rejected: a letter not
    among ``options`` (when options are known), anything else.
    """
    if len(answer) > MCQ_ANSWER_MAX_CHARS:
        return McqReading(None, "too_long")
    if index is None:
        index = letters_by_text(options)
    whole = unmarked(answer)
    text = strip_leads(whole)
    holders = index.get(
        whole.rstrip(".").rstrip().casefold(), index.get(text.rstrip(".").rstrip().casefold())
    )
    if holders is not None:
        return McqReading(holders[0], "option_text") if len(holders) == 1 else McqReading(None, "no_letter")
    if single := _SINGLE.fullmatch(text):
        letter = single.group(1).upper()
        if options and letter not in options:
            return McqReading(None, "not_an_option")
        return McqReading(letter, "letter")
    if _SEVERAL.fullmatch(text):
        named = {token.upper() for token in _LETTER_TOKEN.findall(text)}
        if len(named) > 1:
            return McqReading(None, "hedge")
        letter = named.pop()
        if options and letter not in options:
            return McqReading(None, "not_an_option")
        return McqReading(letter, "letter")
    if prefixed := _PREFIXED.fullmatch(text):
        return _read_prefixed(prefixed.group(1).upper(), prefixed.group(2), options, index)
    return McqReading(None, "no_letter")


def grade_mcq_exact(answer: str, ground_truth: str) -> Grade:
    """Paper rule: +1 iff the answer equals the ground-truth letter exactly, −1 otherwise, and 0 when the
    ground truth is not one of the letters A–N. Parsed iff the answer is one such letter."""
    is_letter = answer in OFFICIAL_LETTERS
    rule, pred = ("exact_letter" if is_letter else "no_letter"), answer[:PRED_MAX_CHARS]
    if ground_truth not in OFFICIAL_LETTERS:
        return Grade(0.0, 0.0, float(is_letter), pred, rule)
    correct = answer == ground_truth
    return Grade(1.0 if correct else -1.0, float(correct), float(is_letter), pred, rule)


def grade_mcq_robust(
    answer: str, ground_truth: str, options: Mapping[str, str], index: Mapping[str, list[str]]
) -> Grade:
    """Robust rule: the letter :func:`read_mcq` reads must be the ground truth (case-insensitive); a hedge is
    parsed and wrong. A ground truth outside A–N gives a correctness term of 0, as under the paper's rule."""
    reading = read_mcq(answer, options, index)
    parsed = float(reading.letter is not None or reading.rule == "hedge")
    pred = reading.letter or answer[:PRED_MAX_CHARS]
    truth = ground_truth.strip().upper()
    if truth not in OFFICIAL_LETTERS:
        return Grade(0.0, 0.0, parsed, pred, reading.rule)
    correct = reading.letter == truth
    return Grade(1.0 if correct else -1.0, float(correct), parsed, pred, reading.rule)
