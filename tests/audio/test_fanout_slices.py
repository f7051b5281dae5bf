"""Fan-out to more speakers than one slice: same chunks, same release times for everyone."""

from __future__ import annotations

import asyncio

import pytest

from custom_components.talkback.audio import FRAME_BYTES, AudioFanOut, G711Codec
from custom_components.talkback.audio.const import FANOUT_SLICE

from .helpers import FakeClock, Feed, frame, release_time

LEAD = 0.36


async def test_every_slice_gets_every_chunk_on_time(clock: FakeClock) -> None:
    """25 speakers are served 10 at a time with the loop let run between; nobody misses a frame."""
    speakers = 2 * FANOUT_SLICE + 5
    feed = Feed(frame(i) for i in range(60))
    feed.end()
    fanout = AudioFanOut(feed, G711Codec.MULAW, lead=LEAD, clock=clock)
    heard: dict[int, list[tuple[float, bytes]]] = {n: [] for n in range(speakers)}

    async def speaker(number: int) -> None:
        async with fanout.add_sink(f"speaker {number}") as sink:
            async for chunk in sink:
                for offset in range(0, len(chunk), FRAME_BYTES):
                    heard[number].append((clock.now, chunk[offset : offset + FRAME_BYTES]))

    tasks = [asyncio.create_task(speaker(n)) for n in range(speakers)]
    run = asyncio.create_task(fanout.run())
    await clock.advance(2.0)
    assert run.done()
    run.result()
    await asyncio.gather(*tasks)

    expected_times = pytest.approx([release_time(i, lead=LEAD) for i in range(60)])
    for number in range(speakers):
        assert [item for _, item in heard[number]] == [frame(i) for i in range(60)]
        assert [at for at, _ in heard[number]] == expected_times
        assert fanout.sinks[number].frames_delivered == 60
    assert clock.pending == 0
