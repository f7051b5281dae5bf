"""Device faults during talk (issue 12): every one ends within its bound, truthfully, cleanly.

Each test drives a simulator fault mode through the real client; before the fixes each of
them failed (a close error stopped every open, a stuck device "played", a stale nonce
replayed audio or read as a wrong password, a late open stayed open, STOP waited).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
import time

import aiohttp
import pytest

from custom_components.talkback.isapi.client import IsapiClient
from custom_components.talkback.isapi.exceptions import (
    IsapiBasicRefusedError,
    IsapiConnectionError,
    IsapiResponseError,
    IsapiTimeoutError,
)
from simulator.core import AuthScheme, Fault, FaultKind
from simulator.hikvision import HikvisionCamera

from .helpers import FAST, camera_and_client, endless_silence, frames_of, make_client

# 200 distinct frames: any byte sequence of the recording says which frames it came from.
FRAMES = [bytes([index]) * 160 for index in range(200)]
AUDIO = b"".join(FRAMES)


async def paced(audio: bytes) -> AsyncIterator[bytes]:
    """Frames 4 ms apart: a refusal reaches the client while audio is still to come."""
    async for frame in frames_of(audio):
        yield frame
        await asyncio.sleep(0.004)


def recorded(camera: HikvisionCamera) -> bytes:
    (recording,) = [r for r in camera.recorder.recordings if r.kind == "talk"]
    return bytes(recording.data)


def assert_no_replay(heard: bytes) -> None:
    """Frames only go forward (gaps allowed, where audio was refused): nothing heard twice."""
    assert list(heard) == sorted(heard), "some audio was sent again"
    assert max(Counter(heard).values()) <= len(FRAMES[0])


@pytest.mark.parametrize(
    "fault",
    [
        Fault(FaultKind.STATUS, path="*/close", status=500, count=1),
        Fault(FaultKind.STATUS, path="*/close", status=403, reason="notSupport", count=1),
        Fault(FaultKind.DELAY, path="*/close", seconds=1.5, count=1),  # beyond FAST.close
    ],
    ids=["500", "403-notSupport", "no-answer"],
)
async def test_close_before_open_is_best_effort(
    client: IsapiClient, camera: HikvisionCamera, fault: Fault
) -> None:
    """Whatever the device answers to closing an idle channel (or if it does not), it opens."""
    camera.faults.add(fault)
    async with client.talk("1") as session:
        await session.send(frames_of(AUDIO))
    assert recorded(camera) == AUDIO


async def test_device_that_stops_reading_fails_the_play(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """120 s of audio to a device that stops reading after 8 kB: an error within the stall
    bound, whatever the socket buffers hid, never a "played"."""
    client = make_client(http, camera.port)
    client.timeouts = replace(FAST, talk_write=10.0, talk_stall=1.0)
    camera.faults.add(Fault(FaultKind.STOP_READING, path="*/audioData", nbytes=8000))
    audio = b"\xff" * 8000 * 120
    started = time.monotonic()
    with pytest.raises(IsapiTimeoutError, match="stopped taking data"):
        async with client.talk("1") as session:
            await session.send(frames_of(audio, 8000))
    assert time.monotonic() - started < 8.0
    await client.close()
    assert camera.channels[1].session is None


async def test_stale_nonce_mid_stream_resumes_without_replay(
    client: IsapiClient, camera: HikvisionCamera
) -> None:
    """A 401 with a fresh nonce after 4 kB: re-authenticated, the rest follows, none twice."""
    camera.faults.add(Fault(FaultKind.REAUTH, path="*/audioData", nbytes=4000, count=1))
    async with client.talk("1") as session:
        await session.send(paced(AUDIO))
    puts = [r.status for r in camera.requests if r.method == "PUT" and "audioData" in r.target]
    assert puts == [401, 200]
    heard = recorded(camera)
    assert len(heard) >= 4000
    assert_no_replay(heard)


async def test_stale_nonce_every_time_is_retryable_not_wrong_password(
    client: IsapiClient, camera: HikvisionCamera
) -> None:
    """A device that keeps calling the nonce stale mid-stream: a connection error to retry."""
    camera.faults.add(Fault(FaultKind.REAUTH, path="*/audioData", nbytes=1600))
    with pytest.raises(IsapiConnectionError, match="authenticate again"):
        async with client.talk("1") as session:
            await session.send(paced(AUDIO))
    assert_no_replay(recorded(camera))


async def test_open_answered_after_the_timeout_is_closed(http: aiohttp.ClientSession) -> None:
    """The device opens after the client gave up: the background close still closes it.

    (An open device: the simulator checks credentials after a delay, where a camera checks
    them on arrival.)
    """
    async with camera_and_client(http, auth_scheme=AuthScheme.NONE) as (camera, client):
        camera.faults.add(Fault(FaultKind.DELAY, path="*/open", seconds=1.5, count=1))
        with pytest.raises(IsapiTimeoutError):
            async with client.talk("1"):
                pass
        assert client.closing_tasks  # the close runs on its own
        await client.close()
        opens = [r for r in camera.requests if r.target.endswith("/open")]
        assert [r.status for r in opens] == [200]  # the device did open, late
        assert camera.channels[1].session is None


async def test_talk_right_after_an_unanswered_open_is_not_held_back(
    client: IsapiClient, camera: HikvisionCamera
) -> None:
    """Trying again at once after an open timed out: no wait for the repeated close, and the
    repeat (made for an open the device carries out late) never closes the new session."""
    camera.faults.add(Fault(FaultKind.DELAY, path="*/open", seconds=FAST.open + 0.2, count=1))
    with pytest.raises(IsapiTimeoutError):
        async with client.talk("1"):
            pass
    started = time.monotonic()
    async with client.talk("1") as session:
        entered = time.monotonic() - started
        await asyncio.sleep(FAST.open + FAST.close + 0.5)  # past the moment of the repeat
        assert camera.channels[1].session is not None
        assert camera.channels[1].session.session_id == session.session_id
        await session.send(frames_of(AUDIO))
    assert entered < FAST.open  # before: the first close, the whole wait, the second close
    await client.close()
    assert camera.channels[1].session is None


@pytest.mark.parametrize("kind", [FaultKind.MALFORMED, FaultKind.TRUNCATED])
async def test_malformed_open_answer_is_closed_once(
    client: IsapiClient, camera: HikvisionCamera, kind: FaultKind
) -> None:
    """A malformed answer to open is an answer: one close, no repeat for a late open."""
    camera.faults.add(Fault(kind, path="*/open", count=1))
    with pytest.raises(IsapiResponseError):
        async with client.talk("1"):
            pass
    while client.closing_tasks:
        await asyncio.wait(client.closing_tasks)
    closes = [r for r in camera.requests if r.target.endswith("/close") and r.status == 200]
    assert len(closes) == 2  # before the open, after it


async def test_open_answer_cut_off_is_a_connection_error(
    client: IsapiClient, camera: HikvisionCamera
) -> None:
    """An answer to open that breaks off in its head: a broken connection to retry."""
    camera.faults.add(Fault(FaultKind.DROP_AFTER_SENT, path="*/open", nbytes=30, count=1))
    with pytest.raises(IsapiConnectionError, match="ended inside the response"):
        async with client.talk("1"):
            pass
    await client.close()
    assert camera.channels[1].session is None


async def test_cancelled_open_is_closed(client: IsapiClient, camera: HikvisionCamera) -> None:
    """STOP while the open is on its way: the session the device opens is closed."""
    camera.faults.add(Fault(FaultKind.DELAY, path="*/open", seconds=0.3, count=1))
    task = asyncio.create_task(client.talk("1").__aenter__())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await client.close()
    assert camera.channels[1].session is None


async def test_stop_returns_at_once_behind_a_hanging_close(
    client: IsapiClient, camera: HikvisionCamera
) -> None:
    """STOP (cancellation) returns at once; the hanging close ends on its own, bounded."""
    playing = asyncio.Event()

    async def play() -> None:
        async with client.talk("1") as session:
            camera.faults.add(Fault(FaultKind.DELAY, path="*/close", seconds=3.0))
            await session.send(endless_silence(playing, 0.02))

    task = asyncio.create_task(play())
    await playing.wait()
    task.cancel()
    started = time.monotonic()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 0.3
    started = time.monotonic()
    await client.close()
    assert time.monotonic() - started < FAST.close + 0.5
    assert client.closing_tasks == ()


async def test_basic_over_http_refused_when_not_allowed(http: aiohttp.ClientSession) -> None:
    """A Basic-only device over HTTP with Basic not allowed: a typed error, no password sent."""
    async with camera_and_client(http, auth_scheme=AuthScheme.BASIC) as (camera, _):
        client = make_client(http, camera.port, allow_basic_over_http=False)
        with pytest.raises(IsapiBasicRefusedError, match="unencrypted over HTTP"):
            await client.device_info()
        assert set(camera.authenticator.counts) == {"missing"}


async def test_no_downgrade_after_digest_worked(http: aiohttp.ClientSession) -> None:
    """Digest worked; the device (or someone in its place) then offers only Basic: refused."""
    async with camera_and_client(http) as (camera, client):
        await client.device_info()
        camera.authenticator.policy = replace(camera.authenticator.policy, scheme=AuthScheme.BASIC)
        with pytest.raises(IsapiBasicRefusedError, match="accepted Digest authentication before"):
            await client.two_way_audio_channels()
        assert "basic" not in camera.authenticator.counts
        assert "bad-credentials" not in camera.authenticator.counts


async def test_basic_fallback_is_not_sticky(http: aiohttp.ClientSession) -> None:
    """Basic while the device offers only Basic; Digest as soon as it offers Digest again."""
    async with camera_and_client(http, auth_scheme=AuthScheme.BASIC) as (camera, client):
        await client.device_info()
        assert camera.authenticator.counts["basic"] == 1
        camera.authenticator.policy = replace(camera.authenticator.policy, scheme=AuthScheme.DIGEST)
        camera.authenticator.counts.clear()
        await client.device_info()
        await client.two_way_audio_channels()
        assert set(camera.authenticator.counts) == {"missing", "digest"}
        assert camera.authenticator.counts["digest"] == 2
