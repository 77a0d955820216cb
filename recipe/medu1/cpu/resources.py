"""How much of the machine a CPU run uses: the thread count every process gets, and the CPU time and
memory of the whole run (all processes of its session).

Why a thread count of our own: Ray sets ``OMP_NUM_THREADS`` in each worker to the CPUs the worker was
assigned when the variable is unset, and verl's FSDP workers are assigned none (their resource bundle
counts a fake GPU), so torch in the actor ran one thread on a 2-core box: the update used half the
machine. Setting the variable in the driver before Ray starts makes every process of the run (actor,
reference, vLLM, reward workers) inherit it, because Ray leaves a variable that is already set alone.
Phases of a synchronous GRPO step do not overlap (generation, then the update), so every process may
use every core. ``MEDU1_CPU_THREADS`` overrides the count; an ``OMP_NUM_THREADS`` the user exported is
kept. vLLM-CPU binds its worker's threads itself and keeps one core for its scheduler process
("auto" binding): on 2 cores the rollout computed on one thread. ``VLLM_CPU_OMP_THREADS_BIND`` is set to
all allowed cores unless the user set it (generation 1.33x faster than vLLM's own binding, which
``bench_step``'s ``vllm_auto_binding`` variant restores).

Why CPU time and memory per run, not per process: a step's phases run in different processes (vLLM's
engine and workers, the FSDP actor), so "cores used" of a phase is the CPU time of all processes of the run's
session over the phase's wall time. Memory is the session's proportional set size (PSS): pages that
several processes share (torch's libraries, loaded by every Ray worker) count once in the sum.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

THREADS_ENV = "MEDU1_CPU_THREADS"
VLLM_BIND_ENV = "VLLM_CPU_OMP_THREADS_BIND"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def allowed_cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers and taskset narrow)."""
    return len(os.sched_getaffinity(0))


def use_cores() -> int:
    """Give this process and its children the run's thread count (and vLLM's worker all allowed cores);
    return the count.

    ``MEDU1_CPU_THREADS`` if set, else an ``OMP_NUM_THREADS`` already in the environment, else the allowed
    cores.
    """
    chosen = os.environ.get(THREADS_ENV) or os.environ.get("OMP_NUM_THREADS") or str(allowed_cores())
    threads = int(chosen)
    if threads < 1:
        raise ValueError(f"{THREADS_ENV} / OMP_NUM_THREADS must be a positive integer, got {chosen!r}")
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ.setdefault(VLLM_BIND_ENV, ",".join(str(cpu) for cpu in sorted(os.sched_getaffinity(0))))
    import torch  # here, not at the top: the memory watcher below must stay a small process

    torch.set_num_threads(threads)
    return threads


def report_threads(role: str) -> str:
    """One line on stderr saying how many threads torch uses here against the allowed cores (the smoke
    test reads it from the run's log)."""
    import torch

    threads, cores = torch.get_num_threads(), allowed_cores()
    line = f"[medu1-cpu] {role} pid {os.getpid()}: torch threads {threads}, allowed cores {cores}"
    print(line, file=sys.stderr, flush=True)
    return line


def _stat_fields(pid: str) -> list[str]:
    # The fields after "(comm)", which may itself contain spaces or parentheses.
    return (Path("/proc") / pid / "stat").read_text().rsplit(")", 1)[1].split()


def session_members(sid: int) -> list[int]:
    """The live processes of session ``sid`` (zombies, already dead and waiting to be reaped, left out)."""
    members = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if os.getsid(int(proc.name)) == sid and _stat_fields(proc.name)[0] != "Z":
                members.append(int(proc.name))
        except OSError:  # ended meanwhile
            continue
    return members


def session_cpu_seconds(sid: int | None = None) -> float:
    """User + system CPU seconds of the live processes of session ``sid`` (default: this one's)."""
    sid = os.getsid(0) if sid is None else sid
    ticks = 0
    for pid in session_members(sid):
        try:
            fields = _stat_fields(str(pid))
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime: stat fields 14 and 15
    return ticks / _CLOCK_TICKS


class ProcessMemory(NamedTuple):
    """One process's proportional set size and what it is (its command line, cut)."""

    pid: int
    kib: int
    command: str


def session_memory(sid: int | None = None) -> list[ProcessMemory]:
    """PSS of every live process of session ``sid`` (default: this one's), largest first."""
    sid = os.getsid(0) if sid is None else sid
    found = []
    for pid in session_members(sid):
        try:
            rollup = (Path("/proc") / str(pid) / "smaps_rollup").read_text()
            command = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        kib = next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
        found.append(ProcessMemory(pid, kib, " ".join(command.split())[:120]))
    return sorted(found, key=lambda p: -p.kib)


class PeakMemory:
    """Samples a session's PSS in a background thread; keeps the peak total and the processes at it.

    A class because the sampler's state (the peak so far, the thread) lives across the run it watches.
    """

    def __init__(self, sid: int, interval_s: float = 2.0) -> None:
        self.sid, self.interval_s = sid, interval_s
        self.peak: list[ProcessMemory] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @property
    def peak_kib(self) -> int:
        return sum(p.kib for p in self.peak)

    def _sample(self) -> None:
        while not self._stop.is_set():
            now = session_memory(self.sid)
            if sum(p.kib for p in now) > self.peak_kib:
                self.peak = now
            self._stop.wait(self.interval_s)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def breakdown(self) -> str:
        return breakdown(self.peak)


def gb(kib: float) -> float:
    """KiB (what /proc reports) in decimal GB (the unit of the demo's memory limit and summary.json)."""
    return kib * 1024 / 1e9


def breakdown(processes: list[ProcessMemory], top: int = 12) -> str:
    """The processes of one sample, largest first, one line each (GB and command), under their total."""
    lines = [f"peak {gb(sum(p.kib for p in processes)):.2f} GB (PSS) over {len(processes)} processes"]
    lines += [f"{gb(p.kib):6.2f} GB  {p.command}" for p in processes[:top]]
    return "\n".join(lines)


def watch_memory(sid: int, log: Path, peak_file: Path, interval_s: float = 2.0) -> None:
    """Append the session's PSS (KiB) to ``log`` every ``interval_s``; rewrite ``peak_file`` with the
    processes at each new peak, so that ending this loop at any moment loses nothing."""
    peak_kib = 0
    while True:
        now = session_memory(sid)
        total = sum(p.kib for p in now)
        with log.open("a") as handle:
            handle.write(f"{total}\n")
        if total > peak_kib:
            peak_kib = total
            peak_file.write_text(breakdown(now) + "\n")
        time.sleep(interval_s)


def main() -> None:
    parser = argparse.ArgumentParser(description="Sample a session's memory (PSS) until killed.")
    parser.add_argument("--sid", type=int, required=True, help="session id (ps -o sid= -p PID)")
    parser.add_argument("--log", type=Path, required=True, help="one total in KiB per sample")
    parser.add_argument("--peak", type=Path, required=True, help="the processes at the peak, largest first")
    args = parser.parse_args()
    watch_memory(args.sid, args.log, args.peak)


if __name__ == "__main__":
    main()
