"""Property: a response naming two different option letters, each led as an answer, is never credited.

"Led as an answer" means introduced by an answer lead-in ("Answer:", "The answer is", "My choice:", …) or,
inside an answer, opening a statement ("(A) text", "A. text"). Checked in both presets, with and without the
free-form fallback, in a tag, in a \\boxed{} and in tag-less prose, for either letter as the ground truth.
(The fallback reads only the tail of the prose, after the last </think> or a final-answer heading line, so
letters before those are reasoning, not answers.)
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reward_score import compute_score

OPTIONS = {"A": "Naloxone", "B": "Flumazenil", "C": "Physostigmine", "D": "Atropine", "E": "Anti-D IgG"}
INFO = {"task": "mcq", "options": json.dumps(OPTIONS)}
LEADS = [
    "Answer: ",
    "answer: ",
    "The answer is ",
    "The final answer is ",
    "Final answer: ",
    "Final answer — ",
    "Answer：",
    "Answer → ",
    "My answer is ",
    "My choice: ",
    "The correct option is ",
    "The correct answer is: ",
]
STATEMENT_LEADS = ["({}) ", "{}. ", "{}) ", "**{}.** ", "[{}] "]
# What separates the two answers (real text always has a space or a mark between two statements).
FILLERS = [" ", ". ", ".\n", "\n", " Actually, ", " or maybe ", " Hmm. ", " and ", "; ", " — ", "\n\n", ", "]


@st.composite
def two_answers(draw: st.DrawFn) -> tuple[str, str, str, bool]:
    """(answer text, first letter, second letter, statement-led) with two different letters."""
    first, second = draw(st.lists(st.sampled_from(sorted(OPTIONS)), min_size=2, max_size=2, unique=True))
    statement_led = draw(st.booleans())
    parts = []
    for letter in (first, second):
        if statement_led:
            lead = draw(st.sampled_from(STATEMENT_LEADS)).format(letter)
            parts.append(lead + draw(st.sampled_from([OPTIONS[letter], "is best", "fits"])))
        else:
            form = draw(st.sampled_from(["{}", "({})", "**{}**", "{}.", "{})", "{} ({})"]))
            parts.append(draw(st.sampled_from(LEADS)) + form.format(letter, OPTIONS[letter]))
        parts.append(draw(st.sampled_from(FILLERS)))
    return "".join(parts).strip(), first, second, statement_led


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    two_answers(),
    st.sampled_from(["tag", "boxed", "prose"]),
    st.sampled_from(["", "Let me think.\n", "<think>reasoning</think>\n"]),
)
def test_two_answers_are_never_credited(answers: tuple[str, str, str, bool], wrap: str, prefix: str) -> None:
    text, first, second, statement_led = answers
    if wrap == "prose" and statement_led:
        return  # statement leads count inside an answer only; prose lists options before answering
    response = {
        "tag": f"<think>x</think><answer>{text}</answer>",
        "boxed": f"{prefix}\\boxed{{{text}}}",
        "prose": f"{prefix}{text}",
    }[wrap]
    for preset in ("medu1", "robust"):
        for freeform in (False, True):
            for truth in (first, second):
                result = compute_score(
                    "medqa", response, truth, INFO, preset=preset, freeform_fallback=freeform
                )
                assert result["acc"] == 0.0 and result["answer"] <= 0.0, (response, preset, freeform, result)
