"""The CPU run's thread count (one setting, inherited by every process) and its CPU-time probe."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import torch

from recipe.medu1.cpu import resources


@pytest.fixture(autouse=True)
def _restore_threads(monkeypatch: pytest.MonkeyPatch):
    # setenv first: monkeypatch records a variable only if it exists, and use_cores writes these two.
    for name in (resources.THREADS_ENV, "OMP_NUM_THREADS", resources.VLLM_BIND_ENV):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_default_is_every_allowed_core_and_children_inherit_it() -> None:
    assert resources.use_cores() == len(os.sched_getaffinity(0))
    assert torch.get_num_threads() == len(os.sched_getaffinity(0))
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ['OMP_NUM_THREADS'])"],
        capture_output=True,
        text=True,
    )
    assert child.stdout.strip() == str(len(os.sched_getaffinity(0)))


def test_vllm_workers_are_bound_to_every_allowed_core_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    resources.use_cores()
    assert os.environ[resources.VLLM_BIND_ENV] == ",".join(map(str, sorted(os.sched_getaffinity(0))))
    monkeypatch.setenv(resources.VLLM_BIND_ENV, "auto")
    resources.use_cores()
    assert os.environ[resources.VLLM_BIND_ENV] == "auto"


def test_an_exported_omp_num_threads_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert resources.use_cores() == 1
    assert torch.get_num_threads() == 1


def test_the_project_setting_wins_over_omp_num_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.setenv(resources.THREADS_ENV, "1")
    assert resources.use_cores() == 1
    assert os.environ["OMP_NUM_THREADS"] == "1"


@pytest.mark.parametrize("value", ["0", "-2"])
def test_a_count_below_one_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(resources.THREADS_ENV, value)
    with pytest.raises(ValueError, match=resources.THREADS_ENV):
        resources.use_cores()


def test_report_names_threads_and_cores(capsys: pytest.CaptureFixture[str]) -> None:
    torch.set_num_threads(1)
    line = resources.report_threads("FSDP engine")
    expected = f"FSDP engine pid {os.getpid()}: torch threads 1, allowed cores {resources.allowed_cores()}"
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
        while resources.session_cpu_seconds(child.pid) < 1.0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert 1.0 <= resources.session_cpu_seconds(child.pid) < 2.0
        assert resources.session_members(child.pid) == [child.pid]
    finally:
        child.kill()
        child.wait()


def test_peak_memory_sees_a_process_that_allocates() -> None:
    """A child of its own session holding ~200 MB: the sampler's peak includes it, the breakdown names it."""
    hold = "import time\nblock = bytearray(200 * 2**20)\nblock[::4096] = b'x' * 51200\ntime.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", hold], start_new_session=True)
    try:
        with resources.PeakMemory(child.pid, interval_s=0.1) as memory:
            deadline = time.monotonic() + 30
            while memory.peak_kib < 200 * 1024 and time.monotonic() < deadline:
                time.sleep(0.1)
        assert memory.peak_kib >= 200 * 1024
        assert [p.pid for p in memory.peak] == [child.pid]
        assert "bytearray" in memory.breakdown().splitlines()[1]
    finally:
        child.kill()
        child.wait()


def test_the_watcher_logs_totals_and_keeps_the_peak_when_killed(tmp_path) -> None:
    """``python -m recipe.medu1.cpu.resources`` as make demo runs it: killed at any moment, its files hold
    one KiB total per sample and the processes at the highest one."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    log, peak = tmp_path / "memory_kib.log", tmp_path / "memory_peak.txt"
    command = ["--sid", str(child.pid), "--log", str(log), "--peak", str(peak)]
    watcher = subprocess.Popen([sys.executable, "-m", "recipe.medu1.cpu.resources", *command])
    try:
        deadline = time.monotonic() + 30
        while (not log.exists() or len(log.read_text().split()) < 2) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        watcher.kill()
        child.kill()
        watcher.wait()
        child.wait()
    totals = [int(value) for value in log.read_text().split()]
    assert len(totals) >= 2 and min(totals) > 0
    first, *processes = peak.read_text().splitlines()
    assert first.startswith(f"peak {max(totals) * 1024 / 1e9:.2f} GB (PSS) over 1 processes")
    assert "time.sleep(60)" in processes[0]


def test_the_watcher_does_not_import_torch() -> None:
    """It runs for the whole demo: torch would add a few hundred MB to the memory it measures."""
    probe = "import sys, recipe.medu1.cpu.resources; print('torch' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip()
        == "False"
    )
