"""What users notice beyond steady pacing: event-loop stalls, STOP, short clips, loop lag, skew.

Every figure is read at the device (the simulator's arrival and close times) except the loop
lag, which a probe task in this process measures: how late its wake-ups come while Talkback
plays (the simulator runs in its own process, so all the work on this loop is Talkback's).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
import math
from pathlib import Path
import random
import time
from types import TracebackType
from typing import Any, Self

from custom_components.talkback.audio import AudioFanOut

from .metrics import SAMPLE_RATE, Timeline, arrival_skew_ms, percentile
from .scenarios import Bench, TalkOpener, fan_out_play, play_talkback
from .simulated import Recording

# A stall never starts this close to either end of the clip (the start-up burst, the tail).
STALL_MARGIN = 0.5
PROBE_INTERVAL = 0.002
IDLE_PROBE_SECONDS = 2.0


def stall_moments(
    rng: random.Random, clip_seconds: float, count: int, length: float
) -> list[float]:
    """`count` random moments, one in each equal part of the clip, so stalls never overlap."""
    usable = clip_seconds - 2 * STALL_MARGIN
    part = usable / count
    return [
        STALL_MARGIN + index * part + rng.uniform(0, max(0.0, part - length))
        for index in range(count)
    ]


async def block_loop_at(moments: Sequence[float], length: float) -> None:
    """Block the event loop for `length` seconds at each moment (seconds from now).

    `time.sleep` on the loop is what a misbehaving integration does to Home Assistant.
    """
    started = time.monotonic()
    for at in moments:
        await asyncio.sleep(max(0.0, started + at - time.monotonic()))
        time.sleep(length)  # noqa: ASYNC251 - the stall under test


def device_underruns(recordings: Sequence[Recording]) -> dict[str, int]:
    """Underruns over every stream: with the model's 100 ms playout delay, and without any."""
    timelines = [Timeline.from_arrivals(r.arrivals) for r in recordings if r.arrivals]
    return {
        "underruns": sum(t.underruns() for t in timelines),
        "underruns_playing_at_first_byte": sum(t.underruns(0.0) for t in timelines),
        "streams_with_underruns": sum(t.underruns() > 0 for t in timelines),
    }


async def stall_play(
    bench: Bench,
    media: Path,
    speakers: int,
    lead: float,
    *,
    length: float,
    moments: Sequence[float],
) -> dict[str, Any]:
    """One play to `speakers` speakers with the loop blocked for `length` s at each moment."""
    await bench.control.reset()

    async def stalls(_fanout: AudioFanOut, _tasks: list[asyncio.Task[None]]) -> None:
        await block_loop_at(moments, length)

    play = await fan_out_play(bench, media, bench.camera_talks(speakers), lead, stalls)
    recordings = await bench.control.recordings()
    timelines = [Timeline.from_arrivals(r.arrivals) for r in recordings if r.arrivals]
    return {
        **device_underruns(recordings),
        "stalls": len(moments),
        "max_lag_ms": round(max((t.max_lag_ms for t in timelines), default=0.0), 1),
        "max_lead_ms": round(max((t.max_lead_ms for t in timelines), default=0.0), 1),
        "failed_or_dropped": len(play.errors),
    }


async def stop_play(
    bench: Bench, media: Path, speakers: int, lead: float, after: float
) -> dict[str, Any]:
    """STOP `after` s into a play, as Home Assistant's media_stop does: cancel every speaker.

    Returns how long after the stop the devices ended their sessions and got their last byte.
    """
    await bench.control.reset()
    stopped: list[float] = []

    async def stop(fanout: AudioFanOut, tasks: list[asyncio.Task[None]]) -> None:
        await asyncio.sleep(after)
        stopped.append(time.monotonic())
        for task in tasks:
            task.cancel()
        fanout.stop()

    play = await fan_out_play(bench, media, bench.camera_talks(speakers), lead, stop)
    recordings = await bench.control.recordings()
    closed = [(r.closed_at - stopped[0]) * 1000 for r in recordings if r.closed_at is not None]
    last_bytes = [(r.arrivals[-1][0] - stopped[0]) * 1000 for r in recordings if r.arrivals]
    return {
        "speakers": speakers,
        "sessions_closed": len(closed),
        "session_closed_ms_max": round(max(closed, default=float("nan")), 1),
        "session_closed_ms_p50": round(percentile(closed, 50), 1) if closed else None,
        "last_byte_ms_max": round(max(last_bytes, default=float("nan")), 1),
        "close_reasons": sorted({str(r.close_reason) for r in recordings}),
        "failed_or_dropped": len(play.errors),
    }


async def short_clip_play(bench: Bench, media: Path, lead: float) -> dict[str, float]:
    """A short clip to one speaker: time to first audio, and how the session end meets the audio's.

    `tail_ms` is the session's close minus the moment a device playing from the first byte
    finished the audio: below zero the end was cut.
    """
    await bench.control.reset()
    called = time.monotonic()
    await play_talkback(bench, media, lead)
    (recording,) = await bench.control.recordings()
    first = recording.arrivals[0][0]
    audio_end = first + len(recording.data) / SAMPLE_RATE
    assert recording.closed_at is not None
    return {
        "ttfa_ms": (first - called) * 1000,
        "tail_ms": (recording.closed_at - audio_end) * 1000,
    }


@dataclass
class LoopLagProbe:
    """A task waking every PROBE_INTERVAL, noting how late each wake-up came.

    `lags` are (wake-up time, lag, lag on CPU) in seconds. The lag on CPU is at most the CPU
    time this thread used while the probe slept: the part of the lag the event loop spent
    running other callbacks (Talkback), not waiting for a core other processes held.
    """

    lags: list[tuple[float, float, float]] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._probe())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _probe(self) -> None:
        while True:
            cpu = time.thread_time()
            due = time.monotonic() + PROBE_INTERVAL
            await asyncio.sleep(PROBE_INTERVAL)
            now = time.monotonic()
            lag = now - due
            self.lags.append((now, lag, min(lag, time.thread_time() - cpu)))

    def figures(self, start: float = 0.0, end: float = math.inf) -> dict[str, float]:
        """Max, p99 and p50 in ms of the wake-ups between `start` and `end`."""
        window = [(lag, on_cpu) for at, lag, on_cpu in self.lags if start <= at <= end]
        lags_ms = [lag * 1000 for lag, _ in window] or [0.0]
        on_cpu_ms = [on_cpu * 1000 for _, on_cpu in window] or [0.0]
        return {
            "max": round(max(lags_ms), 2),
            "p99": round(percentile(lags_ms, 99), 2),
            "p50": round(percentile(lags_ms, 50), 2),
            "max_on_cpu": round(max(on_cpu_ms), 2),
            "p99_on_cpu": round(percentile(on_cpu_ms, 99), 2),
            "samples": len(window),
        }


async def loop_lag_play(bench: Bench, media: Path, speakers: int, lead: float) -> dict[str, Any]:
    """The probe's lag with the loop idle, then around a play to `speakers` speakers.

    `playing` is from the first audio byte at any device to the last one; `whole_play` adds
    starting ffmpeg, opening every session and audio socket before and closing them after.
    """
    async with LoopLagProbe() as idle:
        await asyncio.sleep(IDLE_PROBE_SECONDS)
    await bench.control.reset()
    async with LoopLagProbe() as probe:
        play = await fan_out_play(bench, media, bench.camera_talks(speakers), lead)
    heard = [r.arrivals for r in await bench.control.recordings() if r.arrivals]
    first = min(arrivals[0][0] for arrivals in heard)
    last = max(arrivals[-1][0] for arrivals in heard)
    return {
        "speakers": speakers,
        "probe_interval_ms": PROBE_INTERVAL * 1000,
        "playing": probe.figures(first, last),
        "whole_play": probe.figures(),
        "idle": idle.figures(),
        "failed_or_dropped": len(play.errors),
    }


async def skew_play(
    bench: Bench, media: Path, talks: Sequence[TalkOpener], lead: float
) -> dict[str, Any]:
    """Spread of first- and last-audio arrival across the speakers of one play."""
    await bench.control.reset()
    play = await fan_out_play(bench, media, talks, lead)
    recordings = await bench.control.recordings()
    skew = arrival_skew_ms([r.arrivals for r in recordings])
    return {
        "speakers": len(talks),
        "recorded": sum(bool(r.arrivals) for r in recordings),
        "start_ms": round(skew["start"], 2),
        "end_ms": round(skew["end"], 2),
        "failed_or_dropped": len(play.errors),
    }
