"""Talk sessions against the simulated camera: every byte arrives, every outcome closes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from custom_components.talkback.isapi.client import IsapiClient
from custom_components.talkback.isapi.exceptions import (
    IsapiAuthenticationError,
    IsapiBusyError,
    IsapiConnectionError,
)
from simulator.core import Fault, FaultKind
from simulator.hikvision import ChannelConfig, HikvisionCamera, NamespaceVariant
from tests.rawhttp.scripted import Peer, ScriptedServer, response
from tests.rawhttp.tls import server_context

from .helpers import camera_and_client, endless_silence, frames_of, make_client
from .tlsproxy import tls_proxy

AUDIO = bytes(range(256)) * 25  # 6400 bytes: 40 frames, every byte value, order visible


async def talk(client: IsapiClient, channel_id: str = "1", audio: bytes = AUDIO) -> int:
    """One whole talk session; returns what `send` reported."""
    async with client.talk(channel_id) as session:
        return await session.send(frames_of(audio))


def talk_recordings(camera: HikvisionCamera) -> list[bytes]:
    """The audio of every talk session the camera recorded."""
    return [bytes(r.data) for r in camera.recorder.recordings if r.kind == "talk"]


async def test_every_byte_arrives_in_order(client: IsapiClient, camera: HikvisionCamera) -> None:
    """The camera receives exactly the frames, on the session it opened, then it is closed."""
    async with client.talk("1") as session:
        assert camera.channels[1].session is not None
        assert session.session_id == camera.channels[1].session.session_id
        sent = await session.send(frames_of(AUDIO))
    assert sent == len(AUDIO) == session.bytes_sent
    assert talk_recordings(camera) == [AUDIO]
    recording = camera.recorder.recordings[-1]
    assert recording.session_id == session.session_id
    assert not recording.is_open
    assert camera.channels[1].session is None
    (put,) = [r for r in camera.requests if r.method == "PUT" and "audioData" in r.target]
    assert (
        put.target
        == f"/ISAPI/System/TwoWayAudio/channels/1/audioData?sessionId={session.session_id}"
    )
    assert put.status == 200
    assert put.body_bytes == len(AUDIO)
    methods = [
        (r.method, r.target.rsplit("/", 1)[-1].split("?")[0])
        for r in camera.requests
        if r.status != 401
    ]
    assert methods[:2] == [("PUT", "close"), ("PUT", "open")]
    assert methods[-1] == ("PUT", "close")


async def test_stale_session_is_closed_first(client: IsapiClient, camera: HikvisionCamera) -> None:
    """A session left by a crashed client would make open fail: talk closes it first."""
    stale = camera.leave_stale_session(1)
    async with client.talk("1") as session:
        assert session.session_id != stale
        await session.send(frames_of(AUDIO))
    assert talk_recordings(camera) == [AUDIO]


async def test_held_channel_is_busy_quickly(client: IsapiClient, camera: HikvisionCamera) -> None:
    """A channel held by another client fails to open: busy, and no session is left."""
    camera.hold(1)
    with pytest.raises(IsapiBusyError, match="Try again later"):
        await talk(client)
    assert camera.channels[1].session is None
    camera.hold(1, held=False)
    assert await talk(client) == len(AUDIO)


async def test_second_talk_on_same_channel_is_refused(client: IsapiClient) -> None:
    """Our own running session is never closed as "stale" by a second talk."""
    async with client.talk("1") as first:
        with pytest.raises(IsapiBusyError, match="already talking"):
            async with client.talk("1"):
                pass
        assert await first.send(frames_of(AUDIO[:320])) == 320
    assert await talk(client) == len(AUDIO)


@pytest.mark.parametrize("variant", [NamespaceVariant.PSIA, NamespaceVariant.NONE], ids=str)
async def test_door_station_and_nvr_channels(
    http: aiohttp.ClientSession, variant: NamespaceVariant
) -> None:
    """Multi-channel devices: sessionId is required and names the right channel's session."""
    channels = (ChannelConfig(id=1), ChannelConfig(id=2, codec="G.711alaw"))
    async with camera_and_client(http, namespace=variant, channels=channels) as (camera, client):
        camera.hold(1)
        assert await talk(client, "2") == len(AUDIO)
        (recording,) = camera.recorder.recordings
    assert recording.channel == "2"
    assert recording.codec == "G.711alaw"
    assert bytes(recording.data) == AUDIO


async def test_talk_with_every_auth_scheme(
    http: aiohttp.ClientSession, auth_policy: dict[str, Any]
) -> None:
    """The talk socket authenticates as the device demands."""
    async with camera_and_client(http, **auth_policy) as (camera, client):
        assert await talk(client) == len(AUDIO)
        assert talk_recordings(camera) == [AUDIO]


async def test_stale_nonce_between_plays_costs_no_audio(
    client: IsapiClient, camera: HikvisionCamera
) -> None:
    """Nonces gone stale between two plays: the talk socket starts on a fresh challenge.

    Its head is never refused, so no audio is written to a socket the device turned down;
    the device hears both plays whole.
    """
    await talk(client)
    camera.authenticator.expire_nonces()
    assert await talk(client) == len(AUDIO)
    assert talk_recordings(camera) == [AUDIO, AUDIO]
    puts = [r for r in camera.requests if r.method == "PUT" and "audioData" in r.target]
    assert [r.status for r in puts] == [200, 200]
    assert camera.authenticator.counts["stale-nonce"] >= 1


async def test_wrong_password_on_talk_socket(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """When only the talk socket is refused (credentials revoked), it gives up: auth error."""
    client = make_client(http, camera.port)
    async with client.talk("1") as session:
        # The device changed its mind between open and PUT: a plain (not stale) refusal.
        camera.faults.add(Fault(FaultKind.HTML_401, path="*/audioData"))
        with pytest.raises(IsapiAuthenticationError, match="user name or password"):
            await session.send(frames_of(AUDIO))
    puts = [r for r in camera.requests if r.method == "PUT" and "audioData" in r.target]
    assert [r.status for r in puts] == [401, 401, 401]
    assert camera.channels[1].session is None


async def test_cancel_mid_stream_closes(client: IsapiClient, camera: HikvisionCamera) -> None:
    """Cancelling while talking closes the socket and the session; nothing is left behind."""
    started = asyncio.Event()

    async def run() -> None:
        async with client.talk("1") as session:
            await session.send(endless_silence(started))

    task = asyncio.create_task(run())
    await started.wait()
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await client.close()  # the close runs in the background after a cancellation
    assert camera.channels[1].session is None
    (recording,) = camera.recorder.recordings
    assert not recording.is_open
    assert len(recording.data) >= 160


async def test_error_in_source_closes(client: IsapiClient, camera: HikvisionCamera) -> None:
    """A failing audio source propagates its error; the session is still closed."""

    async def broken() -> AsyncIterator[bytes]:
        yield b"\xff" * 160
        raise ValueError("decoder died")

    with pytest.raises(ValueError, match="decoder died"):
        async with client.talk("1") as session:
            await session.send(broken())
    assert camera.channels[1].session is None
    assert talk_recordings(camera) == [b"\xff" * 160]


async def test_device_drops_talk_socket(client: IsapiClient, camera: HikvisionCamera) -> None:
    """A device that aborts the audio connection mid-stream is a connection error."""
    camera.faults.add(
        Fault(FaultKind.DROP_AFTER_RECEIVED, path="*/audioData", method="PUT", nbytes=800)
    )

    async def slow() -> AsyncIterator[bytes]:
        async for frame in frames_of(AUDIO * 4):
            yield frame
            await asyncio.sleep(0.002)

    with pytest.raises(IsapiConnectionError, match="sending audio"):
        async with client.talk("1") as session:
            await session.send(slow())
    assert camera.channels[1].session is None


async def test_session_ended_by_device(client: IsapiClient, camera: HikvisionCamera) -> None:
    """The camera closes an idle session (no audio for its timeout): a typed error."""
    camera.idle_timeout = 0.2

    async def late() -> AsyncIterator[bytes]:
        yield b"\xff" * 160
        await asyncio.sleep(0.6)
        for _ in range(100):
            yield b"\xff" * 160
            await asyncio.sleep(0.002)

    # The camera hangs up without an answer: a connection error, which the user may retry.
    with pytest.raises(IsapiConnectionError, match="closed the connection while receiving"):
        async with client.talk("1") as session:
            await session.send(late())


async def test_talk_over_tls(
    http: aiohttp.ClientSession, camera: HikvisionCamera, tmp_path: Path
) -> None:
    """https (self-signed accepted): the audio arrives; closing the socket ends the body."""
    async with tls_proxy(camera.port, server_context(tmp_path)) as port:
        client = make_client(http, port, use_ssl=True, ssl_context=False)
        assert await talk(client) == len(AUDIO)
    for _ in range(100):  # the proxy relays the end of the body after the client closed
        if talk_recordings(camera) == [AUDIO]:
            break
        await asyncio.sleep(0.01)
    assert talk_recordings(camera) == [AUDIO]


async def test_send_needs_an_open_session(client: IsapiClient) -> None:
    """send() outside `async with` is a programming error."""
    with pytest.raises(RuntimeError, match="async with"):
        await client.talk("1").send(frames_of(AUDIO))


async def test_device_answering_early_ends_the_talk(http: aiohttp.ClientSession) -> None:
    """A device that answers 200 while audio is still coming stopped listening: an error."""
    session = b"<TwoWayAudioSession><sessionId>s9</sessionId></TwoWayAudioSession>"
    ok = b"<ResponseStatus><statusCode>1</statusCode></ResponseStatus>"

    async def device(peer: Peer) -> None:
        while True:
            head = await peer.read_head()
            line = head[":line"]
            if "/audioData" in line:
                await peer.send(response(200, ok, "Connection: close"))
                return
            body = session if "/open" in line else ok
            await peer.send(response(200, body, "Content-Type: application/xml"))

    async def endless() -> AsyncIterator[bytes]:
        while True:
            yield b"\xff" * 160
            await asyncio.sleep(0.002)

    server = ScriptedServer(device)
    await server.start()
    try:
        client = make_client(http, server.port)
        with pytest.raises(IsapiConnectionError, match="ended the talk session"):
            async with client.talk("1") as talk_session:
                await talk_session.send(endless())
    finally:
        await server.close()
    lines = [head[":line"] for peer in server.peers for head in peer.heads]
    assert "PUT /ISAPI/System/TwoWayAudio/channels/1/audioData?sessionId=s9 HTTP/1.1" in lines
    closes = [line for line in lines if "/close " in line]
    assert len(closes) == 2  # the stale-session close, and the close on the way out
