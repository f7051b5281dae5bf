"""The ways audio reaches a simulated camera, and what each run measures.

Talkback's path (ffmpeg source, pacer, fan-out) against two baselines: a plain
`sleep(0.02)` per frame, and ffmpeg `-re` writing µ-law straight into the talk socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager, suppress
from dataclasses import dataclass
import os
from pathlib import Path
import time
from typing import Any, Protocol

from custom_components.talkback.audio import (
    FRAME_DURATION,
    AudioFanOut,
    AudioSource,
    FanOutSink,
    G711Codec,
    PacerStats,
    stream_to,
)
from custom_components.talkback.isapi.client import IsapiClient
from custom_components.talkback.vapix.client import VapixClient

from .metrics import Samples, Timeline, correlation, silent_frames
from .resources import SPAWNS, CpuWindow, Memory, ffmpeg_children
from .simulated import Control, Recording

CODEC = G711Codec.MULAW
PIPE_READ_BYTES = 4096


class Talk(Protocol):
    """A speaker's audio session (ISAPI `TalkSession`, VAPIX `TransmitSession`)."""

    async def send(self, frames: AsyncIterable[bytes]) -> int:
        """Write the frames as they come."""


type TalkOpener = Callable[[], AbstractAsyncContextManager[Talk]]


@dataclass
class Bench:
    """Everything a scenario needs: ffmpeg, the devices' clients, the simulator's control."""

    ffmpeg: str
    clients: list[IsapiClient]
    channels_per_camera: int
    control: Control
    axis_clients: list[VapixClient]

    def speaker(self, index: int) -> tuple[IsapiClient, str]:
        """The client and channel id of the index-th speaker (cameras fill up in turn)."""
        camera, channel = divmod(index, self.channels_per_camera)
        return self.clients[camera], str(channel + 1)

    def camera_talks(self, count: int) -> list[TalkOpener]:
        """Talk sessions on the first `count` camera channels."""
        return [self._camera_talk(index) for index in range(count)]

    def _camera_talk(self, index: int) -> TalkOpener:
        client, channel = self.speaker(index)
        return lambda: client.talk(channel)

    def mixed_talks(self, cameras: int) -> list[TalkOpener]:
        """`cameras` camera channels and every Axis speaker, alternating."""
        axis: list[TalkOpener] = [client.talk for client in self.axis_clients]
        hikvision = self.camera_talks(cameras)
        mixed = [talk for pair in zip(hikvision, axis, strict=False) for talk in pair]
        return mixed + hikvision[len(axis) :] + axis[len(hikvision) :]


def pacing_figures(recording: Recording, reference: Samples | None) -> dict[str, Any]:
    """The device-side figures of one stream."""
    timeline = Timeline.from_arrivals(recording.arrivals)
    figures: dict[str, Any] = {
        "underruns": timeline.underruns(),
        "max_lag_ms": round(timeline.max_lag_ms, 2),
        "max_lead_ms": round(timeline.max_lead_ms, 2),
        "duration_error_pct": round(timeline.drift_pct, 4),
        "end_lag_ms": round(timeline.end_lag_ms, 2),
        "silence_frames": silent_frames(recording.data, CODEC.silence_byte),
        "audio_seconds": round(len(recording.data) / 8000, 3),
        "arrival_span_seconds": round(float(timeline.elapsed[-1]), 3),
        "reads": len(recording.arrivals),
    }
    if reference is not None:
        figures["correlation"] = round(correlation(recording.heard, reference), 4)
    return figures


def lead_curve(recording: Recording, points: int = 600) -> tuple[list[float], list[float]]:
    """(seconds, lead in ms) thinned to about `points` for the plot, keeping each bin's peak."""
    timeline = Timeline.from_arrivals(recording.arrivals)
    step = max(1, len(timeline.elapsed) // points)
    xs, ys = [], []
    for start in range(0, len(timeline.elapsed), step):
        xs.append(float(timeline.elapsed[start]))
        ys.append(float(timeline.lead[start : start + step].max()) * 1000)
    return xs, ys


# The three ways of playing one file to one speaker -----------------------------------------


async def play_talkback(bench: Bench, media: Path, lead: float) -> PacerStats:
    """Talkback: ffmpeg decodes as fast as it is read, the pacer writes on deadlines."""
    client, channel = bench.speaker(0)
    async with (
        AudioSource(media, CODEC, ffmpeg_binary=bench.ffmpeg) as source,
        client.talk(channel) as talk,
    ):
        return await stream_to(source.frames(), talk.send, CODEC, lead=lead)


async def play_naive(bench: Bench, media: Path) -> None:
    """The naive loop: write a frame, sleep 20 ms (every wake-up's delay adds up)."""

    async def sleep_per_frame(frames: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        async for frame in frames:
            yield frame
            await asyncio.sleep(FRAME_DURATION)

    client, channel = bench.speaker(0)
    async with (
        AudioSource(media, CODEC, ffmpeg_binary=bench.ffmpeg) as source,
        client.talk(channel) as talk,
    ):
        await talk.send(sleep_per_frame(source.frames()))


async def play_ffmpeg_re(bench: Bench, media: Path, index: int = 0) -> list[int]:
    """go2rtc's way: ffmpeg -re reads in real time and its µ-law goes straight out."""
    client, channel = bench.speaker(index)
    async with client.talk(channel) as talk:
        process = await asyncio.create_subprocess_exec(
            bench.ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-re", "-i", str(media),
            "-vn", "-ac", "1", "-ar", "8000", "-f", CODEC.ffmpeg_format, "pipe:1",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        assert process.stdout is not None
        stdout = process.stdout

        async def chunks() -> AsyncIterator[bytes]:
            while chunk := await stdout.read(PIPE_READ_BYTES):
                yield chunk

        try:
            await talk.send(chunks())
        finally:
            with suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    return [process.pid]


# Measured runs ----------------------------------------------------------------------------


async def recorded(bench: Bench, play: Callable[[], Awaitable[object]]) -> list[Recording]:
    """Run a play on freshly reset cameras; return what they recorded."""
    await bench.control.reset()
    await play()
    return await bench.control.recordings()


async def time_to_first_audio(bench: Bench, media: Path, lead: float) -> float:
    """Seconds from the play call to the first audio byte at the device."""
    await bench.control.reset()
    called = time.monotonic()
    await play_talkback(bench, media, lead)
    (recording,) = await bench.control.recordings()
    return recording.arrivals[0][0] - called


@dataclass(slots=True)
class ConcurrencyRun:
    """What one N-stream run measured on this side."""

    streams: int
    cpu: CpuWindow
    memory: Memory
    ffmpeg_processes: int
    errors: list[str]


class MidRunSampler:
    """Counts the ffmpeg processes a run starts and samples memory halfway through it."""

    def __init__(self, delay: float) -> None:
        self.memory = Memory(0, 0)
        self._spawned_before = SPAWNS.count
        self._baseline = Memory.of([os.getpid()])
        self._task = asyncio.create_task(self._sample(delay))

    @property
    def ffmpeg_processes(self) -> int:
        return SPAWNS.count - self._spawned_before

    async def _sample(self, delay: float) -> None:
        await asyncio.sleep(delay)
        # Memory the allocator got back during the run counts as no growth, not as a saving.
        own = (Memory.of([os.getpid()]) - self._baseline).at_least_zero()
        self.memory = own + Memory.of(ffmpeg_children())

    async def finish(self) -> None:
        self._task.cancel()
        with suppress(asyncio.CancelledError):
            await self._task


@dataclass(slots=True)
class FanOutPlay:
    """One decode fanned out to speakers: what happened on this side."""

    fanout: AudioFanOut
    results: Sequence[object]
    started_at: float  # monotonic time the fan-out's run() began (every session open)
    ended_at: float  # when run() returned (the last frame played out, or stopped)

    @property
    def errors(self) -> list[str]:
        return [str(error) for error in self.fanout.dropped.values()] + _errors(self.results)


type During = Callable[[AudioFanOut, list[asyncio.Task[None]]], Coroutine[Any, Any, object]]


async def fan_out_play(
    bench: Bench,
    media: Path,
    talks: Sequence[TalkOpener],
    lead: float,
    during: During | None = None,
) -> FanOutPlay:
    """Play one decode to every talk session, once all are open; `during` runs alongside."""
    opened = 0
    all_open = asyncio.Event()

    async def speaker(sink: FanOutSink, talk: TalkOpener) -> None:
        nonlocal opened
        try:
            async with talk() as session, sink:
                opened += 1
                if opened == len(talks):
                    all_open.set()
                await session.send(sink)
        finally:
            if opened < len(talks):
                all_open.set()  # a failed open must not hold the others back

    async with AudioSource(media, CODEC, ffmpeg_binary=bench.ffmpeg) as source:
        fanout = AudioFanOut(source.frames(), CODEC, lead=lead)
        tasks = [
            asyncio.create_task(speaker(fanout.add_sink(f"speaker {i}"), talk))
            for i, talk in enumerate(talks)
        ]
        await all_open.wait()
        started_at = time.monotonic()
        side = None if during is None else asyncio.create_task(during(fanout, tasks))
        try:
            await fanout.run()
        finally:
            ended_at = time.monotonic()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            if side is not None:
                side.cancel()
                await asyncio.gather(side, return_exceptions=True)
    # A speaker stopped on purpose (cancelled) is no error.
    kept = [r for r in results if not isinstance(r, asyncio.CancelledError)]
    return FanOutPlay(fanout, kept, started_at, ended_at)


async def fan_out_run(
    bench: Bench, media: Path, streams: int, clip_seconds: float, lead: float
) -> ConcurrencyRun:
    """One decode fanned out to `streams` speakers, every talk session open before audio."""
    await bench.control.reset()
    cpu = CpuWindow()
    cpu.start()
    sampler = MidRunSampler(clip_seconds / 2)
    play = await fan_out_play(bench, media, bench.camera_talks(streams), lead)
    await sampler.finish()
    cpu.stop()
    return ConcurrencyRun(streams, cpu, sampler.memory, sampler.ffmpeg_processes, play.errors)


async def ffmpeg_re_run(
    bench: Bench, media: Path, streams: int, clip_seconds: float
) -> ConcurrencyRun:
    """One ffmpeg -re per speaker, as go2rtc does it."""
    await bench.control.reset()
    cpu = CpuWindow()
    cpu.start()
    sampler = MidRunSampler(clip_seconds / 2)
    results = await asyncio.gather(
        *(play_ffmpeg_re(bench, media, index) for index in range(streams)), return_exceptions=True
    )
    await sampler.finish()
    cpu.stop()
    return ConcurrencyRun(streams, cpu, sampler.memory, sampler.ffmpeg_processes, _errors(results))


def _errors(results: Sequence[object]) -> list[str]:
    return [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
