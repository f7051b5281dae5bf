"""`IsapiClient.receive_audio` against the simulated microphone, alone and while talking."""

from __future__ import annotations

from array import array
import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing
import math

import aiohttp
import audioop

from .helpers import camera_and_client


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


async def test_a_conversation_on_one_session(http: aiohttp.ClientSession) -> None:
    """The satellite's recipe: one talk session, listening throughout, several replies.

    `TalkSession.send()` may be called again on the open session: each reply is a new talk
    socket on the same sessionId, while one receive stream keeps running.
    """
    async with camera_and_client(http, microphone="silence") as (camera, client):
        camera.microphones[1].play(chirp(0.2), lead_seconds=0.3)

        async def reply(byte: int) -> AsyncIterator[bytes]:
            for _ in range(10):
                yield bytes([byte]) * 160
                await asyncio.sleep(0.02)

        async with client.talk("1") as talk:
            heard = bytearray()
            async with aclosing(client.receive_audio("1", talk.session_id)) as stream:
                listening = asyncio.create_task(_collect(stream, heard, 8000))
                assert await talk.send(reply(0x10)) == 1600
                assert await talk.send(reply(0x20)) == 3200
                await listening
        talk_recording = next(r for r in camera.recorder.recordings if r.kind == "talk")
        listen_recording = next(r for r in camera.recorder.recordings if r.kind == "listen")
    assert bytes(talk_recording.data) == b"\x10" * 1600 + b"\x20" * 1600
    assert talk_recording.close_reason == "closed by client"
    assert listen_recording.session_id == talk_recording.session_id
    samples = array("h", audioop.ulaw2lin(bytes(heard), 2))
    assert correlation(samples[2400:4000], chirp(0.2)) > 0.999


async def _collect(stream: AsyncIterator[bytes], into: bytearray, nbytes: int) -> None:
    async for chunk in stream:
        into += chunk
        if len(into) >= nbytes:
            return
