"""Answer-letter collapse of an MCQ benchmark: which letters the model answers, which letters are right,
and what the best constant answer would score on the same questions.

Why: a policy trained by GRPO on a few hundred MCQ rows can learn to answer one letter for every
question; its accuracy then equals the share of that letter among the gold answers and looks like
learning. Reporting the answer-letter distribution next to the gold-letter distribution and the best
constant letter's accuracy makes such a collapse visible in the same table as the accuracy.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from reward_score.mcq import OFFICIAL_LETTERS

#: The bucket of responses that name no single option letter (unparsed, or a hedge between letters).
NO_LETTER = "none"


def answer_letter(record: dict[str, Any]) -> str:
    """The single option letter a scored MCQ sample answered, else :data:`NO_LETTER`.

    Both MCQ graders store the letter they read in ``pred`` when they read one; a hedge is parsed but
    names no single letter, so it falls in the same bucket as an unparsed answer.
    """
    pred = str(record.get("pred", "")).strip().upper()
    read = float(record.get("parsed", 0.0)) == 1.0 and record.get("rule") != "hedge"
    return pred if read and pred in OFFICIAL_LETTERS else NO_LETTER


def _gold(record: dict[str, Any]) -> str:
    return str(record["ground_truth"]).strip().upper()


def letter_distribution(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The letter view of one MCQ benchmark's samples.

    Returns ``answers`` (samples per answered letter, :data:`NO_LETTER` included), ``top_letter`` and
    ``top_letter_share`` (the most common answered letter and its share among the samples that answered a
    letter; 0 when none did), ``gold`` (questions per gold letter), and ``best_constant_letter`` /
    ``best_constant_acc``: the letter whose constant answer scores best on the same samples (its share
    among the samples' gold letters; ties go to the earlier letter), next to which ``acc`` is judged.
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
        "top_letter_share": top_count / answered if answered else 0.0,
        "gold": dict(sorted(Counter(questions.values()).items())),
        "best_constant_letter": best,
        "best_constant_acc": best_count / len(records),
    }
