"""What a dropped speaker is told: any play, not only an announcement (issue 12, item 6)."""

from __future__ import annotations

import logging

import pytest

from custom_components.talkback.audio import AudioFanOut, G711Codec

from .helpers import FakeClock, Feed, Speaker, frame, start


async def test_a_lone_slow_speaker_is_told_it_fell_behind_the_playback(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """One speaker playing plain media: no "announcement", no "others" in the words."""
    feed = Feed(frame(i) for i in range(100))
    feed.end()
    fanout = AudioFanOut(feed, G711Codec.MULAW, clock=clock, queue_frames=10)
    speaker = Speaker(fanout.add_sink("media_player.porch"), clock, stall_after=2)
    run = await start(fanout)
    with caplog.at_level(logging.WARNING):
        await clock.advance(0.3)

    error = str(fanout.dropped["media_player.porch"])
    assert error == (
        "Speaker media_player.porch fell 10 frames behind the audio; check its network connection"
    )
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"Dropped from the playback: {error}"]
    speaker.unstall.set()
    assert await speaker.result() is None
    await clock.advance(1.0)
    assert run.done()
