"""Helpers of the audio pipeline tests: tone media, an independent decoder, a fake clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
import heapq
import itertools
import math
import os
from pathlib import Path
import struct
import subprocess

import pytest

from custom_components.talkback.audio import (
    FRAME_BYTES,
    FRAME_DURATION,
    AudioFanOut,
    AudioSource,
    FanOutSink,
    G711Codec,
)
from custom_components.talkback.audio.pacer import group_frames

TONE_HZ = 440
TONE_SECONDS = 2.0
# Container, extra ffmpeg encoder arguments.
TONE_FORMATS = {
    "wav": ["-ar", "44100", "-ac", "2"],
    "mp3": ["-ar", "44100", "-c:a", "libmp3lame"],
    "ogg": ["-ar", "48000", "-c:a", "libvorbis"],
    "flac": ["-ar", "16000"],
    "aac": ["-ar", "22050", "-c:a", "aac"],
}


def run_ffmpeg(ffmpeg: str, *args: str, stdin: bytes | None = None) -> bytes:
    """Run ffmpeg to completion (fixtures and reference decodes only) and return its stdout."""
    return subprocess.run(
        [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args],
        input=stdin,
        capture_output=True,
        check=True,
    ).stdout


def decode_g711(ffmpeg: str, data: bytes, codec: G711Codec) -> list[int]:
    """Decode G.711 bytes to 16-bit samples with ffmpeg (an independent decoder)."""
    pcm = run_ffmpeg(
        ffmpeg, "-f", codec.ffmpeg_format, "-ar", "8000", "-ac", "1", "-i", "pipe:0",
        "-f", "s16le", "pipe:1", stdin=data,
    )  # fmt: skip
    return [int.from_bytes(pcm[i : i + 2], "little", signed=True) for i in range(0, len(pcm), 2)]


def release_time(index: int, *, lead: float = 0.1, start: float = 0.0) -> float:
    """When the pacer schedules frame `index`: with its group, at the group's last deadline."""
    group = group_frames(lead)
    last = index + group - 1 - index % group
    return max(start, start + (last + 1) * FRAME_DURATION - lead)


def frame(index: int) -> bytes:
    """A distinct, recognisable test frame."""
    return bytes([index % 251]) * FRAME_BYTES


@dataclass
class FakeTimer:
    """A call scheduled on the fake clock."""

    when: float
    callback: Callable[[], object]
    cancelled: bool = False

    def cancel(self) -> None:
        """Cancel the call."""
        self.cancelled = True


@dataclass
class FakeClock:
    """A PacerClock whose time moves only when a test advances it.

    Between steps the event loop runs until the tasks under test are idle, so results do
    not depend on the machine's speed.
    """

    now: float = 0.0
    _timers: list[tuple[float, int, FakeTimer]] = field(default_factory=list)
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def time(self) -> float:
        """Return the fake time."""
        return self.now

    def call_at(self, when: float, callback: Callable[[], object], /) -> FakeTimer:
        """Schedule `callback` at fake time `when`."""
        timer = FakeTimer(when, callback)
        heapq.heappush(self._timers, (when, next(self._order), timer))
        return timer

    @property
    def pending(self) -> int:
        """Timers neither fired nor cancelled."""
        return sum(not timer.cancelled for _, _, timer in self._timers)

    async def sleep(self, seconds: float) -> None:
        """Sleep on the fake clock."""
        done = asyncio.get_running_loop().create_future()
        self.call_at(self.now + seconds, lambda: done.set_result(None))
        await done

    async def advance(self, seconds: float) -> None:
        """Move time forward, firing every timer due on the way at its own time."""
        target = self.now + seconds
        await settle()
        while self._timers and self._timers[0][0] <= target:
            when, _, timer = heapq.heappop(self._timers)
            if timer.cancelled:
                continue
            self.now = max(self.now, when)
            timer.callback()
            await settle()
        self.now = target
        await settle()


async def settle() -> None:
    """Let every ready task run until the loop is idle (tasks here never do real I/O)."""
    for _ in range(10):
        await asyncio.sleep(0)


async def collect(frames: AsyncIterator[bytes]) -> list[bytes]:
    """Read an iterator to its end."""
    return [item async for item in frames]


class Feed:
    """A frame source the test controls: frames are there at once, or held back (a stall)."""

    def __init__(self, frames: Iterable[bytes] = ()) -> None:
        """Start with `frames` available."""
        self._queue: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue()
        self.closed = False
        self.push(*frames)

    def push(self, *frames: bytes) -> None:
        """Make frames available."""
        for item in frames:
            self._queue.put_nowait(item)

    def end(self) -> None:
        """End the source after the frames pushed so far."""
        self._queue.put_nowait(None)

    def fail(self, error: BaseException) -> None:
        """Fail the source after the frames pushed so far."""
        self._queue.put_nowait(error)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        """Hand out the frames; `closed` tells whether the consumer closed the iteration."""
        try:
            while (item := await self._queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.closed = True


class Speaker:
    """A fake speaker writer consuming one sink in a task, as a talk session would."""

    def __init__(
        self,
        sink: FanOutSink,
        clock: FakeClock,
        *,
        stall_after: int | None = None,
        fail_after: int | None = None,
    ) -> None:
        """Start consuming `sink`; stall or fail after that many frames."""
        self.sink = sink
        self.heard: list[tuple[float, bytes]] = []
        self._clock = clock
        self._stall_after = stall_after
        self._fail_after = fail_after
        self.unstall = asyncio.Event()
        self.task = asyncio.create_task(self._play())

    async def _play(self) -> None:
        async with self.sink:
            async for item in self.sink:
                # The pacer releases chunks of whole frames: noted frame by frame.
                assert item
                assert len(item) % FRAME_BYTES == 0
                before = len(self.heard)
                for offset in range(0, len(item), FRAME_BYTES):
                    self.heard.append((self._clock.now, item[offset : offset + FRAME_BYTES]))
                if self._fail_after is not None and before < self._fail_after <= len(self.heard):
                    raise ConnectionResetError("connection reset by the speaker")
                if self._stall_after is not None and before < self._stall_after <= len(self.heard):
                    await self.unstall.wait()

    async def result(self) -> BaseException | None:
        """The writer's error, once it ended."""
        await asyncio.wait([self.task])
        return self.task.exception()


async def start(fanout: AudioFanOut) -> asyncio.Task[None]:
    """Run the fan-out in a task."""
    return asyncio.create_task(fanout.run())


ENDLESS_RATE = 48000
"""Sample rate of the endless stream's tone (stereo, 16-bit: a high byte rate)."""


def endless_wav_chunk() -> bytes:
    """One second of a 440 Hz tone, 48 kHz stereo 16-bit (a high byte rate)."""
    samples = (
        int(8000 * math.sin(2 * math.pi * TONE_HZ * n / ENDLESS_RATE)) for n in range(ENDLESS_RATE)
    )
    return b"".join(struct.pack("<hh", value, value) for value in samples)


def wav_header_for_a_stream() -> bytes:
    """A WAV header whose data chunk never ends."""
    fmt = struct.pack("<HHIIHH", 1, 2, ENDLESS_RATE, ENDLESS_RATE * 4, 4, 16)
    return (
        b"RIFF\xff\xff\xff\xffWAVEfmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data\xff\xff\xff\xff"
    )


def assert_reaped(pid: int | None) -> None:
    """The process is gone: not running and not a zombie waiting to be reaped."""
    assert pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not Path(f"/proc/{pid}").exists()


def reference_decode(ffmpeg: str, path: Path, codec: G711Codec) -> bytes:
    """ffmpeg's own one-shot decode of a file, padded to whole frames like the source pads."""
    data = run_ffmpeg(
        ffmpeg, "-i", str(path), "-ac", "1", "-ar", "8000", "-f", codec.ffmpeg_format, "pipe:1"
    )
    padding = -len(data) % FRAME_BYTES
    return data + bytes([codec.silence_byte]) * padding


async def cancel_while_playing(source: AudioSource) -> None:
    """Play the source in a task and cancel that once the frames flow."""
    playing = asyncio.Event()

    async def play() -> None:
        async with source:
            async for _ in source.frames():
                playing.set()

    task = asyncio.create_task(play())
    await playing.wait()
    task.cancel()
    await asyncio.wait([task])
    assert task.cancelled()
