"""What a pre-flight check reports: one :class:`Finding` per refusal, warning, skipped check or summary fact.

Why one type: every check has the same signature, ``check(ctx) -> list[Finding]``, so the command runs a
plain table of checks and the report is the concatenation of their findings, in table order.
"""

from __future__ import annotations

import sys
from typing import NamedTuple, TextIO

ERROR, WARNING, SKIPPED, FACT = "error", "warning", "skipped", "fact"


class Finding(NamedTuple):
    """One line of the report; ``label`` names a summary fact (empty for the other levels)."""

    level: str
    text: str
    label: str = ""


def error(text: str) -> Finding:
    """A refusal: the run would fail or train on something other than intended."""
    return Finding(ERROR, text)


def warning(text: str) -> Finding:
    """The run would start, but waste GPU hours or differ from the paper in a way worth knowing."""
    return Finding(WARNING, text)


def skipped(text: str) -> Finding:
    """A check that could not run offline (what was skipped and why)."""
    return Finding(SKIPPED, text)


def fact(label: str, text: str) -> Finding:
    """A summary line: what the run will do, for a human to read before paying for it."""
    return Finding(FACT, text, label)


def of_level(findings: list[Finding], level: str) -> list[str]:
    return [f.text for f in findings if f.level == level]


def print_report(findings: list[Finding], out: TextIO | None = None) -> None:
    """Refusals and warnings first, then the summary facts and the skipped checks, then the verdict."""
    out = out or sys.stdout
    for text in of_level(findings, ERROR):
        print(f"ERROR: {text}", file=out)
    for text in of_level(findings, WARNING):
        print(f"WARNING: {text}", file=out)
    print("\nSummary", file=out)
    for finding in findings:
        if finding.level == FACT:
            body = finding.text.replace("\n", "\n" + " " * 18)
            print(f"  {finding.label:<15} {body}", file=out)
    for text in of_level(findings, SKIPPED):
        print(f"  {'skipped':<15} {text}", file=out)
    errors = of_level(findings, ERROR)
    verdict = f"FAILED: {len(errors)} error(s)" if errors else "OK"
    counts = (
        f"{len(of_level(findings, WARNING))} warning(s), {len(of_level(findings, SKIPPED))} check(s) skipped"
    )
    print(f"\npreflight: {verdict}, {counts}", file=out)
