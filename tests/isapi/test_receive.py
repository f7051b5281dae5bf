"""`IsapiClient.receive_audio` against the simulated microphone, alone and while talking."""

from __future__ import annotations

from array import array
import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing
import math

import aiohttp
import audioop

from .conftest import camera_and_client


def chirp(seconds: float) -> array[int]:
    """A rising tone, so that a shifted or reordered copy would not match."""
    return array(
        "h",
        (
            round(9000 * math.sin(2 * math.pi * (300 + 400 * n / 8000) * n / 8000))
            for n in range(round(seconds * 8000))
        ),
    )


async def received(stream: AsyncIterator[bytes], nbytes: int) -> bytes:
    data = bytearray()
    async with aclosing(stream) as chunks:
        async for chunk in chunks:
            data += chunk
            if len(data) >= nbytes:
                break
    return bytes(data[:nbytes])


def correlation(a: array[int], b: array[int]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


async def test_receive_hears_the_queued_clip(http: aiohttp.ClientSession) -> None:
    """What the microphone picks up arrives intact (µ-law), in order, after the lead-in."""
    async with camera_and_client(http, microphone="silence") as (camera, client):
        clip = chirp(0.4)
        camera.microphones[1].play(clip, lead_seconds=0.1)
        session = await client.open_two_way_audio("1")
        data = await received(client.receive_audio("1"), 8000)
        await client.close_two_way_audio("1")
    samples = array("h", audioop.ulaw2lin(data, 2))
    assert max(abs(s) for s in samples[:800]) == 0  # the 0.1 s lead-in: silence
    heard = samples[800 : 800 + len(clip)]
    assert correlation(heard, clip) > 0.999
    listen = next(r for r in camera.recorder.recordings if r.kind == "listen")
    assert listen.session_id == session.session_id
    assert bytes(listen.data[:8000]) == data


async def test_talk_and_listen_share_one_session(http: aiohttp.ClientSession) -> None:
    """A talk session and the receive stream run at once on the same sessionId."""
    async with camera_and_client(http, microphone="silence") as (camera, client):
        camera.microphones[1].play(chirp(0.3))

        async def speak() -> AsyncIterator[bytes]:
            for _ in range(25):
                yield b"\x7f" * 160
                await asyncio.sleep(0.02)

        async with client.talk("1") as talk:
            sending = asyncio.create_task(talk.send(speak()))
            data = await received(client.receive_audio("1"), 4000)
            await sending
    talk_recording, listen_recording = camera.recorder.recordings[:2]
    assert talk_recording.kind == "talk"
    assert listen_recording.kind == "listen"
    assert talk_recording.session_id == listen_recording.session_id == talk.session_id
    assert bytes(talk_recording.data) == b"\x7f" * 4000
    heard = array("h", audioop.ulaw2lin(data, 2))[:2400]
    assert correlation(heard, chirp(0.3)) > 0.999
