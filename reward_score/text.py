"""Open-ended answers: the official EMS / BLEU / Merge metrics, plus ROUGE-L, token F1 and the question-aware
``content`` metric of :mod:`reward_score.content`.

Why hand-written: nltk's ``sentence_bleu`` builds Fractions and recounts the reference for every n-gram
order and every call; the official reward calls it three times per response. :func:`bleu` computes the
identical value (same formula, same float operations, proved equal in tests) several times faster.
ROUGE-L uses a bit-parallel LCS so a long answer costs O(len · len_ref / 64) instead of a Python DP table;
tests prove it equals ``rouge_score``'s LCS F-measure.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import repeat

from reward_score.content import content_metric
from reward_score.grade import PRED_MAX_CHARS, Grade

TEXT_METRICS = ("merge", "ems", "bleu", "rougeL", "f1", "content")
TEXT_ANSWER_MAX_CHARS = 131_072
"""Answers longer than this are not scored (far beyond a 16k-token response); bounds the metric cost."""

# The VQA v2 answer normaliser, as the official ``normalize_word`` applies it to whole strings.
_PUNCTUATION = tuple(';/[]"{}()=+\\_-><@`,?!')
_DIGIT_COMMA_DIGIT = re.compile(r"(\d)(,)(\d)")
# The official pattern is "(?!<=\d)(\.)(?!\d)": its look-behind is mistyped as a look-ahead that can never
# match at a ".", so it removes every period not followed by a digit.
_PERIOD = re.compile(r"\.(?!\d)")
_PERIOD_LIMIT = 32  # the official call passes re.UNICODE (== 32) positionally as ``count``
_NUMBER_WORDS = {
    "none": "0",
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
}
_ARTICLES = frozenset(("a", "an", "the"))
# VQA contraction table. Entries whose key has a capital letter or maps to itself are omitted: words are
# lower-cased before the lookup, so those entries can never change a word.
_CONTRACTIONS = dict(
    pair.split(":")
    for pair in """
aint:ain't arent:aren't cant:can't couldve:could've couldnt:couldn't couldn'tve:couldn't've
couldnt've:couldn't've didnt:didn't doesnt:doesn't dont:don't hadnt:hadn't hadnt've:hadn't've
hadn'tve:hadn't've hasnt:hasn't havent:haven't hed:he'd hed've:he'd've he'dve:he'd've hes:he's howd:how'd
howll:how'll hows:how's isnt:isn't itd:it'd itd've:it'd've it'dve:it'd've itll:it'll maam:ma'am
mightnt:mightn't mightnt've:mightn't've mightn'tve:mightn't've mightve:might've mustnt:mustn't
mustve:must've neednt:needn't notve:not've oclock:o'clock oughtnt:oughtn't ow's'at:'ow's'at
'ows'at:'ow's'at 'ow'sat:'ow's'at shant:shan't shed've:she'd've she'dve:she'd've shouldve:should've
shouldnt:shouldn't shouldnt've:shouldn't've shouldn'tve:shouldn't've somebody'd:somebodyd
somebodyd've:somebody'd've somebody'dve:somebody'd've somebodyll:somebody'll somebodys:somebody's
someoned:someone'd someoned've:someone'd've someone'dve:someone'd've someonell:someone'll
someones:someone's somethingd:something'd somethingd've:something'd've something'dve:something'd've
somethingll:something'll thats:that's thered:there'd thered've:there'd've there'dve:there'd've
therere:there're theres:there's theyd:they'd theyd've:they'd've they'dve:they'd've theyll:they'll
theyre:they're theyve:they've twas:'twas wasnt:wasn't wed've:we'd've we'dve:we'd've weve:we've
werent:weren't whatll:what'll whatre:what're whats:what's whatve:what've whens:when's whered:where'd
wheres:where's whereve:where've whod:who'd whod've:who'd've who'dve:who'd've wholl:who'll whos:who's
whove:who've whyll:why'll whyre:why're whys:why's wont:won't wouldve:would've wouldnt:wouldn't
wouldnt've:wouldn't've wouldn'tve:wouldn't've yall:y'all yall'll:y'all'll y'allll:y'all'll
yall'd've:y'all'd've y'alld've:y'all'd've y'all'dve:y'all'd've youd:you'd youd've:you'd've
you'dve:you'd've youll:you'll youre:you're youve:you've
""".split()
)

# Number words → digits, articles dropped (→ ""), contractions restored: the three official word steps are
# one lookup because no key of one step is a key or a result of another.
_WORD_MAP = {**_CONTRACTIONS, **_NUMBER_WORDS, **dict.fromkeys(_ARTICLES, "")}

_BLEU_EPSILON = 0.1  # nltk SmoothingFunction().method1


def normalized_words(text: str) -> list[str]:
    """The words of the official ``normalize_word``: VQA punctuation rule, period strip, lower-case, number
    words → digits, articles dropped, contractions restored — quirks included (see the notes above).

    The punctuation rule looks at the *original* string: a mark is deleted everywhere if it touches a space
    anywhere in the string (or the string has a digit-comma-digit), otherwise replaced by a space. The
    official final comma deletion is a no-op here: the punctuation rule has already removed every comma.
    """
    delete_marks = _DIGIT_COMMA_DIGIT.search(text) is not None
    out = text
    for mark in _PUNCTUATION:
        if mark not in text:
            continue
        if delete_marks or mark + " " in text or " " + mark in text:
            out = out.replace(mark, "")
        else:
            out = out.replace(mark, " ")
    words = _PERIOD.sub("", out, count=_PERIOD_LIMIT).lower().split()
    return list(filter(None, map(_WORD_MAP.get, words, words)))


def normalize_text(text: str) -> str:
    """The official ``normalize_word`` string (words joined by single spaces)."""
    return " ".join(normalized_words(text))


def ems(answer: str, reference: str) -> float:
    """Official EMS (0–100): distinct reference word types present in the answer / answer token count."""
    candidate = normalized_words(answer)
    if not candidate:
        return 0.0
    return 100 * len(set(normalized_words(reference)).intersection(candidate)) / len(candidate)


def _clipped_matches(hypothesis_counts: Counter, reference_counts: Counter) -> int:
    return sum(map(min, hypothesis_counts.values(), map(reference_counts.get, hypothesis_counts, repeat(0))))


def _ngram_counts(tokens: list[str], n: int) -> Counter:
    """Counts of the n-grams (n ≥ 2) of ``tokens`` as tuples."""
    return Counter(zip(*(tokens[i:] for i in range(n)), strict=False))


def bleu_individual(hypothesis: list[str], reference: list[str], orders: tuple[int, ...]) -> list[float]:
    """nltk ``sentence_bleu([reference], hypothesis, weights=<one-hot n>, smoothing_function=method1)`` for
    each n in ``orders``, computed with nltk's own float operations.

    nltk returns 0 for every weight when no unigram matches; otherwise p_n = clipped / max(1, #hyp n-grams),
    a zero numerator becomes ``(0 + 0.1) / denominator`` (method1), and the score is
    ``bp · exp(fsum(w · log p))`` which for a one-hot weight is ``bp · exp(log p_n)``.
    """
    hyp_len, ref_len = len(hypothesis), len(reference)
    if hyp_len == 0:
        return [0.0] * len(orders)
    unigram_matches = _clipped_matches(Counter(hypothesis), Counter(reference))
    if unigram_matches == 0:
        return [0.0] * len(orders)
    brevity = 1 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
    scores = []
    for n in orders:
        matches = (
            unigram_matches
            if n == 1
            else _clipped_matches(_ngram_counts(hypothesis, n), _ngram_counts(reference, n))
        )
        denominator = max(1, hyp_len - n + 1)
        precision = matches / denominator if matches else (matches + _BLEU_EPSILON) / denominator
        scores.append(brevity * math.exp(math.log(precision)))
    return scores


def bleu(answer: str, reference: str) -> float:
    """Official BLEU (0–1): the mean of individual 1-, 2- and 3-gram BLEU on whitespace tokens of the raw
    strings, each rounded to 4 decimals."""
    b1, b2, b3 = bleu_individual(answer.split(), reference.split(), (1, 2, 3))
    return (round(b1, 4) + round(b2, 4) + round(b3, 4)) / 3


def merge(answer: str, reference: str) -> float:
    """Official Merge = 0.5·EMS + 0.5·BLEU (EMS is 0–100 and BLEU 0–1: the paper's scale mismatch, kept)."""
    return 0.5 * ems(answer, reference) + 0.5 * bleu(answer, reference)


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence, bit-parallel (Allison–Dix / Hyyrö): one big-int update per
    token of the longer sequence, bits indexed by the shorter one."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return 0
    masks: dict[str, int] = {}
    for i, token in enumerate(b):
        masks[token] = masks.get(token, 0) | (1 << i)
    full = (1 << len(b)) - 1
    v = full
    for token in a:
        u = v & masks.get(token, 0)
        v = ((v + u) | (v - u)) & full
    return len(b) - v.bit_count()


def _f_measure(matches: int, candidate_len: int, reference_len: int) -> float:
    if matches == 0:
        return 0.0
    precision, recall = matches / candidate_len, matches / reference_len
    return 100 * (2 * precision * recall / (precision + recall))


def rouge_l(answer: str, reference: str) -> float:
    """ROUGE-L F1 (β = 1, 0–100) of the LCS over normalised word tokens, as the official evaluation."""
    candidate, ref = normalized_words(answer), normalized_words(reference)
    return _f_measure(lcs_length(candidate, ref), len(candidate), len(ref))


def token_f1(answer: str, reference: str) -> float:
    """SQuAD-style bag-of-words F1 (0–100) over normalised word tokens."""
    candidate, ref = normalized_words(answer), normalized_words(reference)
    return _f_measure(_clipped_matches(Counter(candidate), Counter(ref)), len(candidate), len(ref))


_METRIC_FUNCTIONS = {"merge": merge, "ems": ems, "bleu": bleu, "rougeL": rouge_l, "f1": token_f1}


def text_metric(name: str, answer: str, reference: str, question: str = "") -> float:
    """The named metric (one of :data:`TEXT_METRICS`) of ``answer`` against ``reference``; only ``content``
    reads the ``question``."""
    if name == "content":
        return content_metric(answer, reference, question)
    return _METRIC_FUNCTIONS[name](answer, reference)


def grade_text(
    answer: str,
    reference: str,
    *,
    metric: str,
    threshold: float,
    reward: str,
    scale: float,
    question: str = "",
) -> Grade:
    """acc = metric > threshold; the term is ±1 for ``reward="binary"`` and ``metric / scale`` clipped to
    [−1, 1] for ``"continuous"``; the rule is the metric's name. An answer over
    :data:`TEXT_ANSWER_MAX_CHARS` is not read and scores as wrong."""
    pred = answer[:PRED_MAX_CHARS]
    if len(answer) > TEXT_ANSWER_MAX_CHARS:
        return Grade(-1.0, 0.0, 0.0, pred, "too_long")
    value = text_metric(metric, answer, reference, question)
    passed = value > threshold
    if reward == "binary":
        term = 1.0 if passed else -1.0
    else:
        term = max(-1.0, min(1.0, value / scale))
    return Grade(term, float(passed), 1.0, pred, metric)
