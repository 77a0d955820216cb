"""Fuzz ``compute_score``: ``python -m reward_score.fuzz [--n 100000] [--seed 0]``.

Why outside the test suite: the reward must never raise and must return the same keys on every call, for
any text a policy can produce, and a test run cannot afford the hundreds of thousands of calls that gives
confidence. Every generated response (hedges, retractions, Unicode lead-ins and separators, tag soup,
numbers, dates, huge and binary-looking strings) is scored against every task and grading rule, in both
presets, with and without the free-form fallback. Prints the exception count, the distinct key tuples, the
scores outside [−3, 3], unknown rules and the slowest call (CPU time); exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from typing import NamedTuple

from reward_score.grade import RESULT_KEYS, RULES
from reward_score.score import compute_score

OPTIONS = {"A": "Naloxone", "B": "Anti-D IgG", "C": "Physostigmine", "D": "No", "E": "Vitamin A deficiency"}
TARGETS = {  # name -> (ground truth, extra_info): one per task and calc grading rule
    "mcq": ("C", {"task": "mcq", "options": json.dumps(OPTIONS)}),
    "calc_decimal": ("25.2", {"task": "calc", "calculator_id": 2, "lower_limit": 24.0, "upper_limit": 26.5}),
    "calc_integer": ("4", {"task": "calc", "output_type": "integer", "lower_limit": 4.0, "upper_limit": 4.0}),
    "calc_date": ("09/23/2014", {"task": "calc", "calculator_id": 13, "output_type": "date"}),
    "calc_age": ("('17 weeks', '6 days')", {"task": "calc", "calculator_id": 69}),
    "text": (
        "Community-acquired pneumonia treated with amoxicillin",
        {"task": "text", "question": "Which antibiotic treats community-acquired pneumonia?"},
    ),
}
SETTINGS = [
    {"preset": preset, "freeform_fallback": freeform}
    for preset in ("medu1", "robust")
    for freeform in (False, True)
]
LEADS = [
    "Answer: ", "answer:", "The answer is ", "The final answer is ", "Final answer — ", "Answer：",
    "Answer:（", "Answer → ", "My answer is ", "My choice: ", "Option ", "The correct option is ", "答案：",
    "Ａｎｓｗｅｒ: ", "**Final Answer**: ", "## Final Response\n", "Final answer\n", "= ", "≈ ",
    "is approximately ",
]  # fmt: skip
LETTERS = [
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "Z",
    "a",
    "c",
    "(C)",
    "[C]",
    "【C】",
    "**C**",
    "C.",
    "C)",
    "Ｃ",
    "~~C.~~",
]
HEDGES = [
    "A or C", "A/C", "both A and C", "(A) and also (C)", "A. Naloxone. Actually the answer is C",
    "Answer: C. Actually I change my mind: Answer: B", "(A) Naloxone is best. (D) No is best.",
    "C or maybe A", "not C", "the answer is not C", "A, B, C", "C. Naloxone",
]  # fmt: skip
VALUES = [
    "25.2", "25.2 mL/min", "1,234.5", "−3", "-0.8", "1e999", "nan", "inf", "4", "4.5",
    "2 out of 5 criteria", "09/23/2014", "2014-09-23", "September 23, 2014", "02/30/2014",
    "17 weeks and 6 days", "[17, 6]", "(17, 6)", "('17 weeks', '6 days')", "58 mL/min/1.73 m²",
    "22.9 kg/m2", "x = 70/1.75^2 = 22.9", "between 20 and 25", "__import__('os').system('true')",
    "Naloxone", "Physostigmine", "Anti‑D IgG", "Vitamin A deficiency", "Community acquired pneumonia",
    "pneumonia",
]  # fmt: skip
MARKUP = [
    "<think>", "</think>", "<answer>", "</answer>", "<answer", "\\boxed{", "}", "{", "\\textbf{", "**",
    "~~", "`", "- ", "1. ", "> ", "\n", "\n\n", " ", "\u00a0", "\u2011", "\u200b", "\x00", "\ud800", "\ufeff",
    "\r\n",
]  # fmt: skip
PROSE = (
    "the patient likely has an anticholinergic toxidrome so physostigmine is indicated not naloxone".split()
)


class Worst(NamedTuple):
    seconds: float
    label: str


def _piece(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.2:
        return rng.choice(LEADS) + rng.choice(LETTERS + VALUES)
    if kind < 0.3:
        return rng.choice(HEDGES)
    if kind < 0.5:
        return rng.choice(LETTERS + VALUES)
    if kind < 0.75:
        return rng.choice(MARKUP)
    if kind < 0.9:
        return " ".join(rng.choices(PROSE, k=rng.randint(1, 12)))
    return "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(1, 20)))


def _huge(rng: random.Random) -> str:
    """100 KB – 1 MB: a repeated piece run, random bytes read as Latin-1, or one endless answer."""
    size = rng.choice((100_000, 300_000, 1_000_000))
    kind = rng.randrange(3)
    if kind == 0:
        unit = "".join(_piece(rng) for _ in range(rng.randint(1, 6))) or "x"
        return (unit * (size // len(unit) + 1))[:size]
    if kind == 1:
        return rng.randbytes(size).decode("latin-1")
    unit = rng.choice(LETTERS + VALUES + HEDGES) + " "
    return "<think>x</think><answer>" + (unit * (size // len(unit) + 1))[:size] + "</answer>"


def response(rng: random.Random) -> str:
    """One generated response: mostly short structured ones, 0.2% huge."""
    if rng.random() < 0.002:
        return _huge(rng)
    body = "".join(_piece(rng) + rng.choice(("", " ", ". ", "\n", ", ")) for _ in range(rng.randint(1, 12)))
    shape = rng.randrange(4)
    if shape == 0:
        return f"<think>{' '.join(rng.choices(PROSE, k=8))}</think>\n<answer>{body}</answer>"
    if shape == 1:
        return f"<think>{' '.join(rng.choices(PROSE, k=8))}</think>\n{body}"
    return body


def run(n: int, seed: int) -> dict[str, object]:
    """Score ``n`` responses against every target and setting; the counts ``main`` prints."""
    rng = random.Random(seed)
    clock = time.process_time
    exceptions: list[str] = []
    key_sets: Counter[tuple[str, ...]] = Counter()
    rules: Counter[str] = Counter()
    out_of_range = unknown_rules = calls = 0
    worst = Worst(0.0, "")
    start = clock()
    for index in range(n):
        text = response(rng)
        for target, (truth, info) in TARGETS.items():
            for kwargs in SETTINGS:
                began = clock()
                try:
                    result = compute_score("fuzz", text, truth, info, **kwargs)
                except Exception as error:  # noqa: BLE001 - counting every kind of failure is the point
                    exceptions.append(f"#{index} {target} {kwargs}: {type(error).__name__}: {error}")
                    continue
                elapsed = clock() - began
                calls += 1
                if elapsed > worst.seconds:
                    label = f"{target}, {kwargs['preset']}, freeform={kwargs['freeform_fallback']}"
                    worst = Worst(elapsed, f"{label}, {len(text):,} chars")
                key_sets[tuple(result)] += 1
                rules[result["rule"]] += 1
                out_of_range += not -3.0 <= result["score"] <= 3.0
                unknown_rules += result["rule"] not in RULES
    return {
        "responses": n,
        "calls": calls,
        "seconds": clock() - start,
        "exceptions": exceptions,
        "key_sets": key_sets,
        "out_of_range": out_of_range,
        "unknown_rules": unknown_rules,
        "worst": worst,
        "rules": rules,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="generated responses")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    found = run(args.n, args.seed)
    configs = len(TARGETS) * len(SETTINGS)
    print(f"responses {found['responses']:,} x {configs} target/settings = {found['calls']:,} calls")
    print(f"  in {found['seconds']:.1f} s CPU ({found['calls'] / max(found['seconds'], 1e-9):,.0f} calls/s)")
    print(f"exceptions: {len(found['exceptions'])}")
    for line in found["exceptions"][:10]:
        print(f"  {line}")
    same_keys = list(found["key_sets"]) == [RESULT_KEYS]
    print(f"key tuples: {len(found['key_sets'])} ({'identical on every call' if same_keys else 'DIFFER'})")
    print(f"scores outside [-3, 3]: {found['out_of_range']}   unknown rules: {found['unknown_rules']}")
    worst = found["worst"]
    print(f"worst case: {worst.seconds * 1000:.2f} ms CPU [{worst.label}]")
    print("rules: " + ", ".join(f"{rule} {count:,}" for rule, count in found["rules"].most_common()))
    failed = found["exceptions"] or not same_keys or found["out_of_range"] or found["unknown_rules"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
