"""Reward throughput and worst-case benchmark: ``python -m reward_score.bench [--repeats N] [--corpus N]``.

Prints, in one single-core run: responses/second per task and preset on a generated corpus of realistic
responses (300–2000 tokens of think + answer), our text metrics against the same metrics computed with
nltk's ``sentence_bleu`` (interleaved rounds, many distinct references, identical values checked), and
the slowest call on adversarial inputs (1 MB for mcq/calc, 100 KB for text). Each figure is printed next
to its target.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from reward_score.grade import TASKS
from reward_score.score import compute_score
from reward_score.text import ems

_WORDS = (
    "patient presents with acute chest pain dyspnea fever cough elevated troponin creatinine clearance renal "
    "function hepatic failure diagnosis treatment antibiotic therapy dose mg kg daily infection pneumonia "
    "myocardial infarction hypertension diabetes insulin glucose level normal range history examination "
    "likely most appropriate next step management because therefore however consider rule out imaging "
    "blood pressure heart rate oxygen saturation sodium potassium calcium albumin weight height age years"
).split()
_PUNCT = ("", "", "", "", ",", ".", ";", ":")
_UNITS = ("", " mL/min", " mg/dL", " kg/m²", " points", " mmol/L")

# CPU time of this process: the figures stay meaningful on a machine shared with other jobs.
_clock = time.process_time
TARGETS_PER_SECOND = {"mcq": 20_000, "calc": 20_000, "text": 3_000}
WORST_CASE_LIMIT_S = {"mcq": 0.050, "calc": 0.050, "text": 0.250}
NLTK_RATIO_TARGET = 3.0


def _prose(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(_WORDS) + rng.choice(_PUNCT) for _ in range(n_words))


def _think(rng: random.Random) -> str:
    # ~1.3 tokens per word: 230–1500 words ≈ 300–2000 tokens.
    return f"<think>\n{_prose(rng, rng.randint(230, 1500))}\n</think>\n"


def _mcq_case(rng: random.Random) -> tuple[str, str, str, dict]:
    options = {letter: _prose(rng, rng.randint(2, 8)) for letter in "ABCDE"}
    truth = rng.choice("ABCDE")
    pick = rng.choice("ABCDE")
    answer = rng.choice((pick, f"({pick})", f"Answer: {pick}", f"{pick}. {options[pick]}", options[pick]))
    extra = {"task": "mcq", "options": json.dumps(options), "length_budget": 0}
    return "medqa", _think(rng) + f"<answer>{answer}</answer>", truth, extra


def _calc_case(rng: random.Random) -> tuple[str, str, str, dict]:
    truth = round(rng.uniform(1, 300), 3)
    value = truth * rng.uniform(0.9, 1.1)
    answer = rng.choice((f"{value:.2f}", f"{value:.1f}{rng.choice(_UNITS)}", f"x = {value:.1f}"))
    extra = {
        "task": "calc",
        "calculator_id": 2,
        "output_type": "decimal",
        "lower_limit": truth * 0.95,
        "upper_limit": truth * 1.05,
        "length_budget": rng.choice((0, 0, 500, -1000)),
    }
    return "medcalc", _think(rng) + f"<answer>{answer}</answer>", str(truth), extra


def text_pair(rng: random.Random) -> tuple[str, str]:
    """(answer, reference): a 60–300-word reference; the answer is a prefix of it with ~40% of the words
    replaced by other vocabulary words."""
    reference = _prose(rng, rng.randint(60, 300))
    words = reference.split()
    kept = [w if rng.random() < 0.6 else rng.choice(_WORDS) for w in words[: rng.randint(40, len(words))]]
    return " ".join(kept), reference


def _text_case(rng: random.Random) -> tuple[str, str, str, dict]:
    answer, reference = text_pair(rng)
    return (
        "medical_o1",
        _think(rng) + f"<answer>{answer}</answer>",
        reference,
        {"task": "text", "length_budget": 0, "question": _prose(rng, rng.randint(15, 60))},
    )


_CASES = {"mcq": _mcq_case, "calc": _calc_case, "text": _text_case}


def _throughput(cases: list[tuple[str, str, str, dict]], preset: str, repeats: int) -> float:
    """Best of ``repeats`` passes over the corpus, as responses per CPU second."""
    best = float("inf")
    for _ in range(repeats):
        start = _clock()
        for data_source, response, truth, extra in cases:
            compute_score(
                data_source, response, truth, extra, preset=preset, response_length=len(response) // 4
            )
        best = min(best, _clock() - start)
    return len(cases) / best


def _nltk_bleu(answer: str, reference: str) -> float:
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    smooth = SmoothingFunction().method1
    hyp, ref = answer.split(), reference.split()
    scores = [
        round(sentence_bleu([ref], hyp, weights=w, smoothing_function=smooth), 4)
        for w in ((1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0))
    ]
    return sum(scores) / 3


def _nltk_ratio(rng: random.Random, rounds: int) -> tuple[float, float, float]:
    """(ours/s, nltk/s, ratio) for Merge = 0.5·EMS + 0.5·BLEU; rounds alternate so both see the same load."""
    from reward_score.text import merge

    pairs = [text_pair(rng) for _ in range(200)]
    for answer, reference in pairs:
        expected = 0.5 * ems(answer, reference) + 0.5 * _nltk_bleu(answer, reference)
        if merge(answer, reference) != expected:
            raise AssertionError(f"merge differs from the nltk computation on {answer!r} / {reference!r}")
    ours = theirs = 0.0
    for _ in range(rounds):
        start = _clock()
        for answer, reference in pairs:
            merge(answer, reference)
        ours += _clock() - start
        start = _clock()
        for answer, reference in pairs:
            0.5 * ems(answer, reference) + 0.5 * _nltk_bleu(answer, reference)
        theirs += _clock() - start
    calls = rounds * len(pairs)
    return calls / ours, calls / theirs, theirs / ours


def _adversarial(task: str) -> dict[str, str]:
    """Inputs built to hit slow paths: tag floods, brace floods, huge numbers, punctuation storms."""
    mb, kb100 = 1_000_000, 100_000
    if task == "text":
        rng = random.Random(1)
        return {
            "100 KB prose answer": f"<think>x</think><answer>{_prose(rng, kb100 // 8)[:kb100]}</answer>",
            "100 KB punctuation + 1,000": "<answer>"
            + ("1,000 ;/[](){}=+-><@`,?!. " * 4000)[:kb100]
            + "</answer>",
            "100 KB periods": "<answer>" + "a." * (kb100 // 2) + "</answer>",
            "100 KB one repeated word": "<answer>" + "the pneumonia " * (kb100 // 14) + "</answer>",
            "100 KB no spaces": "<answer>" + "x" * kb100 + "</answer>",
            "100 KB of answer tags": "<answer>a</answer>" * (kb100 // 18),
            "100 KB or-chain": "<answer>" + "pneumonia or fever " * (kb100 // 19) + "</answer>",
        }
    return {
        "1 MB open tags": "<answer>" * (mb // 8),
        "1 MB close tags": "</answer>" * (mb // 9),
        "1 MB tag pairs": "<answer>1</answer>" * (mb // 18),
        "1 MB think tags": "<think></think>" * (mb // 15),
        "1 MB digits answer": "<answer>" + "1" * mb + "</answer>",
        "1 MB numbers answer": "<answer>" + "1 = " * (mb // 4) + "</answer>",
        "1 MB letters answer": "<answer>" + "A or " * (mb // 5) + "</answer>",
        "1 MB boxed opens": "\\boxed{" * (mb // 7),
        "1 MB braces after boxed": "\\boxed{" + "{" * mb,
        "1 MB nested boxed": "\\boxed{" * 1000 + "1" + "}" * 1000 + "x" * mb,
        "1 MB unicode": "\u2212\u00b2≈é" * (mb // 4),
        # just under the parsers' length caps, so every parsing regex runs on its longest input
        "4 KB letter list": "<answer>" + ("A or " * 1000)[:4090] + "</answer>",
        "4 KB lead-ins": "<answer>" + ("The answer is " * 300)[:4090] + "</answer>",
        "1 KB week list": "<answer>" + ("1 weeks " * 200)[:1020] + "</answer>",
        "1 KB date list": "<answer>" + ("1/1/2000 " * 200)[:1020] + "</answer>",
        "1 KB number list": "<answer>" + ("1,000.5e3 " * 200)[:1020] + "</answer>",
    }


_WORST_CASE_TARGETS = {  # task -> [(data_source, ground truth, extra_info)], one per grading rule
    "mcq": [("medqa", "B", {"task": "mcq", "options": '{"A": "x", "B": "y"}'})],
    "calc": [
        ("medcalc", "25.2", {"task": "calc", "lower_limit": 24.0, "upper_limit": 26.0}),
        ("medcalc", "4", {"task": "calc", "output_type": "integer", "lower_limit": 4.0, "upper_limit": 4.0}),
        ("medcalc", "09/23/2014", {"task": "calc", "calculator_id": 13, "output_type": "date"}),
        ("medcalc", "('17 weeks', '6 days')", {"task": "calc", "calculator_id": 69}),
    ],
    "text": [
        (
            "medical_o1",
            _prose(random.Random(2), 300),
            {"task": "text", "question": _prose(random.Random(3), 60)},
        )
    ],
}


def _worst_case(task: str) -> tuple[float, str]:
    """The slowest single call over all adversarial inputs, grading rules, presets and (for text) metrics."""
    metrics = ("merge", "rougeL", "f1", "content") if task == "text" else (None,)
    worst, worst_name = 0.0, ""
    for name, response in _adversarial(task).items():
        for data_source, truth, extra in _WORST_CASE_TARGETS[task]:
            for preset in ("medu1", "robust"):
                for metric in metrics:
                    kwargs = {"text_metric": metric} if metric else {}
                    start = _clock()
                    compute_score(data_source, response, truth, extra, preset=preset, **kwargs)
                    elapsed = _clock() - start
                    if elapsed > worst:
                        worst, worst_name = elapsed, f"{name} ({preset}{', ' + metric if metric else ''})"
    return worst, worst_name


def _verdict(ok: bool) -> str:
    return "ok" if ok else "BELOW TARGET"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="passes over the corpus; the best is reported")
    parser.add_argument("--corpus", type=int, default=300, help="generated responses per task")
    args = parser.parse_args(argv)
    rng = random.Random(0)
    print(f"throughput per CPU second (best of {args.repeats} passes over {args.corpus} responses per task,")
    print("~300-2000 tokens of think + answer each)")
    for task, make in _CASES.items():
        cases = [make(rng) for _ in range(args.corpus)]
        for preset in ("medu1", "robust"):
            rate = _throughput(cases, preset, args.repeats)
            target = TARGETS_PER_SECOND[task]
            verdict = _verdict(rate >= target)
            print(f"  {task:5s} {preset:7s} {rate:10,.0f} responses/s   target >= {target:,}  {verdict}")
    ours, theirs, ratio = _nltk_ratio(rng, rounds=args.repeats)
    print("text metrics (Merge = EMS + 3 individual BLEU), interleaved, 200 distinct references")
    print(
        f"  ours {ours:,.0f}/s   with nltk sentence_bleu {theirs:,.0f}/s   ratio {ratio:.1f}x   "
        f"target >= {NLTK_RATIO_TARGET:.0f}x  {_verdict(ratio >= NLTK_RATIO_TARGET)}"
    )
    print("worst case on adversarial inputs (slowest single call)")
    for task in TASKS:
        worst, name = _worst_case(task)
        limit = WORST_CASE_LIMIT_S[task]
        verdict = _verdict(worst < limit)
        print(f"  {task:5s} {worst * 1000:8.2f} ms  [{name}]   limit < {limit * 1000:.0f} ms  {verdict}")


if __name__ == "__main__":
    main()
