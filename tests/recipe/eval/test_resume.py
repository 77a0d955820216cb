"""Kill-and-resume: SIGINT, then SIGKILL, then a clean rerun yields every sample exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from data_preprocess.core.prompts import TYPE_INSTRUCTIONS
from data_preprocess.core.schema import ROW_SCHEMA

N_QUESTIONS = 60
OPTIONS = {"A": "aspirin", "B": "heparin"}
REPO = Path(__file__).resolve().parents[3]


def write_questions(path: Path, extra_info) -> None:
    rows = [
        {
            "data_source": "medqa",
            "prompt": [
                {
                    "role": "user",
                    "content": f"Question {i}: best drug?\nA. aspirin\nB. heparin\n"
                    f"{TYPE_INSTRUCTIONS['mcq']}",
                }
            ],
            "ability": "medical",
            "reward_model": {"style": "rule", "ground_truth": "AB"[i % 2]},
            "extra_info": extra_info(
                "mcq", split="test", index=i, source_id=str(i), options=json.dumps(OPTIONS)
            ),
        }
        for i in range(N_QUESTIONS)
    ]
    pq.write_table(pa.Table.from_pylist(rows, schema=ROW_SCHEMA), path)


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True) if path.exists() else []


def start(model: Path, data: Path, out: Path) -> subprocess.Popen:
    # batch_size 1 checkpoints after every sample, so an interruption lands between written batches.
    cmd = [
        sys.executable,
        "-m",
        "recipe.medu1.eval",
        "--model",
        str(model),
        "--data",
        str(data),
        "--output_dir",
        str(out),
        "--backend",
        "hf",
        "--batch_size",
        "1",
        "--max_new_tokens",
        "24",
        "--temperature",
        "0.8",
    ]
    # One torch thread: on a shared CPU, thread oversubscription makes tiny-model generation ~7x slower.
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    # SIGINT back to its default in the child: a shell starts background jobs with SIGINT ignored, the child
    # inherits that, and Python then installs no KeyboardInterrupt handler (the test ran under `... &`).
    return subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for_lines(proc: subprocess.Popen, path: Path, count: int, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while len(lines(path)) < count:
        assert proc.poll() is None, f"run ended early: {proc.stderr.read().decode()[-2000:]}"
        assert time.monotonic() < deadline, "run produced no predictions in time"
        time.sleep(0.02)


def test_sigint_then_sigkill_then_resume(tiny_model_dir: Path, tmp_path: Path, extra_info) -> None:
    data, out = tmp_path / "medqa.parquet", tmp_path / "run"
    write_questions(data, extra_info)
    predictions = out / "predictions.jsonl"

    first = start(tiny_model_dir, data, out)
    wait_for_lines(first, predictions, 5)
    first.send_signal(signal.SIGINT)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 130, err.decode()[-2000:]
    assert b"rerun the same command to resume" in err
    after_sigint = lines(predictions)
    assert 5 <= len(after_sigint) < N_QUESTIONS

    second = start(tiny_model_dir, data, out)
    wait_for_lines(second, predictions, len(after_sigint) + 5)
    os.kill(second.pid, signal.SIGKILL)
    second.wait(timeout=60)
    assert second.returncode == -signal.SIGKILL
    after_kill = lines(predictions)
    assert after_kill[: len(after_sigint)] == after_sigint
    # Simulate the kill landing mid-write: half a record without its newline.
    with open(predictions, "ab") as handle:
        handle.write(after_kill[-1][: len(after_kill[-1]) // 2])
    complete = [line for line in after_kill if line.endswith(b"\n")]

    third = start(tiny_model_dir, data, out)
    _, err = third.communicate(timeout=600)
    assert third.returncode == 0, err.decode()[-2000:]
    assert b"discarding a torn last line" in err
    final = lines(predictions)
    assert final[: len(complete)] == complete  # earlier responses kept, byte for byte
    records = [json.loads(line) for line in final]
    keys = [(r["data_source"], r["split"], r["index"], r["sample"]) for r in records]
    assert sorted(keys) == [("medqa", "test", i, 0) for i in range(N_QUESTIONS)]  # each sample exactly once
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["per_source"]["medqa"]["n"] == N_QUESTIONS
