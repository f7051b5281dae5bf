"""CPU and memory of this process and its ffmpeg children, from getrusage and /proc."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import os
from pathlib import Path
import resource
import sys
import time

PROC = Path("/proc")


def cpu_seconds() -> float:
    """CPU time of this process plus every child already reaped (ffmpeg once it exited)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass(slots=True)
class CpuWindow:
    """CPU and wall time between `start` and `stop` (children count once reaped)."""

    cpu_start: float = 0.0
    wall_start: float = 0.0
    cpu: float = 0.0
    wall: float = 0.0

    def start(self) -> None:
        self.cpu_start, self.wall_start = cpu_seconds(), time.monotonic()

    def stop(self) -> None:
        self.cpu = cpu_seconds() - self.cpu_start
        self.wall = time.monotonic() - self.wall_start

    def pct_of_a_core_per_stream(self, streams: int) -> float:
        """CPU / streams / wall time, in % of one core."""
        return 100 * self.cpu / streams / self.wall if self.wall else 0.0


@dataclass(frozen=True, slots=True)
class Memory:
    """Resident and proportional set sizes in MiB (PSS shares common pages fairly)."""

    rss_mb: float
    pss_mb: float

    @classmethod
    def of(cls, pids: Iterable[int]) -> Memory:
        rss = pss = 0
        for pid in pids:
            rss += _kib(PROC / str(pid) / "status", "VmRSS:")
            pss += _kib(PROC / str(pid) / "smaps_rollup", "Pss:")
        return cls(rss / 1024, pss / 1024)

    def __sub__(self, other: Memory) -> Memory:
        return Memory(self.rss_mb - other.rss_mb, self.pss_mb - other.pss_mb)

    def at_least_zero(self) -> Memory:
        return Memory(max(self.rss_mb, 0.0), max(self.pss_mb, 0.0))

    def __add__(self, other: Memory) -> Memory:
        return Memory(self.rss_mb + other.rss_mb, self.pss_mb + other.pss_mb)


def _kib(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass  # the process has just ended
    return 0


class SpawnCounter:
    """Counts the ffmpeg processes this process starts, from Python's audit events."""

    def __init__(self) -> None:
        self.count = 0
        sys.addaudithook(self._audit)

    def _audit(self, event: str, args: tuple[object, ...]) -> None:
        # subprocess.Popen(executable, args, cwd, env): asyncio's subprocesses raise it too.
        if event == "subprocess.Popen" and "ffmpeg" in Path(str(args[0])).name:
            self.count += 1


SPAWNS = SpawnCounter()


def ffmpeg_children() -> list[int]:
    """Pids of this process's children that run ffmpeg."""
    me = os.getpid()
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may contain spaces, so split after the last ')'.
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if ppid == me and "ffmpeg" in comm:
            found.append(int(entry.name))
    return found
