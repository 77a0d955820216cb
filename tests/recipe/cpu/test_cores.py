"""The CPU run's thread count (one setting, inherited by every process) and its CPU-time probe."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import torch

from recipe.medu1.cpu import cores


@pytest.fixture(autouse=True)
def _restore_threads(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(cores.THREADS_ENV, raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_default_is_every_allowed_core_and_children_inherit_it() -> None:
    assert cores.use_cores() == len(os.sched_getaffinity(0))
    assert torch.get_num_threads() == len(os.sched_getaffinity(0))
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ['OMP_NUM_THREADS'])"],
        capture_output=True,
        text=True,
    )
    assert child.stdout.strip() == str(len(os.sched_getaffinity(0)))


def test_an_exported_omp_num_threads_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert cores.use_cores() == 1
    assert torch.get_num_threads() == 1


def test_the_project_setting_wins_over_omp_num_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.setenv(cores.THREADS_ENV, "1")
    assert cores.use_cores() == 1
    assert os.environ["OMP_NUM_THREADS"] == "1"


@pytest.mark.parametrize("value", ["0", "-2"])
def test_a_count_below_one_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(cores.THREADS_ENV, value)
    with pytest.raises(ValueError, match=cores.THREADS_ENV):
        cores.use_cores()


def test_report_names_threads_and_cores(capsys: pytest.CaptureFixture[str]) -> None:
    torch.set_num_threads(1)
    line = cores.report_threads("FSDP engine")
    expected = f"FSDP engine pid {os.getpid()}: torch threads 1, allowed cores {cores.allowed_cores()}"
    assert line == f"[medu1-cpu] {expected}"
    assert capsys.readouterr().err.strip() == line


def test_session_cpu_seconds_counts_a_busy_process_of_the_session() -> None:
    """A child spinning for ~1 s of CPU in a session of its own: that session's CPU time grows by ~1 s."""
    spin = (
        "import time\nend = time.process_time() + 1.0\nwhile time.process_time() < end: pass\ntime.sleep(30)"
    )
    child = subprocess.Popen([sys.executable, "-c", spin], start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while cores.session_cpu_seconds(child.pid) < 1.0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert 1.0 <= cores.session_cpu_seconds(child.pid) < 2.0
        assert cores.session_members(child.pid) == [child.pid]
    finally:
        child.kill()
        child.wait()
