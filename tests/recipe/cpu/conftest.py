"""The CPU smoke run that ``test_smoke.py`` and ``test_resume_training.py`` check, launched once per session.

verl 0.9.1's real trainer (``examples/run_medu1_cpu_smoke.sh``, tiny model, ~7 GB RAM) runs the way a crashed
7B run would be recovered, so that one run serves both files within ``make test``'s budget:

1. the script, with a checkpoint every step (``trainer.save_freq=1``; ``medu1.yaml`` keeps 2) and rollout
   dumps, is killed with SIGKILL - every process of its session: Ray, workers, vLLM - once step 2 is logged
   and step 3 under way;
2. the same command is launched again: it resumes from ``global_step_2`` and trains step 3, the last.

Launching the complete run once more (step 3 also ends the epoch) is refused before any worker starts
(``recipe.medu1.train.checkpoints``; tested in ``tests/recipe/train``): on the real loop that third
launch took 31 s, left out to keep ``make test`` within its budget.

The run starts in a background thread as soon as collection ends, and the tests that read it are moved
to the end of the session: most of the suite is single-threaded Python, so it fills the cores the run's
own single-threaded phases (Ray, worker and vLLM start-up, two launches' worth) leave idle, instead of
the run adding its whole duration to ``make test``. A loaded machine only slows the run down: the kill
waits for step 2 in the logs (then 0.5 s, inside step 3, whose rollout waits at least one of verl's
2-s replay-buffer polls), and every launch has its own session, Ray directory and output directory.

Skipped unless the CPU venv built by ``recipe/medu1/cpu/install.sh`` exists (``MEDU1_CPU_VENV``, default
``<repo>/.venv-cpu``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from recipe.medu1.cpu.bench_step import kill_session

REPO = Path(__file__).resolve().parents[3]
CPU_VENV = Path(os.environ.get("MEDU1_CPU_VENV", REPO / ".venv-cpu"))
SMOKE_STEPS = 3
KILL_AFTER_STEP = 2
LAUNCH_TIMEOUT_S = 900

SYSTEM = (
    "You are a helpful medical assistant. Think inside <think> </think> and answer inside <answer> </answer>."
)
# (data_source, task, question, ground truth, options JSON, calculator id, output type)
_ITEMS = [
    (
        "medqa",
        "mcq",
        "Which drug treats a heart attack? A. aspirin B. insulin C. heparin D. iron",
        "A",
        json.dumps({"A": "aspirin", "B": "insulin", "C": "heparin", "D": "iron"}),
        -1,
        "letter",
    ),
    (
        "medqa",
        "mcq",
        "Which test shows anemia? A. hemoglobin B. sodium C. glucose D. urea",
        "A",
        json.dumps({"A": "hemoglobin", "B": "sodium", "C": "glucose", "D": "urea"}),
        -1,
        "letter",
    ),
    (
        "medcalc",
        "calc",
        "Weight 70 kg, height 1.75 m. What is the body mass index?",
        "22.9",
        "",
        6,
        "decimal",
    ),
    (
        "medcalc",
        "calc",
        "Blood pressure 120/80 mm Hg. What is the mean arterial pressure?",
        "93.3",
        "",
        5,
        "decimal",
    ),
    (
        "medical_o1",
        "text",
        "What are the symptoms of migraine?",
        "Migraine causes throbbing headache, nausea, and sensitivity to light.",
        "",
        -1,
        "text",
    ),
    (
        "medical_o1",
        "text",
        "What is the treatment for asthma?",
        "Inhaled corticosteroids and short-acting beta agonists control asthma.",
        "",
        -1,
        "text",
    ),
]


def _rows(split: str, copies: int) -> list[dict]:
    """Contract-schema rows (same extra_info keys and types in every row) for every item, ``copies`` times."""
    rows = []
    for copy in range(copies):
        for source, task, question, truth, options, calc_id, output_type in _ITEMS:
            index = len(rows)
            calc = calc_id >= 0
            rows.append(
                {
                    "data_source": source,
                    "prompt": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
                    "ability": "medical",
                    "reward_model": {"style": "rule", "ground_truth": truth},
                    "extra_info": {
                        "task": task,
                        "split": split,
                        "index": index,
                        "source_id": f"{source}-{copy}",
                        "options": options,
                        "calculator_id": calc_id,
                        "calculator_name": "calculator" if calc else "",
                        "category": "lab" if calc else "",
                        "output_type": output_type,
                        "lower_limit": float(truth) - 0.5 if calc else None,
                        "upper_limit": float(truth) + 0.5 if calc else None,
                        "length_budget": 0,
                    },
                }
            )
    return rows


def write_fixture_data(data_dir: Path) -> None:
    """train.parquet: 12 rows = one epoch of 3 steps x 4 prompts; val.parquet: 6 rows, two per data source."""
    data_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(_rows("train", 2)), data_dir / "train.parquet")
    pq.write_table(pa.Table.from_pylist(_rows("test", 1)), data_dir / "val.parquet")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repo's tiny Qwen2 (2 layers, 2 query heads over 1 key/value head: grouped-query attention)."""
    from recipe.medu1.fixtures.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def tiny_model(tiny_model_dir: Path) -> Callable[[str], Any]:
    """Loads the tiny model in fp32 with an attention implementation (the packed one registered)."""
    from transformers import AutoModelForCausalLM

    from recipe.medu1.cpu.packed_attention import register_packed_attention

    def load(attn_implementation: str) -> Any:
        register_packed_attention()
        return AutoModelForCausalLM.from_pretrained(
            tiny_model_dir, attn_implementation=attn_implementation
        ).float()

    return load


class SmokeRun(NamedTuple):
    """The run's directory and, per launch, its exit status and console output."""

    out_dir: Path
    steps: int
    exit_codes: tuple[int, ...]
    logs: tuple[str, ...]


def _logged_training_step(out_dir: Path, step: int) -> bool:
    """The file logger holds ``step``'s training metrics and its rollout dump is written."""
    metrics = out_dir / "metrics.jsonl"
    if not (out_dir / "rollouts" / f"{step}.jsonl").is_file() or not metrics.is_file():
        return False
    for line in metrics.read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:  # the line being written
            continue
        if record["step"] == step and "actor/grad_norm" in record["data"]:
            return True
    return False


def _launch(
    args: list[str],
    env: dict[str, str],
    log: Path,
    stop: threading.Event,
    kill_when: Callable[[], bool] | None = None,
) -> tuple[int, str]:
    """Run the smoke script in a session of its own; SIGKILL the whole session once ``kill_when()`` (or
    ``stop``: the pytest session ended first).

    Whatever survives the script (a Ray worker that outlived it) is killed too, and the script's Ray
    directory (``RAY_TMPDIR`` default ``/tmp/medu1-ray.<pid>``), which a SIGKILL leaves behind, removed.
    """
    with log.open("w") as out:
        proc = subprocess.Popen(
            args, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + LAUNCH_TIMEOUT_S
            while proc.poll() is None and time.monotonic() < deadline and not stop.is_set():
                if kill_when is not None and kill_when():
                    time.sleep(0.5)  # inside the next step (>= one 2-s poll, see _smoke_command)
                    kill_session(proc.pid)
                    break
                time.sleep(0.5)
            if stop.is_set():
                kill_session(proc.pid)
            code = proc.wait(timeout=max(deadline - time.monotonic(), 1))
        finally:
            kill_session(proc.pid)
            shutil.rmtree(f"/tmp/medu1-ray.{proc.pid}", ignore_errors=True)
    return code, log.read_text()


def _smoke_command(out_dir: Path) -> tuple[list[str], dict[str, str]]:
    """The command of every launch and its environment (taken from this process when the run starts)."""
    env = {
        **os.environ,
        "CPU_VENV": str(CPU_VENV),
        "OUT_DIR": str(out_dir),
        "DATA_DIR": str(out_dir / "data"),
        "STEPS": str(SMOKE_STEPS),
    }
    env.pop("MODEL_PATH", None)
    env.pop("RAY_TMPDIR", None)
    # The run's thread count is the CPU adapter's own choice (every allowed core), which the smoke test
    # checks: no count exported by the caller.
    for name in ("OMP_NUM_THREADS", "MEDU1_CPU_THREADS", "VLLM_CPU_OMP_THREADS_BIND"):
        env.pop(name, None)
    # verl's own 2-s replay-buffer poll (the adapter's is 0.25 s): the tiny model's rollout then takes at
    # least one poll, so a step lasts >= 2 s and the kill 0.5 s after step 2 is logged lands inside step 3,
    # before its checkpoint (a step of the tiny model can otherwise end in about a second).
    env["MEDU1_CPU_POLL_S"] = "2.0"
    # Every launch is the same command: the smoke script with a checkpoint every step and rollout dumps
    # (the prompts of every step), as extra Hydra arguments.
    args = [
        "bash",
        str(REPO / "examples" / "run_medu1_cpu_smoke.sh"),
        "trainer.save_freq=1",
        f"trainer.rollout_data_dir={out_dir / 'rollouts'}",
    ]
    return args, env


def _run_smoke(out_dir: Path, args: list[str], env: dict[str, str], stop: threading.Event) -> SmokeRun:
    """Launch, kill, relaunch (module docstring) in ``out_dir``."""
    in_next_step = lambda: _logged_training_step(out_dir, KILL_AFTER_STEP)  # noqa: E731
    launches = [_launch(args, env, out_dir / "launch1.log", stop, kill_when=in_next_step)]
    if not stop.is_set():
        launches.append(_launch(args, env, out_dir / "launch2.log", stop))
    codes, logs = zip(*launches, strict=True)
    return SmokeRun(out_dir, SMOKE_STEPS, codes, logs)


class _Background:
    """The session's smoke run in a thread: its result, its directory, and the flag that stops it."""

    def __init__(self) -> None:
        # A private temp dir, not pytest's tmp_path: pytest prunes old base temp dirs, and another pytest
        # process on the machine could remove this one during the run.
        self.out_dir = Path(tempfile.mkdtemp(prefix="medu1_cpu_smoke_"))
        write_fixture_data(self.out_dir / "data")
        # The environment is read here, before any test runs: a test's monkeypatched variable never
        # reaches the run.
        self.command = _smoke_command(self.out_dir)
        self.stop = threading.Event()
        self.result: Future[SmokeRun] = Future()
        self.thread = threading.Thread(target=self._run, name="medu1-cpu-smoke", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.result.set_result(_run_smoke(self.out_dir, *self.command, self.stop))
        except BaseException as error:  # noqa: BLE001 - handed to the fixture, which raises it
            self.result.set_exception(error)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=60)
        shutil.rmtree(self.out_dir, ignore_errors=True)


_background: _Background | None = None


def _uses_smoke_run(item: pytest.Item) -> bool:
    return "smoke_run" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The smoke run's tests last (stable order), so that the rest of the suite runs alongside it."""
    items.sort(key=_uses_smoke_run)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the smoke run when a selected test needs it and the CPU venv exists (else the fixture skips)."""
    global _background
    if session.config.option.collectonly or not (CPU_VENV / "bin" / "python").exists():
        return
    if any(_uses_smoke_run(item) for item in session.items):
        _background = _Background()


def pytest_sessionfinish() -> None:
    """Stop the run if the session ends first (failure with -x, Ctrl-C) and remove its directory."""
    if _background is not None:
        _background.close()


@pytest.fixture(scope="session")
def smoke_run() -> SmokeRun:
    """What the launches left (module docstring), waited for from the background thread."""
    if _background is None:
        pytest.skip(
            f"CPU training venv not found at {CPU_VENV}: build it with recipe/medu1/cpu/install.sh "
            "(or point MEDU1_CPU_VENV at one)"
        )
    run = _background.result.result()
    assert len(run.exit_codes) == 2, "the session ended before the relaunch"
    assert run.exit_codes[1] == 0, (
        f"the relaunch failed ({run.exit_codes[1]}); log tail:\n{run.logs[1][-6000:]}"
    )
    return run
