"""MCQ option letters: the one place that maps positions to letters, formats option lines and shuffles.

Why one helper: a letter string indexed by hand breaks silently on a fifth option; everything that
turns a position into a letter (or back) goes through :func:`letter_of` / :func:`index_of`.

Shuffling training options removes a letter prior (fixed answer positions let a policy learn "C is
often right"); the pipeline spreads the answers evenly over the letters (:func:`balanced_position`), so
no letter is right more often than another. But some options only make sense where they stand. "All of
the above" / "None of the above" are true or false of every option before them, so they stay at their
place while the others move. Options that name other options ("Both A and B", "A, C", "Both of the
above") would point at the wrong texts after a shuffle, so such rows are not shuffled at all
(:func:`keeps_source_order`).
"""

from __future__ import annotations

import random
import re
import string
from typing import NamedTuple

LETTERS = string.ascii_uppercase

#: Options that refer to every option before them; kept in place when the row is shuffled.
_ANCHORED = re.compile(r"^\W*(?:all|none|any)\s+(?:of\s+)?(?:the\s+)?(?:above|these|following)\b", re.I)
#: Options that refer to an unspecified subset of the others ("Both of the above"): order-dependent.
_POSITIONAL = re.compile(
    r"^\W*(?:both|either|neither|some|two)\s+(?:of\s+)?(?:the\s+)?(?:above|these|following)\b", re.I
)
#: Words that may surround option letters in an option that only names other options ("Both A and B",
#: "All except C", "A and C are correct").
_REFERENCE_WORDS = frozenset(
    "and or nor both only all except but neither either none of the above are is correct true false".split()
)
_WORD = re.compile(r"[A-Za-z0-9]+")


class Shuffled(NamedTuple):
    """Options after shuffling, relabelled A, B, ..., and the new letter of the answer."""

    options: dict[str, str]
    answer: str


class Reordered(NamedTuple):
    """A row whose option lines were permuted: its messages, options, answer and question text, and where
    each old letter's text now stands (old letter -> new letter)."""

    messages: list[dict[str, str]]
    options: dict[str, str]
    answer: str
    question: str
    new_letter: dict[str, str]


def option_letters(n: int) -> list[str]:
    """The first ``n`` option letters, A, B, C, ..."""
    if not 0 < n <= len(LETTERS):
        raise ValueError(f"cannot label {n} options with letters")
    return list(LETTERS[:n])


def letter_of(index: int) -> str:
    """0 -> "A", 1 -> "B", ... (ValueError outside A-Z)."""
    if not 0 <= index < len(LETTERS):
        raise ValueError(f"no option letter for position {index}")
    return LETTERS[index]


def index_of(letter: str) -> int:
    """ "A" -> 0, "B" -> 1, ... (raises ValueError for anything that is not one capital letter)."""
    if len(letter) != 1 or letter not in LETTERS:
        raise ValueError(f"not an option letter: {letter!r}")
    return LETTERS.index(letter)


def lettered(texts: list[str]) -> dict[str, str]:
    """Options given as a list -> {"A": texts[0], "B": texts[1], ...}."""
    return dict(zip(option_letters(len(texts)), texts, strict=True))


def format_options(options: dict[str, str]) -> str:
    """One "A. text" line per option, in letter order."""
    return "\n".join(f"{letter}. {text}" for letter, text in options.items())


def is_anchored(text: str) -> bool:
    """True for "All of the above", "None of these", "Any of the following" and the like."""
    return _ANCHORED.match(text) is not None


def names_other_options(text: str, letters: dict[str, str] | list[str]) -> bool:
    """True when the option only names other options: "Both A and B", "A, C", "All except D",
    "Both of the above". A text with other words ("Vitamin A and C", "Point B") is a real option."""
    if _POSITIONAL.match(text):
        return True
    words = _WORD.findall(text)
    named = [w for w in words if len(w) == 1 and w.isupper()]
    return (
        bool(named)
        and all(w in letters for w in named)
        and all(w in named or w.lower() in _REFERENCE_WORDS for w in words)
    )


def keeps_source_order(options: dict[str, str]) -> bool:
    """True when shuffling would change what an option means: one names other options, or an
    anchored option ("None of the above") has a non-anchored option after it."""
    if any(names_other_options(text, options) for text in options.values()):
        return True
    anchored = [is_anchored(text) for text in options.values()]
    return any(a and not b for a, b in zip(anchored, anchored[1:], strict=False))


def movable_positions(options: dict[str, str]) -> list[int]:
    """Positions a shuffle may move (every option but the anchored ones)."""
    return [i for i, text in enumerate(options.values()) if not is_anchored(text)]


def shuffle_options(
    options: dict[str, str], answer: str, rng: random.Random, answer_at: int | None = None
) -> Shuffled:
    """Permute the option texts except anchored ones (they keep their letter), relabel A, B, ... and
    return the new letter of the answer. ``answer_at`` puts the answer at that position (one of
    :func:`movable_positions`, unless the answer itself is anchored); the other texts are shuffled around
    it. Raises ValueError for rows :func:`keeps_source_order` flags."""
    if keeps_source_order(options):
        raise ValueError(f"these options must keep their order: {options}")
    texts = list(options.values())
    movable = movable_positions(options)
    order = list(movable)
    rng.shuffle(order)
    source_of = {i: i for i in range(len(texts))}
    source_of.update(zip(movable, order, strict=True))
    answer_index = index_of(answer)
    if answer_at is not None and answer_index in movable:
        if answer_at not in movable:
            raise ValueError(f"position {answer_at} is not movable in {options}")
        now_at = next(i for i, src in source_of.items() if src == answer_index)
        source_of[now_at], source_of[answer_at] = source_of[answer_at], answer_index
    new_options = lettered([texts[source_of[i]] for i in range(len(texts))])
    new_index = next(i for i, src in source_of.items() if src == answer_index)
    return Shuffled(new_options, letter_of(new_index))


def balanced_position(movable: list[int], used: dict[int, int], rng: random.Random) -> int:
    """The movable position given the answer least often so far (``used``: position -> count), ties drawn
    from ``rng``; the caller counts the choice. Over a split this makes every answer letter equally frequent
    (within one) among rows of the same options, where an independent shuffle per row leaves a chance
    imbalance that a policy gradient turns into a one-letter policy."""
    fewest = min(used.get(i, 0) for i in movable)
    return rng.choice([i for i in movable if used.get(i, 0) == fewest])


def can_reorder(options: dict[str, str], answer: str) -> bool:
    """True when the row's options may move: the answer is one of them, no option depends on the order
    (:func:`keeps_source_order`) and the answer is not anchored ("None of the above" keeps its letter)."""
    return answer in options and not keeps_source_order(options) and not is_anchored(options[answer])


def reorder_prompt(
    messages: list[dict[str, str]],
    options: dict[str, str],
    answer: str,
    answer_at: int,
    rng: random.Random,
    question: str = "",
) -> Reordered | None:
    """``messages`` with the last turn's option lines permuted (:func:`shuffle_options`, the answer at
    position ``answer_at``), and ``question`` (a row's question text, which holds the option lines too) in
    the same order; None when two options share a text (the new letter of an old one would be ambiguous)
    or the last turn does not hold the option lines exactly once (nothing to relabel safely). The messages
    are new objects: callers pass prompts shared with other samples."""
    moved = shuffle_options(options, answer, rng, answer_at=answer_at)
    letter_of_text = {text: letter for letter, text in moved.options.items()}
    if len(letter_of_text) != len(options):
        return None
    user = messages[-1]
    old_lines, new_lines = format_options(options), format_options(moved.options)
    if user["content"].count(old_lines) != 1:
        return None
    relettered = {**user, "content": user["content"].replace(old_lines, new_lines)}
    new_letter = {letter: letter_of_text[text] for letter, text in options.items()}
    return Reordered(
        [*messages[:-1], relettered],
        moved.options,
        moved.answer,
        question.replace(old_lines, new_lines),
        new_letter,
    )
