"""Answer-letter collapse of an MCQ benchmark: which letters the model answers, which letters are right,
and what the best constant answer would score on the same questions.

Why: a policy trained by GRPO on a few hundred MCQ rows can learn to answer one letter for every
question; its accuracy then equals the share of that letter among the gold answers and looks like
learning. Reporting the answer-letter distribution next to the gold-letter distribution and the best
constant letter's accuracy makes such a collapse visible in the same table as the accuracy.

The letter is the one the answer *names*, whatever the scoring preset credited: under the paper's
exact-letter rule "C. Staph" is no letter (wrong), yet a policy answering "C. <text>" everywhere has
collapsed onto C just the same (measured: a demo run whose every MCQ answer had that form showed 0 letter
answers, and a top-letter share of 0 would have passed the collapse limit).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from reward_score.extraction import extract_answer
from reward_score.mcq import OFFICIAL_LETTERS, parse_options, read_mcq

#: The bucket of responses that name no single option letter (unparsed, or a hedge between letters).
NO_LETTER = "none"


def answer_letter(record: dict[str, Any]) -> str:
    """The single option letter a scored MCQ sample's answer names, else :data:`NO_LETTER`.

    The letter the grader read (``pred`` of a parsed sample) when it read one; otherwise the robust MCQ
    reader's letter for the ``<answer>`` content ("C. <text>", "Option C", the text of option C), so the
    view does not depend on the preset. A hedge ("A or B") names no single letter.
    """
    pred = str(record.get("pred", "")).strip().upper()
    if float(record.get("parsed", 0.0)) == 1.0 and record.get("rule") != "hedge" and pred in OFFICIAL_LETTERS:
        return pred
    answer, _ = extract_answer(str(record.get("response") or ""))
    if answer is None:
        return NO_LETTER
    options = parse_options((record.get("extra_info") or {}).get("options"))
    return read_mcq(answer, options).letter or NO_LETTER


def _gold(record: dict[str, Any]) -> str:
    return str(record["ground_truth"]).strip().upper()


def letter_distribution(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The letter view of one MCQ benchmark's samples.

    Returns ``answers`` (samples per answered letter, :data:`NO_LETTER` included), ``top_letter`` and
    ``top_letter_share`` (the most common answered letter and its share among the samples that answered a
    letter; NaN when none did: no letter answered is not a spread of letters), ``gold`` (questions per
    gold letter), and ``best_constant_letter`` / ``best_constant_acc``: the letter whose constant answer
    scores best on the same samples (its share among the samples' gold letters; ties go to the earlier
    letter), next to which ``acc`` is judged.
    """
    answers = Counter(answer_letter(r) for r in records)
    letters = Counter({k: v for k, v in answers.items() if k != NO_LETTER})
    answered = sum(letters.values())
    top_letter, top_count = min(letters.items(), key=lambda kv: (-kv[1], kv[0])) if letters else ("", 0)
    questions = {(str(r["split"]), int(r["index"])): _gold(r) for r in records}
    gold_per_sample = Counter(_gold(r) for r in records)
    best, best_count = min(gold_per_sample.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "answers": dict(sorted(answers.items())),
        "top_letter": top_letter,
        "top_letter_share": top_count / answered if answered else math.nan,
        "gold": dict(sorted(Counter(questions.values()).items())),
        "best_constant_letter": best,
        "best_constant_acc": best_count / len(records),
    }
