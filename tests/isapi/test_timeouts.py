"""Every step has a timeout: a simulator that delays a step makes that step fail, never hang.

The simulated delays (DELAY = 2 s) are longer than every FAST timeout (1 s); each test names
the step whose timeout must fire by its error message.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
import logging

import aiohttp
import pytest

from custom_components.talkback.isapi.client import IsapiClient
from custom_components.talkback.isapi.exceptions import IsapiTimeoutError
from simulator.core import Fault, FaultKind
from simulator.hikvision import HikvisionCamera
from tests.rawhttp.scripted import Peer, ScriptedServer

from .helpers import DELAY, FAST, frames_of, make_client


def delay(camera: HikvisionCamera, path: str, method: str = "*") -> None:
    """Make the camera wait DELAY seconds before answering (or reading) matching requests."""
    camera.faults.add(Fault(FaultKind.DELAY, path=path, method=method, seconds=DELAY))


async def test_request_timeout(client: IsapiClient, camera: HikvisionCamera) -> None:
    """REQUEST_TIMEOUT: a device that does not answer deviceInfo."""
    delay(camera, "/ISAPI/System/deviceInfo")
    with pytest.raises(IsapiTimeoutError, match=f"did not answer within {FAST.request:g} s"):
        await client.device_info()


async def test_open_timeout_leaves_nothing(client: IsapiClient, camera: HikvisionCamera) -> None:
    """OPEN_TIMEOUT: a talk whose open hangs fails, and the channel can be talked on again."""
    delay(camera, "*/open")
    with pytest.raises(IsapiTimeoutError, match="opening two-way audio"):
        async with client.talk("1"):
            pass
    camera.faults.clear()
    async with client.talk("1") as session:
        await session.send(frames_of(b"\xff" * 320))


async def test_close_timeout_does_not_hang_talk(
    client: IsapiClient, camera: HikvisionCamera, caplog: pytest.LogCaptureFixture
) -> None:
    """CLOSE_TIMEOUT: a close that hangs fails alone; leaving a talk only logs it."""
    delay(camera, "*/close")
    with pytest.raises(IsapiTimeoutError, match="closing two-way audio"):
        await client.close_two_way_audio("1")
    camera.faults.clear()
    caplog.set_level(logging.WARNING)
    async with client.talk("1") as session:
        delay(camera, "*/close")
        await session.send(frames_of(b"\xff" * 320))
    assert "could not close the talk session" in caplog.text


async def test_connect_timeout(http: aiohttp.ClientSession, camera: HikvisionCamera) -> None:
    """CONNECT_TIMEOUT: a TLS handshake nobody answers (https to a plain-HTTP port)."""
    timeouts = replace(FAST, request=30.0, connect=0.3)
    client = IsapiClient(
        http,
        "127.0.0.1",
        port=camera.port,
        username="admin",
        password="x",
        use_ssl=True,
        ssl_context=False,
        timeouts=timeouts,
    )
    with pytest.raises(IsapiTimeoutError, match=r"Could not connect .* within 0\.3 s"):
        await client.device_info()


async def test_talk_write_timeout(client: IsapiClient, camera: HikvisionCamera) -> None:
    """TALK_WRITE_TIMEOUT: a camera that stops reading audio fills the socket; send fails."""

    async def flood() -> AsyncIterator[bytes]:
        for _ in range(4096):  # at most 256 MB; loopback buffers fill after a few MB
            yield b"\xff" * 65536

    async with client.talk("1") as session:
        delay(camera, "*/audioData", "PUT")
        with pytest.raises(IsapiTimeoutError, match="stopped accepting data"):
            await session.send(flood())
    assert camera.channels[1].session is None


async def test_talk_response_timeout(client: IsapiClient, camera: HikvisionCamera) -> None:
    """TALK_RESPONSE_TIMEOUT: no answer after the audio ended is a failure (issue 12): the
    ISAPI answer confirms the audio, without it the audio may not have played."""
    async with client.talk("1") as session:
        delay(camera, "*/audioData", "PUT")
        with pytest.raises(IsapiTimeoutError, match="did not confirm the audio within 1 s"):
            await session.send(frames_of(b"\xff" * 1600))
    assert camera.channels[1].session is None


async def test_receive_head_timeout(client: IsapiClient, camera: HikvisionCamera) -> None:
    """RECEIVE_HEAD_TIMEOUT: GET audioData that never starts."""
    await client.open_two_way_audio("1")
    delay(camera, "*/audioData", "GET")
    with pytest.raises(IsapiTimeoutError, match=f"within {FAST.receive_head:g} s"):
        async for _ in client.receive_audio("1"):
            pass
    await client.close_two_way_audio("1")


async def test_receive_read_timeout(http: aiohttp.ClientSession) -> None:
    """RECEIVE_READ_TIMEOUT: an audio stream that stalls after a little audio."""
    stop = asyncio.Event()

    async def stalling(peer: Peer) -> None:
        await peer.read_head()
        await peer.send(b"HTTP/1.1 200 OK\r\nContent-Type: audio/basic\r\n\r\n" + b"\xff" * 320)
        await stop.wait()

    server = ScriptedServer(stalling)
    await server.start()
    try:
        received = bytearray()
        stream = make_client(http, server.port).receive_audio("1", "s1")
        received += await anext(stream)
        with pytest.raises(IsapiTimeoutError, match="sent no audio"):
            await anext(stream)
        assert received == b"\xff" * 320
        assert server.peers[0].heads[0][":line"].endswith("audioData?sessionId=s1 HTTP/1.1")
    finally:
        stop.set()
        await server.close()
