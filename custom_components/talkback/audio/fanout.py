"""One decoded source fanned out to many speakers, each draining its own bounded queue.

A single pacer (one timer) releases every frame once; each sink takes frames from its own queue
as fast as its speaker accepts them, so one slow or failed speaker never delays the others.
The clock starts when `run` is awaited: the caller starts it once its speakers take audio.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable
import logging
from types import TracebackType
from typing import Self

from .codec import FRAME_BYTES, G711Codec
from .const import DEFAULT_LEAD, FANOUT_SLICE, SINK_QUEUE_FRAMES
from .exceptions import AudioSinkDroppedError
from .pacer import AudioPacer, PacerClock, PacerStats

_LOGGER = logging.getLogger(__name__)


class FanOutSink:
    """One speaker's paced frames: an async iterator over its own bounded queue.

    Hand it to the speaker's writer inside `async with sink:`, so a writer that fails is
    dropped from the fan-out and reported; the iteration ends when the fan-out ends or drops it.
    """

    def __init__(self, name: str, queue_frames: int) -> None:
        """Create a sink; use `AudioFanOut.add_sink`."""
        self.name = name
        self.frames_delivered = 0
        self.error: AudioSinkDroppedError | None = None
        self._queue_frames = queue_frames
        # The pacer's items are chunks of whole frames: the bound counts frames.
        self._queued_frames = 0
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._active = True

    def __repr__(self) -> str:
        """Name the sink and how it is doing."""
        state = "active" if self.active else f"dropped: {self.error}" if self.error else "ended"
        return f"<FanOutSink {self.name} {state}>"

    @property
    def active(self) -> bool:
        """Whether the sink still takes frames."""
        return self._active

    def __aiter__(self) -> Self:
        """Iterate over the sink's frames."""
        return self

    async def __anext__(self) -> bytes:
        """Return the next frame as soon as the fan-out released it."""
        try:
            frame = await self._queue.get()
        except asyncio.QueueShutDown:
            raise StopAsyncIteration from None
        self._queued_frames -= len(frame) // FRAME_BYTES
        self.frames_delivered += len(frame) // FRAME_BYTES
        return frame

    async def __aenter__(self) -> Self:
        """Return the sink itself."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Leave the fan-out; an exception (not a cancellation) drops the sink as failed."""
        if isinstance(exc, Exception):
            self.drop(exc)
        else:
            self.close()

    def close(self) -> None:
        """Leave the fan-out: no more frames for this sink."""
        self._active = False
        self._queue.shutdown(immediate=True)

    def drop(self, cause: Exception) -> None:
        """Leave the fan-out because the speaker failed; the reason is kept in `error`."""
        if not self.active:
            return
        if isinstance(cause, AudioSinkDroppedError):
            self.error = cause
        else:
            self.error = AudioSinkDroppedError(f"Speaker {self.name} failed: {cause}")
            self.error.__cause__ = cause
        _LOGGER.warning("Dropped from the playback: %s", self.error)
        self.close()

    def offer(self, frame: bytes) -> None:
        """Queue a frame; drop the sink if its speaker fell too far behind."""
        if self._queued_frames >= self._queue_frames:
            self.drop(
                AudioSinkDroppedError(
                    f"Speaker {self.name} fell {self._queue_frames} frames behind the audio;"
                    " check its network connection"
                )
            )
        else:
            self._queued_frames += len(frame) // FRAME_BYTES
            self._queue.put_nowait(frame)

    def end(self) -> None:
        """No more frames: the sink's iteration ends once it took the queued ones."""
        self._active = False
        self._queue.shutdown()


class AudioFanOut:
    """Decode once, play everywhere: one paced source feeding any number of sinks."""

    def __init__(
        self,
        frames: AsyncIterable[bytes],
        codec: G711Codec,
        *,
        lead: float = DEFAULT_LEAD,
        clock: PacerClock | None = None,
        queue_frames: int = SINK_QUEUE_FRAMES,
    ) -> None:
        """Fan `frames` (160-byte frames of `codec`) out once `run` is awaited."""
        self._pacer = AudioPacer(frames, codec, lead=lead, clock=clock)
        self._queue_frames = queue_frames
        self._sinks: list[FanOutSink] = []

    @property
    def sinks(self) -> tuple[FanOutSink, ...]:
        """Every sink added, active or not."""
        return tuple(self._sinks)

    @property
    def dropped(self) -> dict[str, AudioSinkDroppedError]:
        """Why each dropped sink was dropped, by sink name."""
        return {sink.name: sink.error for sink in self._sinks if sink.error is not None}

    @property
    def stats(self) -> PacerStats:
        """The shared pacer's figures."""
        return self._pacer.stats

    def add_sink(self, name: str) -> FanOutSink:
        """Add a speaker; one added while running starts with the next frame."""
        sink = FanOutSink(name, self._queue_frames)
        self._sinks.append(sink)
        return sink

    def stop(self) -> None:
        """End the playback now, for every sink."""
        self._pacer.stop()

    async def run(self) -> None:
        """Release frames to the sinks until the source ends, `stop`, or no sink is left.

        The clock starts now: a sink whose speaker does not take audio yet queues its frames
        and gets them in a burst. Raises the source's error, after ending every sink.
        """
        try:
            async with self._pacer:
                async for frame in self._pacer:
                    active = False
                    for index, sink in enumerate(self._sinks):
                        if sink.active:
                            sink.offer(frame)
                            active = active or sink.active
                        if index % FANOUT_SLICE == FANOUT_SLICE - 1:
                            await asyncio.sleep(0)  # the speakers so far write now
                    if not active:
                        break
        finally:
            for sink in self._sinks:
                sink.end()
