"""Real open-ended (question, reference) pairs and the answers built from them, one kind per way to game a
text reward or to answer well: the suite ``recipe.medu1.eval.text_suite`` scores.

Sources (under the real-data root, ``MEDU1_REAL_DATA``): medical-o1's 1000 test rows as the official
Med-U1 repository ships them (``huatuo_test.json``), and MedQuAD, LiveQA and MedicationQA through their
converters (so the question and reference are exactly what a training row holds).

How each answer is built from a pair (``other`` is another pair of the same source, drawn with a seeded
generator; "key terms" are the reference's content terms outside the question, in order, rarest first
where a choice is made):

- should credit: ``reference`` (verbatim); ``paraphrase`` (the reference's sentences in reverse order, the
  shortest dropped when there are four or more: a faithful reordering and selection); ``concise`` (the
  reference's leading sentences up to at least 25 words and at most three sentences).
- gaming (never credit): ``echo`` (the question); ``echo_partial`` (its last sentence, or first half of its
  words); ``keyword`` (the longest question word the reference also holds, the issue's one-word answer);
  ``term_list`` (the question's terms, three key terms and nine of ``other``'s, comma-separated);
  ``hedge`` (the concise answer "or" the rarest key term of ``other`` absent from this pair);
  ``repetition`` (one key term forty times); ``boilerplate`` (a safety disclaimer after the question);
  ``padded`` (the question, the disclaimer and four other references of the source);
  ``fluent_wrong`` (``other``'s reference, of the same question type when the source has types);
  ``swapped`` (the reference with its three rarest key terms of the first sentence replaced everywhere
  by ``other``'s: the same text stating other facts).
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from pathlib import Path
from typing import NamedTuple

import pyarrow.parquet as pq

from data_preprocess.registry import dataset
from reward_score.content import idf_weights
from reward_score.content_words import content_terms

GOOD_KINDS = ("reference", "paraphrase", "concise")
GAMING_KINDS = ("echo", "echo_partial", "keyword", "term_list", "hedge", "repetition", "boilerplate",
                "padded", "fluent_wrong", "swapped")  # fmt: skip
SOURCES = ("medical_o1", "medquad", "liveqa", "medicationqa")
MEDICAL_O1_TEST = "med-u1-reference/deepscaler/data/test/huatuo_test.json"
BOILERPLATE = (
    "I am not a doctor, but I can share some general information. It is important to consult your "
    "healthcare provider or a qualified medical professional for an accurate diagnosis and appropriate "
    "treatment, because symptoms and treatment options can vary from person to person. Please seek "
    "medical advice before making any changes."
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])")
_ANSWER_TAGS = re.compile(r"</?answer>")


class Pair(NamedTuple):
    source: str
    question: str
    reference: str
    category: str


class Case(NamedTuple):
    """One answer to score: its pair, its kind and whether a medical reader would accept it."""

    pair: Pair
    kind: str
    answer: str
    should_credit: bool


def load_pairs(data_root: Path) -> dict[str, list[Pair]]:
    """{source: pairs} from the real copies (a source whose copy is absent is left out)."""
    pairs: dict[str, list[Pair]] = {}
    o1 = data_root / MEDICAL_O1_TEST
    if o1.is_file():
        rows = json.loads(o1.read_text(encoding="utf-8"))
        pairs["medical_o1"] = [
            Pair("medical_o1", r["problem"].strip(), _ANSWER_TAGS.sub("", r["answer"]).strip(), "")
            for r in rows
        ]
    for module in SOURCES[1:]:
        entry = dataset(module)
        if not (data_root / entry.real_copy).exists():
            continue
        convert = __import__(f"data_preprocess.{module}", fromlist=["convert"]).convert
        with tempfile.TemporaryDirectory() as out:
            written = convert(str(data_root / entry.real_copy), out)
            rows = [r for split in written for r in pq.read_table(Path(out) / f"{split}.parquet").to_pylist()]
        pairs[module] = [
            Pair(module, r["extra_info"]["question"], r["reward_model"]["ground_truth"],
                 r["extra_info"]["category"])
            for r in rows
        ]  # fmt: skip
    return pairs


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text.strip()) if s]


def key_terms(pair: Pair) -> list[str]:
    """The reference's distinct content terms outside the question, in order of first appearance."""
    asked = set(content_terms(pair.question))
    return list(dict.fromkeys(t for t in content_terms(pair.reference) if t not in asked))


def _rarest(terms: list[str], n: int) -> list[str]:
    weights, unseen = idf_weights()
    return sorted(terms, key=lambda t: -weights.get(t, unseen))[:n]


def concise(reference: str) -> str:
    parts = sentences(reference)
    taken: list[str] = []
    while parts and len(taken) < 3 and len(" ".join(taken).split()) < 25:
        taken.append(parts.pop(0))
    return " ".join(taken)


def paraphrase(reference: str) -> str:
    parts = sentences(reference)
    if len(parts) >= 4:
        parts.remove(min(parts, key=len))
    return " ".join(reversed(parts))


def _swapped(pair: Pair, other: Pair) -> str | None:
    mine = _rarest([t for t in key_terms(pair) if t in content_terms(sentences(pair.reference)[0])], 3)
    theirs = [t for t in _rarest(key_terms(other), 6) if t not in set(content_terms(pair.reference))][:3]
    if len(mine) < 3 or len(theirs) < 3:
        return None
    text = pair.reference
    for old, new in zip(mine, theirs, strict=True):
        text = re.sub(rf"\b{re.escape(old)}(s|es)?\b", new, text, flags=re.IGNORECASE)
    return text


def _other(pair: Pair, pool: list[Pair], rng: random.Random) -> Pair:
    others = [p for p in pool if p.reference != pair.reference]
    same_type = [p for p in others if p.category and p.category == pair.category]
    candidates = same_type or others
    return rng.choice(candidates)


def build_cases(pair: Pair, pool: list[Pair], rng: random.Random) -> list[Case]:
    """Every kind of answer for one pair (a kind that cannot be built from it, e.g. no shared question
    word for ``keyword``, is left out)."""
    other = _other(pair, pool, rng)
    keys, other_keys = key_terms(pair), key_terms(other)
    asked = content_terms(pair.question)
    reference_terms = set(content_terms(pair.reference))
    q_sentences = sentences(pair.question)
    words = pair.question.split()
    partial = q_sentences[-1] if len(q_sentences) > 1 else " ".join(words[: max(1, len(words) // 2)])
    shared = sorted((w for w in set(re.findall(r"[A-Za-z]+", pair.question))
                     if w.lower() in set(asked) and w.lower() in reference_terms), key=len)  # fmt: skip
    foreign = [t for t in _rarest(other_keys, 10) if t not in reference_terms and t not in asked]
    padding = " ".join(p.reference for p in rng.sample(pool, 5) if p.reference != pair.reference)
    answers: dict[str, tuple[str | None, bool]] = {
        "reference": (pair.reference, True),
        "paraphrase": (paraphrase(pair.reference), True),
        "concise": (concise(pair.reference), True),
        "echo": (pair.question, False),
        "echo_partial": (partial, False),
        "keyword": (shared[-1] if shared else None, False),
        "term_list": (", ".join([*dict.fromkeys(asked), *keys[:3], *other_keys[:9]]), False),
        "hedge": (f"{concise(pair.reference)} or {foreign[0]}" if foreign else None, False),
        "repetition": (" ".join([keys[0]] * 40) if keys else None, False),
        "boilerplate": (f"{pair.question} {BOILERPLATE}", False),
        "padded": (f"{pair.question} {BOILERPLATE} {padding}", False),
        "fluent_wrong": (other.reference, False),
        "swapped": (_swapped(pair, other), False),
    }
    return [Case(pair, kind, answer, good) for kind, (answer, good) in answers.items() if answer]


def suite(data_root: Path, per_source: int | None = None, seed: int = 0) -> list[Case]:
    """Every case of (up to ``per_source``, seeded sample of) the pairs of every source present."""
    rng = random.Random(seed)
    cases = []
    for pairs in load_pairs(data_root).values():
        chosen = pairs if per_source is None or per_source >= len(pairs) else rng.sample(pairs, per_source)
        for pair in chosen:
            cases += build_cases(pair, pairs, rng)
    return cases
