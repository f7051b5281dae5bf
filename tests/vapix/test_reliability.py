"""Audio output under device faults (issue 12): no false "played", no replay, no downgrade."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
import time

import pytest

from custom_components.talkback.vapix import (
    VapixBasicRefusedError,
    VapixClient,
    VapixConnectionError,
    VapixTimeoutError,
)
from custom_components.talkback.vapix.const import AUDIO_BYTES_PER_SECOND, TRANSMIT_ANSWER_MARGIN
from custom_components.talkback.vapix.transmit import TRANSMIT_TIMEOUTS
from simulator.axis import AxisAuth
from simulator.core import Fault, FaultKind

from .helpers import single_device

FRAMES = [bytes([index]) * 160 for index in range(120)]


async def paced(frames: list[bytes]) -> AsyncIterator[bytes]:
    """Frames 4 ms apart: a refusal reaches the client while audio is still to come."""
    for frame in frames:
        yield frame
        await asyncio.sleep(0.004)


def heard(device: object) -> bytes:
    return b"".join(bytes(r.data) for r in device.recordings if r.kind == "transmit")  # type: ignore[attr-defined]


def assert_no_replay(audio: bytes) -> None:
    """Frames only go forward (gaps allowed, where audio was refused): nothing heard twice."""
    assert list(audio) == sorted(audio), "some audio was sent again"
    assert max(Counter(audio).values()) <= 160


async def test_device_that_stops_reading_fails_the_play(
    connect: Callable[..., VapixClient],
) -> None:
    """120 s of audio to a speaker that stops reading after 8 kB: an error within the stall
    bound, whatever the socket buffers hid."""
    async with single_device() as device:
        assert device.server is not None
        device.server.faults.add(
            Fault(FaultKind.STOP_READING, path="*/transmit.cgi", nbytes=8000, seconds=8.0)
        )
        session = connect(device).talk()
        session._timeouts = replace(TRANSMIT_TIMEOUTS, stall=1.0, response=2.0)
        audio = [b"\xff" * 8000] * 120
        started = time.monotonic()
        with pytest.raises(VapixTimeoutError, match="stopped taking data"):
            async with session:
                await session.send(paced(audio))
        assert time.monotonic() - started < 8.0


async def real_time(frames: list[bytes]) -> AsyncIterator[bytes]:
    """Frames as a paced play sends them: 20 ms of audio every 20 ms."""
    for frame in frames:
        yield frame
        await asyncio.sleep(len(frame) / AUDIO_BYTES_PER_SECOND)


async def test_device_that_stops_reading_at_the_end_fails_soon_after_the_audio(
    connect: Callable[..., VapixClient],
) -> None:
    """A speaker that stops reading in the last 0.2 s of 1 s: its buffers take the rest, so
    only the missing answer tells. It is due the margin after the audio's end (default
    timeouts), not a fixed wait whatever the length (15 s before)."""
    async with single_device() as device:
        assert device.server is not None
        device.server.faults.add(
            Fault(FaultKind.STOP_READING, path="*/transmit.cgi", nbytes=6400, seconds=30.0)
        )
        started = time.monotonic()
        with pytest.raises(VapixTimeoutError, match="after it should have finished playing"):
            await connect(device).transmit(real_time([b"\xff" * 160] * 50))
        took = time.monotonic() - started
    assert took < 1.0 + TRANSMIT_ANSWER_MARGIN + 1.5


async def test_audio_sent_faster_than_real_time_waits_for_its_playback(
    connect: Callable[..., VapixClient],
) -> None:
    """5 s of audio sent at once: the device answers after playing it, past the margin, and
    that is a success (the answer is due at the end of playback, not at the end of sending)."""
    seconds = 5
    assert seconds > TRANSMIT_ANSWER_MARGIN  # else a fixed bound would pass this test too
    async with single_device() as device:
        sent = await connect(device).transmit(paced([b"\xff" * 8000] * seconds))
    assert sent == seconds * 8000


async def test_stale_nonce_mid_stream_resumes_without_replay(
    connect: Callable[..., VapixClient],
) -> None:
    """A 401 with a fresh nonce after 4 kB: re-authenticated, the rest follows, none twice."""
    async with single_device(playback_wait=False) as device:
        assert device.server is not None
        device.server.faults.add(
            Fault(FaultKind.REAUTH, method="POST", path="*/transmit.cgi", nbytes=4000, count=1)
        )
        sent = await connect(device).transmit(paced(FRAMES))
        assert sent == len(FRAMES) * 160
        posts = [r for r in device.server.requests if r.method == "POST"]
    assert [r.status for r in posts] == [401, 200]
    assert posts[0].body_bytes >= 4000
    audio = heard(device)
    assert len(audio) >= 4000
    assert_no_replay(audio)


async def test_stale_nonce_every_time_is_retryable(connect: Callable[..., VapixClient]) -> None:
    """A speaker that keeps calling the nonce stale: a connection error, not a bad password."""
    async with single_device(playback_wait=False) as device:
        assert device.server is not None
        device.server.faults.add(
            Fault(FaultKind.REAUTH, method="POST", path="*/transmit.cgi", nbytes=1600)
        )
        with pytest.raises(VapixConnectionError, match="stale"):
            await connect(device).transmit(paced(FRAMES))
    assert_no_replay(heard(device))


async def test_basic_over_http_refused_when_not_allowed(
    connect: Callable[..., VapixClient],
) -> None:
    """A Basic-only speaker over HTTP with Basic not allowed: typed error, no password sent."""
    async with single_device(auth=AxisAuth.BASIC) as device:
        client = connect(device, allow_basic_over_http=False)
        with pytest.raises(VapixBasicRefusedError, match="unencrypted over HTTP"):
            await client.device_info()
        with pytest.raises(VapixBasicRefusedError, match="unencrypted over HTTP"):
            await client.transmit(paced(FRAMES[:5]))
        assert device.server is not None
        assert set(device.server.authenticator.counts) == {"missing"}
    assert device.recordings == []
