"""The answer lead-in grammar ("The final answer is: C", "Answer ⇒ C", "My choice -> B") as regex fragments.

Why one module: the robust MCQ reader strips these lead-ins, spots a second one inside a letter-led answer
(a retraction), and the free-form fallback anchors on them in prose. Kept in three copies the sets drifted
(the fallback missed "=>" and "⇒", so "Final answer ⇒ C" read in a tag but not in prose); every pattern
that reads a lead-in is built from these fragments instead. Each fragment is a non-capturing group, so
patterns can number their own groups freely; the patterns compile with ``re.I``.
"""

from __future__ import annotations

ANSWER_NOUN = r"(?:answer|option|choice)"
"""What an answer is called."""
QUALIFIER = r"(?:final|correct|best|right)"
"""Words that make a noun the answer ("final answer", "best option")."""
COPULA = r"(?:is|would\s+be)"
"""The verb between a lead-in and its answer ("The answer is C", "would be C")."""
SEPARATOR = r"(?:->|=>|\u2192|\u21d2|[:=\-])"
"""Punctuation between a lead-in and its answer: ":", "=", "-", "->", "=>", "→", "⇒" (two-character
arrows first, so "=>" is never read as "=" followed by ">")."""
