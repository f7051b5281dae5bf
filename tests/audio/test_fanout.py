"""Fan-out on a fake clock: one pacer, many sinks, slow and failing speakers dropped."""

from __future__ import annotations

import asyncio

import pytest

from custom_components.talkback.audio import (
    AudioFanOut,
    AudioSinkDroppedError,
    AudioSourceError,
    G711Codec,
)

from .helpers import FakeClock, Feed, Speaker, frame, release_time, start

LEAD = 0.1


async def test_every_sink_hears_every_frame_at_the_same_time(clock: FakeClock) -> None:
    """One pacer schedule serves all sinks: same frames, same release times."""
    feed = Feed(frame(i) for i in range(50))
    feed.end()
    fanout = AudioFanOut(feed, G711Codec.MULAW, lead=LEAD, clock=clock)
    speakers = [Speaker(fanout.add_sink(f"speaker {n}"), clock) for n in range(3)]
    run = await start(fanout)

    await clock.advance(1.0)
    assert run.done()
    run.result()
    first = speakers[0].heard
    assert [item for _, item in first] == [frame(i) for i in range(50)]
    assert [at for at, _ in first] == pytest.approx([release_time(i) for i in range(50)])
    for speaker in speakers:
        assert await speaker.result() is None
        assert speaker.heard == first
        assert speaker.sink.frames_delivered == 50
    assert fanout.dropped == {}
    assert fanout.stats.frames_sent == 50
    assert clock.pending == 0  # one shared timer, and it is gone


async def test_slow_sink_is_dropped_without_delaying_the_others(clock: FakeClock) -> None:
    """A speaker that stops taking audio is dropped once its queue is full; others go on."""
    feed = Feed(frame(i) for i in range(100))
    feed.end()
    fanout = AudioFanOut(feed, G711Codec.MULAW, lead=LEAD, clock=clock, queue_frames=10)
    slow = Speaker(fanout.add_sink("garage"), clock, stall_after=2)
    fast = Speaker(fanout.add_sink("door"), clock)
    run = await start(fanout)

    await clock.advance(0.3)
    assert not slow.sink.active
    assert isinstance(fanout.dropped["garage"], AudioSinkDroppedError)
    assert "garage" in str(fanout.dropped["garage"])

    await clock.advance(2.0)
    assert run.done()
    assert [at for at, _ in fast.heard] == pytest.approx([release_time(i) for i in range(100)])
    assert [item for _, item in fast.heard] == [frame(i) for i in range(100)]
    # The slow speaker's writer comes back to a finished iteration: nothing else is queued.
    slow.unstall.set()
    assert await slow.result() is None
    assert len(slow.heard) == 4  # the first chunk: the frames due at the start
    assert list(fanout.dropped) == ["garage"]


async def test_failed_sink_is_dropped_and_reported(clock: FakeClock) -> None:
    """A writer raising inside `async with sink` is dropped with its cause; others go on."""
    feed = Feed(frame(i) for i in range(40))
    feed.end()
    fanout = AudioFanOut(feed, G711Codec.ALAW, lead=LEAD, clock=clock)
    broken = Speaker(fanout.add_sink("porch"), clock, fail_after=5)
    healthy = Speaker(fanout.add_sink("hall"), clock)
    run = await start(fanout)

    await clock.advance(1.0)
    assert run.done()
    assert isinstance(await broken.result(), ConnectionResetError)
    error = fanout.dropped["porch"]
    assert "porch" in str(error)
    assert isinstance(error.__cause__, ConnectionResetError)
    assert len(healthy.heard) == 40
    assert await healthy.result() is None


async def test_fanout_ends_when_no_sink_is_left(clock: FakeClock) -> None:
    """When every speaker is gone the source is closed instead of decoding for nobody."""
    feed = Feed(frame(i) for i in range(1000))
    fanout = AudioFanOut(feed, G711Codec.MULAW, lead=LEAD, clock=clock)
    only = Speaker(fanout.add_sink("kitchen"), clock, fail_after=3)
    run = await start(fanout)

    await clock.advance(0.2)
    assert run.done()
    assert feed.closed
    assert isinstance(await only.result(), ConnectionResetError)
    assert clock.pending == 0


async def test_stop_ends_every_sink(clock: FakeClock) -> None:
    """stop() ends the announcement for all sinks at once."""
    feed = Feed(frame(i) for i in range(1000))
    fanout = AudioFanOut(feed, G711Codec.MULAW, lead=LEAD, clock=clock)
    speakers = [Speaker(fanout.add_sink(name), clock) for name in ("a", "b")]
    run = await start(fanout)
    await clock.advance(0.2)

    fanout.stop()
    await clock.advance(0)
    assert run.done()
    for speaker in speakers:
        assert await speaker.result() is None
        assert not speaker.sink.active
    assert feed.closed
    assert clock.pending == 0


async def test_source_error_reaches_run_and_ends_sinks(clock: FakeClock) -> None:
    """The decoder's error is raised by run(); the sinks end after the frames they got."""
    feed = Feed(frame(i) for i in range(5))
    feed.fail(AudioSourceError("no audio stream"))
    fanout = AudioFanOut(feed, G711Codec.MULAW, lead=LEAD, clock=clock)
    speaker = Speaker(fanout.add_sink("a"), clock)
    run = await start(fanout)
    await clock.advance(0.2)

    with pytest.raises(AudioSourceError, match="no audio stream"):
        await run
    assert await speaker.result() is None
    assert len(speaker.heard) == 5


async def test_cancelling_run_ends_sinks(clock: FakeClock) -> None:
    """Cancelling the announcement's task leaves no sink waiting and no task behind."""
    feed = Feed(frame(i) for i in range(1000))
    fanout = AudioFanOut(feed, G711Codec.MULAW, lead=LEAD, clock=clock)
    speaker = Speaker(fanout.add_sink("a"), clock)
    run = await start(fanout)
    await clock.advance(0.1)

    run.cancel()
    await asyncio.wait([run])
    assert run.cancelled()
    assert await speaker.result() is None
    assert feed.closed
    assert clock.pending == 0


async def test_sink_added_while_running_starts_with_the_next_frame(clock: FakeClock) -> None:
    """A late speaker gets the frames released after it joined."""
    feed = Feed(frame(i) for i in range(20))
    feed.end()
    fanout = AudioFanOut(feed, G711Codec.MULAW, lead=LEAD, clock=clock)
    early = Speaker(fanout.add_sink("early"), clock)
    run = await start(fanout)
    await clock.advance(0.1)
    heard_before = len(early.heard)

    late = Speaker(fanout.add_sink("late"), clock)
    await clock.advance(1.0)
    assert run.done()
    assert [item for _, item in late.heard] == [frame(i) for i in range(heard_before, 20)]
    assert len(early.heard) == 20


async def test_clock_starts_with_run_and_queues_for_a_speaker_still_connecting(
    clock: FakeClock,
) -> None:
    """The caller starts the clock (Talkback's playback does once its speakers take audio).

    A speaker that takes audio later gets what was released meanwhile, from its own queue.
    """
    feed = Feed(frame(i) for i in range(20))
    feed.end()
    fanout = AudioFanOut(feed, G711Codec.MULAW, lead=LEAD, clock=clock)
    early = Speaker(fanout.add_sink("early"), clock)
    connecting = fanout.add_sink("connecting")
    run = await start(fanout)
    await clock.advance(0.3)
    assert [at for at, _ in early.heard] == pytest.approx(
        [release_time(i) for i in range(len(early.heard))]
    )
    assert early.heard

    late = Speaker(connecting, clock)
    await clock.advance(1.0)
    assert run.done()
    assert [item for _, item in late.heard] == [frame(i) for i in range(20)]
    assert late.heard[0][0] == pytest.approx(0.3)
