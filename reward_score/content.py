"""The ``content`` text metric: does the answer state the reference's key content, and little else?

Why: the paper's Merge (EMS precision + BLEU) pays one word of the question that the reference repeats,
and ROUGE-L pays an answer that copies the question when the reference restates it. This metric gives
the question's words no value and weighs what is left by rarity. Formula, each step's source and the
thresholds:

1. **Terms** (:func:`reward_score.content_words.content_terms`): lower-cased words, plurals folded,
   function words and boilerplate dropped.
2. **The question's terms count for nothing**, in the answer and the reference alike: an answer earns
   nothing for restating the question, and the reference's restatement is not content to cover. (The
   question-word removal of keyword-based short-answer grading, e.g. Mohler & Mihalcea's "answer
   demoting", EACL 2009.)
3. **Weights**: a term's IDF, ``1 + ln((N + 1) / (df + 1))`` over the N documents of the table built by
   :mod:`reward_score.idf_build` (a term the table lacks is as rare as a term in one document): rare terms
   (drugs, numbers, genes) carry the facts; "disease" or "treatment" carry little (BERTScore's IDF
   weighting of matches, Zhang et al. 2020, on terms instead of embeddings).
4. **Over distinct terms**, so repeating a term earns nothing more (a set, like EMS's reference side).
   ``P`` = hit / (hit + :data:`FOREIGN_FACTOR` · foreign), where hit is the weight of the answer's terms
   found in the reference and foreign the weight of those that are not: a term list, a correct answer
   padded with other text, or a reference whose facts were swapped for rare foreign ones dilutes it, three
   times as much as a shared term counts. ``C`` = the lesser of two coverages of the reference's terms by
   the answer: of all of them, over min(their weight, :data:`COVERAGE_CAP`) and clipped to 1 (the cap,
   like ROUGE's recall against a length budget, lets a concise answer to a long reference cover enough,
   while one keyword never does), and of its first :data:`LEAD_TERMS` terms (references state their
   answer first, the "lead" of summarisation: an answer that repeats the reference's details but not its
   answer covers little).
5. **Value** = 100 · 2PC / (P + C) (an F-measure, as ROUGE and token F1), forced to 0 for a **hedge** (an
   "X or Y" where one side names reference terms and the other names none: only one of them is the
   reference's answer) and for **degenerate repetition** (at least :data:`REPEAT_MIN_TERMS` terms, of
   which under :data:`REPEAT_MIN_DISTINCT` are distinct, and fewer than in the reference itself).

When the reference has no term outside the question (a yes/no, or a pick among options listed in the
question: "Yes, Delfina tells the truth"), the question's words and yes/no/not are compared as well;
there the answer can only be a choice among the question's words, so that is the one case where such a
word can earn credit.

Credited when the value exceeds the preset's ``text_threshold`` (:data:`CONTENT_THRESHOLD` = 60). The
constants were chosen on the real-pair suite of ``recipe.medu1.eval.text_suite``; its good answers are
built from the references (extractive), so the thresholds are tuned against gaming more than against
free paraphrase: an answer in other words than the reference's scores lower than it would deserve.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from reward_score.content_words import POLARITY, content_terms, term_of, tokens

IDF_TABLE = Path(__file__).with_name("content_idf.tsv")
COVERAGE_CAP = 30.0
"""Reference weight an answer must cover for C = 1 (about ten typical content terms)."""
CONTENT_THRESHOLD = 60.0
"""The ``robust`` preset's ``text_threshold`` for this metric."""
FOREIGN_FACTOR = 3.0
"""How much more an answer term absent from the reference weighs in P than a term it shares."""
LEAD_TERMS = 5
"""The reference's first key terms, which an answer must cover as well as the whole (references state
their answer first)."""
REPEAT_MIN_TERMS = 20
REPEAT_MIN_DISTINCT = 0.3
_SIDE_TERMS = 3  # terms read on each side of "or": the alternatives, not the whole clause


@lru_cache(maxsize=1)
def idf_weights() -> tuple[dict[str, float], float]:
    """({term: IDF}, the IDF of a term the table lacks), from :data:`IDF_TABLE`."""
    lines = IDF_TABLE.read_text(encoding="utf-8").splitlines()
    documents = int(lines[0].split("\t")[1])
    weights = {}
    for line in lines[1:]:
        term, df = line.split("\t")
        weights[term] = 1.0 + math.log((documents + 1) / (int(df) + 1))
    return weights, 1.0 + math.log((documents + 1) / 2)


def _weight(terms: Iterable[str]) -> float:
    weights, unseen = idf_weights()
    return sum(weights.get(term, unseen) for term in terms)


class _Target(NamedTuple):
    """What one (reference, question) pair contributes, computed once per pair."""

    asked: frozenset[str]  # the question's terms, which count for nothing
    keep: frozenset[str]  # stopwords read as terms (polarity, when the reference adds nothing)
    terms: frozenset[str]  # every term of the reference (the hedge rule's "names reference content")
    keys: frozenset[str]  # the reference's terms outside the question
    lead: frozenset[str]  # its first LEAD_TERMS keys
    cover_weight: float  # min(weight of keys, COVERAGE_CAP)
    lead_weight: float
    distinct_share: float  # distinct / all of its terms: an answer as repetitive as the reference is no
    # degenerate repetition


@lru_cache(maxsize=4096)
def _target(reference: str, question: str) -> _Target:
    asked = frozenset(content_terms(question))
    keep: frozenset[str] = frozenset()
    keys = [term for term in content_terms(reference) if term not in asked]
    if not keys:  # the reference adds no word to the question: compare its words and polarity too
        asked, keep = frozenset(), POLARITY
        keys = content_terms(reference, keep=POLARITY)
    ordered = list(dict.fromkeys(keys))
    lead = ordered[:LEAD_TERMS]
    every = content_terms(reference, keep)
    return _Target(
        asked=asked,
        keep=keep,
        terms=frozenset(every),
        keys=frozenset(ordered),
        lead=frozenset(lead),
        cover_weight=min(_weight(ordered), COVERAGE_CAP),
        lead_weight=_weight(lead),
        distinct_share=len(set(every)) / len(every) if every else 1.0,
    )


def _answer_terms(answer: str, keep: frozenset[str]) -> tuple[list[str], list[int]]:
    """The answer's content terms, and the positions in that list where an "or" stood."""
    terms: list[str] = []
    ors: list[int] = []
    for token in tokens(answer):
        if token == "or":
            ors.append(len(terms))
        elif term := term_of(token, keep):
            terms.append(term)
    return terms, ors


def is_hedge(terms: list[str], ors: list[int], reference_terms: frozenset[str]) -> bool:
    """True when an "or" stands between :data:`_SIDE_TERMS` answer terms on each side of which one side
    names reference terms and the other names none ("X or Y", "X. Or Y")."""
    for at in ors:
        left, right = terms[max(0, at - _SIDE_TERMS) : at], terms[at : at + _SIDE_TERMS]
        if left and right and reference_terms.isdisjoint(left) != reference_terms.isdisjoint(right):
            return True
    return False


def content_parts(answer: str, reference: str, question: str = "") -> tuple[float, float, bool]:
    """(P, C, hedge) of steps 4–5 (C the lesser of the capped and the lead coverage; P and C are 0 when
    the answer has no term outside the question), or (0, 0, False) for degenerate repetition."""
    target = _target(reference, question)
    terms, ors = _answer_terms(answer, target.keep)
    distinct = len(set(terms)) / len(terms) if terms else 1.0
    if len(terms) >= REPEAT_MIN_TERMS and distinct < min(REPEAT_MIN_DISTINCT, target.distinct_share):
        return 0.0, 0.0, False
    answer_set = set(terms).difference(target.asked)
    if not answer_set or not target.keys:
        return 0.0, 0.0, False
    shared = answer_set & target.keys
    hit = _weight(shared)
    foreign = _weight(answer_set - shared)
    coverage = min(1.0, hit / target.cover_weight, _weight(shared & target.lead) / target.lead_weight)
    return hit / (hit + FOREIGN_FACTOR * foreign), coverage, is_hedge(terms, ors, target.terms)


def content_metric(answer: str, reference: str, question: str = "") -> float:
    """The metric's value (0–100) of ``answer`` against ``reference``, ``question``'s terms discounted."""
    precision, coverage, hedge = content_parts(answer, reference, question)
    if hedge or precision == 0.0 or coverage == 0.0:
        return 0.0
    return 100 * 2 * precision * coverage / (precision + coverage)
