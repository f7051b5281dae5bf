"""Real-time pacing on absolute deadlines of the monotonic clock.

Frame n may leave once the device would hold at most `lead` of audio after it: at
start + (n + 1) * 20 ms - lead. Frames go out in groups, each group as one chunk of bytes at
the deadline of its last frame: one wake-up and one write per speaker per group, which is most
of the CPU a stream costs. A group is half the lead, at most PACER_REFILL_INTERVAL, so the
device holds between `lead` minus a group and `lead`. Deadlines never depend on when earlier
frames really left: a late wake-up sends every overdue frame in one chunk and does not shift
the frames after it (no drift). When the source stalls until the device is down to its last
frame, a frame of silence goes out instead.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import NoReturn, Protocol, Self

from ._tasks import cancel_and_wait
from .codec import FRAME_DURATION, G711Codec
from .const import DEFAULT_LEAD, PACER_READ_AHEAD_FRAMES, PACER_REFILL_INTERVAL


class TimerHandle(Protocol):
    """What `PacerClock.call_at` returns."""

    def cancel(self) -> None:
        """Cancel the call."""


class PacerClock(Protocol):
    """A monotonic clock that can call back at a time; the running event loop is one."""

    def time(self) -> float:
        """Return the current time in seconds."""

    def call_at(self, when: float, callback: Callable[[], object], /) -> TimerHandle:
        """Call `callback` at `when`."""


@dataclass(frozen=True, slots=True)
class PacerStats:
    """How a paced stream went (a snapshot).

    `max_lag` is the latest a frame left after its deadline; `late_frames` left so late that
    the device may already have run dry.
    """

    frames_sent: int
    silence_frames: int
    late_frames: int
    max_lag: float


class AudioPacer:
    """Wrap frames into a paced async iterator that keeps the device `lead` seconds ahead.

    Each item is a chunk of whole frames: every frame due at that moment (see the module's
    docstring). `lead` is at least one frame (the one being written).

    The clock starts with the first frame the source delivers. Use as an async context manager
    (or call `aclose`) so the read-ahead task ends with it; `stop` ends the stream at once.
    """

    def __init__(
        self,
        frames: AsyncIterable[bytes],
        codec: G711Codec,
        *,
        lead: float = DEFAULT_LEAD,
        clock: PacerClock | None = None,
    ) -> None:
        """Pace `frames` (160-byte frames of `codec`)."""
        if lead < FRAME_DURATION:
            raise ValueError(f"lead must be at least one frame ({FRAME_DURATION} s)")
        self.lead = lead
        self.group_frames = group_frames(lead)
        self._source = frames
        self._silence = codec.silence_frame
        self._clock = clock
        self._buffer: deque[bytes] = deque()
        self._reader: asyncio.Task[None] | None = None
        self._source_done = False
        self._source_error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._room: asyncio.Future[None] | None = None
        self._start: float | None = None
        self._sent = 0
        self._silence_frames = 0
        self._late_frames = 0
        self._max_lag = 0.0
        self._stopped = False

    @property
    def stopped(self) -> bool:
        """Whether the stream has ended (stop, end of source, or error)."""
        return self._stopped

    @property
    def stats(self) -> PacerStats:
        """The figures so far."""
        return PacerStats(self._sent, self._silence_frames, self._late_frames, self._max_lag)

    def stop(self) -> None:
        """End the stream now: the pending and every later `__anext__` stop the iteration."""
        self._stopped = True
        self._wake()

    async def aclose(self) -> None:
        """Stop and end the read-ahead task (which ends the source's iteration)."""
        self.stop()
        await cancel_and_wait(self._reader)

    async def __aenter__(self) -> Self:
        """Return the pacer itself."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close the pacer."""
        await self.aclose()

    def __aiter__(self) -> Self:
        """Iterate over the paced frames."""
        return self

    async def __anext__(self) -> bytes:
        """Return every frame due now as one chunk (a silence frame if the source stalled)."""
        if self._stopped:
            raise StopAsyncIteration
        if self._clock is None:
            self._clock = asyncio.get_running_loop()
        if self._reader is None:
            self._reader = asyncio.create_task(self._read_ahead(), name="audio pacer read-ahead")
        clock = self._clock
        if self._start is None:
            # Decoding start-up is not paced as silence: the clock starts with the first frame.
            await self._wait_for_frame(None)
            self._start = clock.time()
        else:
            due = self._due(self._sent)
            # A frame arriving wakes the sleeper early: sleep again.
            while clock.time() < due:
                await self._sleep_until(due)
            if not self._buffer:
                # Wait for the source until the device is down to its last frame; catching up
                # after a slow write, still give it a frame's time: silence would not save the
                # device then, only lose audio.
                playing_out = self._start + (self._sent - 1) * FRAME_DURATION
                await self._wait_for_frame(max(playing_out, clock.time() + FRAME_DURATION))
        if not self._buffer and self._source_done:
            await self._end()
        if not self._buffer:
            return self._take_silence()
        return self._take_due()

    def _due(self, index: int) -> float:
        """When frame `index` leaves: at the deadline of the last frame of its group."""
        assert self._start is not None
        last_of_group = index + self.group_frames - 1 - index % self.group_frames
        return max(self._start, self._start + (last_of_group + 1) * FRAME_DURATION - self.lead)

    def _take_due(self) -> bytes:
        """Take every buffered frame whose group is due (at least the first) as one chunk."""
        assert self._clock is not None
        now = self._clock.time()
        frames: list[bytes] = []
        while self._buffer and (not frames or self._due(self._sent) <= now):
            frames.append(self._buffer.popleft())
            self._count(now)
        if self._room is not None and len(self._buffer) <= PACER_READ_AHEAD_FRAMES // 2:
            _resolve(self._room)
        return b"".join(frames)

    def _take_silence(self) -> bytes:
        assert self._clock is not None
        self._silence_frames += 1
        self._count(self._clock.time())
        return self._silence

    def _count(self, now: float) -> None:
        """Account for one frame leaving at `now`."""
        assert self._start is not None
        self._max_lag = max(self._max_lag, now - self._due(self._sent))
        # The device has played everything sent before: it may have run dry.
        if now > self._start + self._sent * FRAME_DURATION:
            self._late_frames += 1
        self._sent += 1

    async def _end(self) -> NoReturn:
        """End after the source: once the device has played everything, or with its error."""
        assert self._clock is not None
        if self._source_error is None and self._start is not None:
            # Closing the talk session right away could cut the last `lead` of audio.
            played_out = self._start + self._sent * FRAME_DURATION
            while self._clock.time() < played_out:
                await self._sleep_until(played_out)
        self._stopped = True
        if self._source_error is not None:
            raise self._source_error
        raise StopAsyncIteration

    async def _wait_for_frame(self, give_up_at: float | None) -> None:
        """Wait until a frame is buffered, the source ended, or `give_up_at` passed."""
        assert self._clock is not None
        while not self._buffer and not self._source_done:
            if give_up_at is not None and self._clock.time() >= give_up_at:
                return
            await self._sleep_until(give_up_at)

    async def _sleep_until(self, when: float | None) -> None:
        """Sleep until `when` (or until a frame or the end arrives); raise if stopped."""
        assert self._clock is not None
        waiter = self._waiter = asyncio.get_running_loop().create_future()
        timer = None if when is None else self._clock.call_at(when, self._wake)
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()
        if self._stopped:
            raise StopAsyncIteration

    def _wake(self) -> None:
        if self._waiter is not None:
            _resolve(self._waiter)

    async def _read_ahead(self) -> None:
        """Keep up to PACER_READ_AHEAD_FRAMES frames buffered, so a deadline never waits on I/O."""
        loop = asyncio.get_running_loop()
        try:
            async for frame in self._source:
                self._buffer.append(frame)
                if len(self._buffer) == 1:
                    self._wake()
                if len(self._buffer) >= PACER_READ_AHEAD_FRAMES:
                    self._room = loop.create_future()
                    await self._room
                    self._room = None
        except Exception as err:  # noqa: BLE001 - handed to the consumer at the end
            self._source_error = err
        finally:
            self._source_done = True
            self._wake()


def group_frames(lead: float) -> int:
    """Frames per wake-up for a lead: half of it, at most PACER_REFILL_INTERVAL, at least one."""
    most = max(1, round(PACER_REFILL_INTERVAL / FRAME_DURATION))
    return max(1, min(most, int(lead / (2 * FRAME_DURATION) + 1e-9)))


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


# A speaker's writer, e.g. `TalkSession.send`; what it returns is ignored.
type FrameSender = Callable[[AsyncIterator[bytes]], Awaitable[object]]


async def stream_to(
    frames: AsyncIterable[bytes],
    send: FrameSender,
    codec: G711Codec,
    *,
    lead: float = DEFAULT_LEAD,
) -> PacerStats:
    """Play frames to one speaker in real time, e.g. `await stream_to(source.frames(), talk.send, codec)`."""
    async with AudioPacer(frames, codec, lead=lead) as pacer:
        await send(pacer)
    return pacer.stats
