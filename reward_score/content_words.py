"""The words the ``content`` text metric compares: tokens, light stems, and the words that carry no content.

Why its own module: the metric (:mod:`reward_score.content`) and the script that builds its IDF table
(:mod:`reward_score.idf_build`) must cut text into exactly the same terms, or the table's weights would
describe other words than the ones scored.

A term is a lower-cased run of letters and digits (a decimal point inside a number is kept, so "8.93" is
one term; the "s" of a possessive is a one-letter token and dropped); a plural "s"/"ies" is folded
("vessels" = "vessel", "therapies" = "therapy") so a paraphrase is not penalised for number agreement.
Function words and the words of medical boilerplate ("consult your healthcare provider", "it is
important to") are not terms: they occur in right and wrong answers alike.
"""

from __future__ import annotations

import re
from itertools import repeat

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")

# English function words, plus the words of question frames, hedging and safety boilerplate: an answer
# earns nothing for them and a reference's copies of them are not its content.
STOPWORDS = frozenset(
    """
a about above after again against all almost along already also although always am among an and another
any anyone anything are aren around as at be became because become been before being below between both
but by can cannot could did didn do does doesn doing don done down during each either else enough etc even
ever every few for from further had has hasn have having he her here hers herself him himself his how
however i if in into is isn it its itself just least less let like may me might more most much must my
myself neither never no nor not now of off often on once one only or other others otherwise our ours
ourselves out over own per perhaps quite rather really same several shall she should shouldn since so some
something sometimes still such than that the their theirs them themselves then there therefore these they
this those though through thus to too toward towards under until up upon us usually very via was wasn we
well were weren what whatever when where whether which while who whom whose why will with within without
would wouldn yes yet you your yours yourself yourselves
answer answers correct correctly question questions option options choice choices true false best likely
probably possibly typically generally usually commonly overall therefore hence thus indeed certain certainly
sure definitely based given considering consider regarding related relate specific specifically particular
particularly important importantly essential essentially key main primary primarily mainly significant
significantly various variety different difference include includes including included involve involves
involving known called refer refers referred term terms type types kind kinds case cases situation
example examples instance ie eg vs
medical medically doctor doctors physician physicians healthcare health care provider providers professional
professionals consult consulting consultation advice advise advised recommend recommended recommendation
recommendations seek please help helpful information inform informed discuss discussion talk ask
individual individuals person people patient patients someone
""".split()
)


def stem(token: str) -> str:
    """Fold a plural: "therapies" → "therapy", "vessels" → "vessel"; "ss", "us", "is" endings are kept."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


POLARITY = frozenset(("yes", "no", "not"))
"""Stopwords that decide an answer when the reference adds no word to the question ("Yes, X does Y")."""


def tokens(text: str) -> list[str]:
    """The lower-cased word tokens of ``text`` (function words included)."""
    return _TOKEN.findall(text.lower())


def term_of(token: str, keep: frozenset[str] = frozenset()) -> str | None:
    """The content term of one token, or None for a function or boilerplate word not in ``keep``."""
    if (token in STOPWORDS and token not in keep) or (len(token) == 1 and not token.isdigit()):
        return None
    term = stem(token)
    return term if term not in STOPWORDS or term in keep else None


def content_terms(text: str, keep: frozenset[str] = frozenset()) -> list[str]:
    """The content terms of ``text`` in order, repeats kept (function and boilerplate words dropped, except
    those in ``keep``)."""
    return [term for term in map(term_of, tokens(text), repeat(keep)) if term]
