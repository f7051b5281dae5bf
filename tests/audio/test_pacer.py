"""The pacer on a fake clock: absolute deadlines, lead bound, silence on stalls, stop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from custom_components.talkback.audio import (
    FRAME_BYTES,
    FRAME_DURATION,
    AudioPacer,
    AudioSourceError,
    G711Codec,
    stream_to,
)

from .helpers import FakeClock, Feed, collect, frame, release_time as due

LEAD = 0.1
SILENCE = G711Codec.MULAW.silence_frame


class Recorder:
    """Consume a pacer in a task, noting the fake time each chunk and frame left.

    `pauses` slows the consumer: after the chunk holding frame k, a write of `pauses[k]` s.
    """

    def __init__(
        self, pacer: AudioPacer, clock: FakeClock, pauses: dict[int, float] | None = None
    ) -> None:
        self.released: list[tuple[float, bytes]] = []
        self.chunks: list[tuple[float, int]] = []
        self.error: BaseException | None = None
        self._pacer = pacer
        self._clock = clock
        self._pauses = pauses or {}
        self.task = asyncio.create_task(self._consume())

    async def _consume(self) -> None:
        try:
            async for item in self._pacer:
                assert item
                assert len(item) % FRAME_BYTES == 0
                first = len(self.released)
                self.chunks.append((self._clock.now, len(item) // FRAME_BYTES))
                for offset in range(0, len(item), FRAME_BYTES):
                    self.released.append((self._clock.now, item[offset : offset + FRAME_BYTES]))
                pause = sum(self._pauses.get(i, 0.0) for i in range(first, len(self.released)))
                if pause:
                    # A speaker write that takes `pause` seconds.
                    await self._clock.sleep(pause)
        except AudioSourceError as err:
            self.error = err
        finally:
            await self._pacer.aclose()

    @property
    def times(self) -> list[float]:
        return [at for at, _ in self.released]

    @property
    def frames(self) -> list[bytes]:
        return [item for _, item in self.released]


async def test_frames_leave_on_absolute_deadlines(clock: FakeClock) -> None:
    """The first frames fill the lead at once, then two frames every 40 ms."""
    feed = Feed(frame(i) for i in range(100))
    feed.end()
    recorder = Recorder(AudioPacer(feed, G711Codec.MULAW, lead=LEAD, clock=clock), clock)

    await clock.advance(1.99)
    assert not recorder.task.done()  # the device still plays the last lead of audio
    await clock.advance(0.01)
    assert recorder.task.done()

    assert recorder.frames == [frame(i) for i in range(100)]
    assert recorder.times == pytest.approx([due(i) for i in range(100)], abs=1e-9)
    assert recorder.times[:8] == pytest.approx([0, 0, 0, 0, 0.02, 0.02, 0.06, 0.06], abs=1e-9)
    assert clock.pending == 0


async def test_late_writes_do_not_shift_later_frames(clock: FakeClock) -> None:
    """A slow write delays the frames after it; they leave together, so nothing drifts."""
    pauses = dict.fromkeys(range(9, 1500, 10), 0.07)
    feed = Feed(frame(i) for i in range(1500))
    feed.end()
    recorder = Recorder(AudioPacer(feed, G711Codec.MULAW, lead=LEAD, clock=clock), clock, pauses)

    await clock.advance(31)

    # Once the consumer is back, every frame due by then leaves in one chunk.
    expected: list[float] = []
    ready, index = 0.0, 0
    while index < 1500:
        at = max(due(index), ready)
        chunk = [index]
        while chunk[-1] + 1 < 1500 and due(chunk[-1] + 1) <= at:
            chunk.append(chunk[-1] + 1)
        expected += [at] * len(chunk)
        ready = at + sum(pauses.get(i, 0.0) for i in chunk)
        index = chunk[-1] + 1
    assert recorder.times == pytest.approx(expected, abs=1e-9)
    late = [i for i in range(1500) if recorder.times[i] > due(i) + 1e-9]
    assert len(late) > 100  # the pauses really delayed frames
    assert recorder.times[-1] == pytest.approx(due(1499), abs=1e-9)
    assert recorder.frames == [frame(i) for i in range(1500)]
    assert len(recorder.chunks) < 1500 / 2 + 2  # one write per group, or fewer


async def test_each_wake_up_writes_one_chunk(clock: FakeClock) -> None:
    """A 360 ms lead: the first chunk fills it, then one chunk of 5 frames every 100 ms."""
    feed = Feed(frame(i) for i in range(100))
    feed.end()
    lead = 0.36
    pacer = AudioPacer(feed, G711Codec.MULAW, lead=lead, clock=clock)
    recorder = Recorder(pacer, clock)
    await clock.advance(3)

    assert pacer.group_frames == 5
    # Frames 0..14 are due at the start; frames 15..19 once 360 ms after them are due.
    assert [count for _, count in recorder.chunks[:4]] == [15, 5, 5, 5]
    assert [at for at, _ in recorder.chunks[:4]] == pytest.approx([0, 0.04, 0.14, 0.24])
    assert recorder.frames == [frame(i) for i in range(100)]
    ahead = [(i + 1) * FRAME_DURATION - at for i, at in enumerate(recorder.times)]
    # Right after each write the device holds the lead; before the next one, 100 ms less.
    assert max(ahead) == pytest.approx(lead, abs=1e-9)
    assert min(ahead[15:]) == pytest.approx(lead - 4 * FRAME_DURATION, abs=1e-9)


async def test_lead_stays_bounded(clock: FakeClock) -> None:
    """Audio sent ahead of playback never exceeds the lead (60 ms: one frame per wake-up)."""
    feed = Feed(frame(i) for i in range(200))
    feed.end()
    lead = 0.06
    recorder = Recorder(AudioPacer(feed, G711Codec.MULAW, lead=lead, clock=clock), clock)
    await clock.advance(5)

    ahead = [(i + 1) * FRAME_DURATION - at for i, at in enumerate(recorder.times)]
    assert max(ahead) == pytest.approx(lead, abs=1e-9)
    # Once the first burst filled the lead, every write tops it up to exactly the lead.
    assert min(ahead[3:]) == pytest.approx(lead, abs=1e-9)


async def test_stalled_source_gets_silence_then_resumes(clock: FakeClock) -> None:
    """Silence goes out only when the device would run dry, and is counted."""
    feed = Feed(frame(i) for i in range(10))
    pacer = AudioPacer(feed, G711Codec.MULAW, lead=LEAD, clock=clock)
    recorder = Recorder(pacer, clock)

    await clock.advance(0.51)
    # Frames 10..26 were due while the source stalled: each went out as silence when the
    # device was down to its last frame, at (n - 1) * 20 ms.
    assert recorder.frames == [frame(i) for i in range(10)] + [SILENCE] * 17
    assert recorder.times[10:] == pytest.approx([(i - 1) * 0.02 for i in range(10, 27)], abs=1e-9)
    assert pacer.stats.silence_frames == 17

    feed.push(frame(10), frame(11), frame(12), frame(13))
    await clock.advance(0.04)
    # Frames 27..29 were already due: they leave at once, the source's audio is not lost.
    assert recorder.frames[27:] == [frame(10), frame(11), frame(12), frame(13)]
    assert recorder.times[27:] == pytest.approx([0.51, 0.51, 0.51, due(30)])

    feed.end()
    await clock.advance(0.06)
    assert not recorder.task.done()  # 31 frames play out until 0.62 s
    await clock.advance(0.01)
    assert recorder.task.done()
    assert pacer.stats.frames_sent == 31
    assert pacer.stats.silence_frames == 17


async def test_clock_starts_with_the_first_frame(clock: FakeClock) -> None:
    """Decoder start-up is not filled with silence; the schedule starts at the first frame."""
    feed = Feed()
    recorder = Recorder(AudioPacer(feed, G711Codec.ALAW, lead=LEAD, clock=clock), clock)
    await clock.advance(1.0)
    assert recorder.released == []

    feed.push(*(frame(i) for i in range(10)))
    feed.end()
    await clock.advance(0.2)
    assert recorder.task.done()
    assert recorder.frames == [frame(i) for i in range(10)]
    assert recorder.times == pytest.approx([due(i, start=1.0) for i in range(10)], abs=1e-9)


async def test_late_frames_and_lag_are_reported(clock: FakeClock) -> None:
    """A writer blocked for 0.51 s shows up as late frames and the maximum lag."""
    feed = Feed(frame(i) for i in range(60))
    feed.end()
    pacer = AudioPacer(feed, G711Codec.MULAW, lead=LEAD, clock=clock)
    recorder = Recorder(pacer, clock, pauses={20: 0.51})
    await clock.advance(2)

    assert recorder.task.done()
    stats = pacer.stats
    # Frames 20 and 21 left together at 0.34 s; frame 22, due at 0.38 s, left with every frame
    # due by then at 0.85 s; frames 22 to 42 left after the device had played everything
    # before them.
    assert [count for _, count in recorder.chunks[9:11]] == [2, 24]
    assert [at for at, _ in recorder.chunks[9:11]] == pytest.approx([0.34, 0.85])
    assert stats.max_lag == pytest.approx(0.47)
    assert stats.late_frames == 21
    assert stats.frames_sent == 60
    assert stats.silence_frames == 0


async def test_stop_ends_at_once(clock: FakeClock) -> None:
    """stop() wakes the waiting consumer; no timer, task or source iteration is left."""
    feed = Feed(frame(i) for i in range(100))
    pacer = AudioPacer(feed, G711Codec.MULAW, lead=LEAD, clock=clock)
    recorder = Recorder(pacer, clock)
    await clock.advance(0.3)
    sent = len(recorder.released)
    assert clock.pending == 1  # the consumer waits for the next deadline

    pacer.stop()
    await clock.advance(0)
    assert recorder.task.done()
    assert len(recorder.released) == sent
    assert clock.pending == 0
    assert feed.closed


async def test_source_error_ends_the_stream(clock: FakeClock) -> None:
    """The source's error reaches the consumer after the frames before it."""
    feed = Feed(frame(i) for i in range(3))
    feed.fail(AudioSourceError("ffmpeg failed"))
    recorder = Recorder(AudioPacer(feed, G711Codec.MULAW, lead=LEAD, clock=clock), clock)
    await clock.advance(0.1)
    assert recorder.frames == [frame(0), frame(1), frame(2)]
    assert str(recorder.error) == "ffmpeg failed"


async def test_empty_source(clock: FakeClock) -> None:
    """A source without frames ends the stream at once."""
    feed = Feed()
    feed.end()
    async with AudioPacer(feed, G711Codec.MULAW, clock=clock) as pacer:
        assert await collect(pacer) == []
    assert pacer.stats.frames_sent == 0


def test_lead_below_one_frame_is_refused() -> None:
    """The lead includes the frame being written."""
    with pytest.raises(ValueError, match="lead"):
        AudioPacer(Feed(), G711Codec.MULAW, lead=0.01)


async def test_stream_to_on_the_loop_clock() -> None:
    """stream_to plays every frame to the writer on the real clock and reports the figures."""
    feed = Feed(frame(i) for i in range(5))
    feed.end()
    written: list[bytes] = []

    async def send(frames: AsyncIterator[bytes]) -> None:
        written.extend(await collect(frames))

    stats = await stream_to(feed, send, G711Codec.MULAW, lead=0.2)
    assert b"".join(written) == b"".join(frame(i) for i in range(5))
    assert stats.frames_sent == 5
    assert stats.silence_frames == 0
