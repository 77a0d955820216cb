"""The evaluation-only free-form fallback: find the answer in a response that has no answer tag.

Why: the baselines an evaluation compares against (an instruct model before RL, other papers' models)
answer in prose, and scoring every tag-less response as unanswered measures the tags, not the medicine.
The fallback only *locates* an answer string in the prose; the configured rule (exact or robust) then reads
it, so the fallback never makes a reading more lenient than the same string inside a tag. It is off in both
presets and must stay off in training: a reward must not pay prose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from reward_score.grade import PRED_MAX_CHARS, Grade, Grader
from reward_score.lead_in import ANSWER_NOUN, COPULA, QUALIFIER, SEPARATOR
from reward_score.mcq import comparable, letters_by_text, read_mcq
from reward_score.normalize import fold_unicode

FREEFORM_TAIL_MAX_CHARS = 8192
"""Only the last this-many characters of the tail are read (the answer of a prose response is at its end;
a long text answer is cut to its end)."""
SEGMENT_MAX_CHARS = 300
"""An anchored answer is the rest of its line, cut at this length."""


_THINK_CLOSE = "</think>"
# A heading line: "## Final Response", "**Final Answer**", or "Final answer" alone on its line.
_HEADING = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*final[ \t]+(?:response|answer)|\*\*final[ \t]+(?:response|answer):?\*\*"
    r"|final[ \t]+(?:response|answer)[ \t]*:?[ \t]*$)",
    re.I | re.M,
)
# What joins an anchor word to its answer in prose: "is", "would be:" or a separator, after bold marks.
_ANCHOR_JOIN = rf"\**\s*(?:{COPULA}\b\s*[:\-]?|{SEPARATOR})"
_MCQ_ANCHOR = re.compile(
    rf"\b(?:{QUALIFIER}\s+{ANSWER_NOUN}|(?:the|my)\s+(?:answer|choice)|answer){_ANCHOR_JOIN}\s*(not\b)?",
    re.I,
)
_CALC_ANCHOR = re.compile(
    rf"(?:[=\u2248]|\b(?:answer|result|value|score|total|date|age){_ANCHOR_JOIN}"
    r"|\bis\s+(?:approximately|about|around|roughly)\b)\s*(not\b)?",
    re.I,
)
_CLAUSE_END = re.compile(r"[.;,!?]\s|\n")
# Words that make what they qualify a non-answer: "the wrong diagnosis is X", "X is incorrect".
_NEGATING = r"wrong|incorrect|false|inappropriate|least\s+(?:likely|appropriate)"
_NEGATION = re.compile(
    r"\b(?:not|no|never|unlikely|exclude[ds]?|excluding|rule[sd]?\s+out|ruling\s+out|rather\s+than"
    rf"|instead\s+of|against|{_NEGATING})\b|n't\b",
    re.I,
)
# A negating word right before an anchor: "The wrong answer is C" names no answer.
_NEGATED_ANCHOR = re.compile(rf"\b(?:{_NEGATING})\W*$", re.I)
_LETTER_LED_LINE = re.compile(r"^[ \t>*\-]*[(\[]?\**([A-Z])\**[).\]:]", re.M)
_LONE_LETTER = re.compile(r"[(\[]?([A-Za-z])[)\]]?[.:)]*")
# The letter an anchored answer opens with, however it goes on ("A Answer: B}", "(C) because …").
_OPENING_LETTER = re.compile(r"[\s(\[*_`{:]*(?:([A-Z])(?![\w'\-])|([a-z])(?=[).:\]]|\s*$))")


def freeform_tail(text: str) -> str:
    """The text after the last ``</think>`` (the whole text without one), cut to its last
    :data:`FREEFORM_TAIL_MAX_CHARS`, then from its last heading line ("## Final Response", "**Final Answer**",
    "Final answer" alone on a line) on; an inline "Final answer: C" is an anchor, not a heading."""
    cut = text.rfind(_THINK_CLOSE)
    tail = text[cut + len(_THINK_CLOSE) :] if cut >= 0 else text
    tail = tail[-FREEFORM_TAIL_MAX_CHARS:]
    headings = list(_HEADING.finditer(tail))
    return (tail[headings[-1].start() :] if headings else tail).strip()


def _segments(tail: str, anchor: re.Pattern) -> list[tuple[int, str]]:
    """(position, text) after each non-negated anchor, up to the end of its line or the next anchor."""
    matches = list(anchor.finditer(tail))
    next_starts = [match.start() for match in matches[1:]] + [len(tail)] if matches else []
    found = []
    for match, next_start in zip(matches, next_starts, strict=True):
        if match.group(1) or _NEGATED_ANCHOR.search(tail[max(0, match.start() - 24) : match.start()]):
            continue
        line_end = tail.find("\n", match.end())
        end = min(line_end if line_end >= 0 else len(tail), next_start)
        segment = tail[match.end() : end][:SEGMENT_MAX_CHARS]
        found.append((match.end(), segment.strip().rstrip(".").strip()))
    return found


def _hedge(answer: str) -> Grade:
    return Grade(-1.0, 0.0, 1.0, answer[:PRED_MAX_CHARS], "hedge")


def _opening_letter(segment: str) -> str | None:
    match = _OPENING_LETTER.match(segment)
    return (match.group(1) or match.group(2).upper()) if match else None


def _later_letter_led(tail: str, position: int, letter: str | None) -> bool:
    """A line after the one holding ``position`` that opens with another letter ("(D) text", "D. text"):
    a retraction of the anchored answer."""
    line_end = tail.find("\n", position)
    if line_end < 0:
        return False
    return any(m.group(1) != letter for m in _LETTER_LED_LINE.finditer(tail, line_end + 1))


def _option_at_edge(tail: str, options: Mapping[str, str]) -> tuple[str, str] | None | Grade:
    """The option whose exact text opens or ends the tail and whose clause has no negation ("The diagnosis
    is not X" names nothing); the longest text wins at each edge; two different options are a hedge."""
    text = comparable(tail)
    found = {}
    for letter, option in options.items():
        own = comparable(option)
        if not own:
            continue
        if text.startswith(own) and not text[len(own) : len(own) + 1].isalnum():
            clause = _CLAUSE_END.split(text[len(own) :], maxsplit=1)[0]
            if not _NEGATION.search(clause) and len(own) > len(found.get("start", ("", ""))[1]):
                found["start"] = (letter, own)
        if text.endswith(own) and not text[-len(own) - 1 : -len(own)].isalnum():
            clause = _CLAUSE_END.split(text[: -len(own)])[-1]
            if not _NEGATION.search(clause) and len(own) > len(found.get("end", ("", ""))[1]):
                found["end"] = (letter, own)
    letters = {letter for letter, _ in found.values()}
    if len(letters) > 1:
        return _hedge(tail)
    if not letters:
        return None
    return options[letters.pop()], "freeform_option_text"


def _locate_mcq(tail: str, options: Mapping[str, str]) -> tuple[str, str] | None | Grade:
    """(answer string, rule), a hedge, or None: the last anchored answer (all anchored answers must name
    one letter, and no later line may open with another letter), else a lone letter on the last line, else
    an option's text at an edge of the tail."""
    index = letters_by_text(options)
    readings = [(pos, seg, read_mcq(seg, options, index)) for pos, seg in _segments(tail, _MCQ_ANCHOR)]
    answers = [(pos, seg, r) for pos, seg, r in readings if r.letter or r.rule in ("hedge", "not_an_option")]
    named = {r.letter for *_, r in answers} | {_opening_letter(segment) for _, segment, _ in readings}
    if len(named - {None}) > 1 or any(r.rule == "hedge" for *_, r in answers):
        return _hedge(answers[-1][1] if answers else tail)
    if answers:
        pos, segment, reading = answers[-1]
        if _later_letter_led(tail, pos, reading.letter):
            return _hedge(segment)
        return segment, "freeform_anchor"
    last_line = tail.rsplit("\n", 1)[-1].strip()
    if _LONE_LETTER.fullmatch(comparable(last_line).upper()):
        return last_line, "freeform_last_line"
    return _option_at_edge(tail, options) if options else None


def _relabel(grade: Grade, rule: str) -> Grade:
    """The grader's result with the fallback's rule, unless the answer was not read or is a hedge."""
    return grade._replace(rule=rule) if grade.parsed and grade.rule != "hedge" else grade


def grade_freeform(text: str, task: str, grader: Grader, options: Mapping[str, str]) -> Grade | None:
    """Grade a tag-less response with ``grader`` (the task's configured rule), or None when the prose holds
    no answer. MCQ: see :func:`_locate_mcq`. Calc: the text after the last anchor ("= 25.2",
    "answer is 25.2 mL/min", "is approximately 4") that holds a digit, to the end of its clause. Text: the
    whole tail."""
    tail = freeform_tail(text)
    if not tail:
        return None
    if task == "text":
        return _relabel(grader(tail), "freeform_tail")
    tail = fold_unicode(tail)
    if task == "calc":
        for _, segment in reversed(_segments(tail, _CALC_ANCHOR)):
            if any(char.isdigit() for char in segment):
                grade = grader(segment)
                if not grade.parsed:  # "25.2 mL/min, which is stage 3": the value's own clause
                    grade = grader(_CLAUSE_END.split(segment, maxsplit=1)[0].strip())
                return _relabel(grade, "freeform_anchor")
        return None
    located = _locate_mcq(tail, options)
    if located is None or isinstance(located, Grade):
        return located
    answer, rule = located
    return _relabel(grader(answer), rule)
