"""How many cores a CPU run uses: the thread count every process gets, and the CPU time of a whole run.

Why a thread count of our own: Ray sets ``OMP_NUM_THREADS`` in each worker to the CPUs the worker was
assigned when the variable is unset, and verl's FSDP workers are assigned none (their resource bundle
counts a fake GPU), so torch in the actor ran one thread on a 2-core box: the update used half the
machine. Setting the variable in the driver before Ray starts makes every process of the run (actor,
reference, vLLM, reward workers) inherit it, because Ray leaves a variable that is already set alone.
Phases of a synchronous GRPO step do not overlap (generation, then the update), so every process may
use every core. ``MEDU1_CPU_THREADS`` overrides the count; an ``OMP_NUM_THREADS`` the user exported is
kept.

Why CPU time per run, not per process: a step's phases run in different processes (vLLM's engine and
workers, the FSDP actor), so "cores used" of a phase is the CPU time of all processes of the run's
session over the phase's wall time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import torch

THREADS_ENV = "MEDU1_CPU_THREADS"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def allowed_cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers and taskset narrow)."""
    return len(os.sched_getaffinity(0))


def use_cores() -> int:
    """Give this process and its children the run's thread count; return it.

    ``MEDU1_CPU_THREADS`` if set, else an ``OMP_NUM_THREADS`` already in the environment, else the allowed
    cores.
    """
    chosen = os.environ.get(THREADS_ENV) or os.environ.get("OMP_NUM_THREADS") or str(allowed_cores())
    threads = int(chosen)
    if threads < 1:
        raise ValueError(f"{THREADS_ENV} / OMP_NUM_THREADS must be a positive integer, got {chosen!r}")
    os.environ["OMP_NUM_THREADS"] = str(threads)
    torch.set_num_threads(threads)
    return threads


def report_threads(role: str) -> str:
    """One line on stderr saying how many threads torch uses here against the allowed cores (the smoke
    test reads it from the run's log)."""
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
