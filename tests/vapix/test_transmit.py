"""Audio output through transmit.cgi, to single speakers and to a whole relay network."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from custom_components.talkback.audio import AudioPacer, G711Codec
from custom_components.talkback.vapix import (
    RelayConnectionStatus,
    RelayPeer,
    VapixAuthenticationError,
    VapixBusyError,
    VapixClient,
    VapixConnectionError,
    VapixNotSupportedError,
    VapixTimeoutError,
)
from custom_components.talkback.vapix.transmit import TRANSMIT_TIMEOUTS
from simulator.axis import AxisAuth, AxisRelayNetwork
from simulator.core import Fault, FaultKind
from tests.rawhttp.tls import server_context

from .helpers import (
    PASSWORD,
    USER,
    TlsProxy,
    frames_from,
    single_device,
    tone_frames,
    wait_for_status,
)


async def test_play_to_one_speaker(connect: Callable[..., VapixClient]) -> None:
    """Paced frames arrive unchanged, in one recording, and the answer waits for playback."""
    frames = tone_frames(15)
    async with single_device() as device:
        client = connect(device)
        async with AudioPacer(frames_from(frames), G711Codec.MULAW, lead=0.04) as pacer:
            sent = await client.transmit(pacer)
        (recording,) = device.recordings
    assert sent == 15 * 160
    assert bytes(recording.data) == b"".join(frames)
    assert (recording.kind, recording.codec) == ("transmit", "G.711ulaw")
    # The client returned only after the device answered, which it does after playing.
    assert not recording.is_open
    assert recording.close_reason == "played"


async def test_answer_comes_after_playback(connect: Callable[..., VapixClient]) -> None:
    """A burst of 0.3 s of audio is answered no sooner than 0.3 s after it began."""
    async with single_device() as device:
        await connect(device).transmit(frames_from(tone_frames(15)))
        (recording,) = device.recordings
    assert recording.closed_at is not None
    assert recording.closed_at - recording.arrivals[0][0] >= 15 * 0.02 - 0.005


async def test_play_to_the_whole_relay_network(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """Audio sent to the leader is heard on every Online follower, and only there."""
    ids = await leader_client.set_audio_peer_configurations(
        [
            RelayPeer(mac=network[0].mac, leader=True),
            RelayPeer(mac=network[1].mac, username=USER, password=PASSWORD),
            RelayPeer(mac=network[2].mac, username=USER, password="wrong"),
        ]
    )
    await wait_for_status(leader_client, ids[1], RelayConnectionStatus.ONLINE)
    await wait_for_status(leader_client, ids[2], RelayConnectionStatus.AUTHENTICATION_FAILED)
    frames = tone_frames(10, first=40)
    await leader_client.transmit(frames_from(frames))
    (played,) = network[0].recordings
    (relayed,) = network[1].recordings
    assert network[2].recordings == []
    assert bytes(played.data) == bytes(relayed.data) == b"".join(frames)
    assert (relayed.kind, relayed.channel) == ("relay", network[0].mac)


async def test_second_sender_is_busy(connect: Callable[..., VapixClient]) -> None:
    """While one client plays, another gets VapixBusyError; the first finishes normally."""
    async with single_device() as device:
        first, second = connect(device), connect(device)
        async with first.talk() as playing:
            await playing.send_frame(tone_frames(1)[0])
            with pytest.raises(VapixBusyError, match="try again later"):
                await second.transmit(frames_from(tone_frames(3)))
            await playing.send_frame(tone_frames(1)[0])
            assert await playing.finish() == 320
        assert [r.close_reason for r in device.recordings] == ["played"]


async def test_stopped_play_frees_the_output(connect: Callable[..., VapixClient]) -> None:
    """Cancelling a play closes the stream: the device plays out what it has, then is free."""

    async def endless() -> None:
        async with client.talk() as session:
            while True:
                await session.send_frame(tone_frames(1)[0])
                await asyncio.sleep(0.005)

    async with single_device() as device:
        client = connect(device)
        task = asyncio.create_task(endless())
        while not device.recordings or not device.recordings[0].data:
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with asyncio.timeout(5):  # without the close, the device would wait forever
            while device.transmitting:
                await asyncio.sleep(0.005)
        assert not device.recordings[0].is_open
        await client.transmit(frames_from(tone_frames(2)))
        assert [len(r.data) for r in device.recordings][1:] == [320]


async def test_device_without_audio_output(connect: Callable[..., VapixClient]) -> None:
    """No transmit.cgi (404): not supported, with a message that says why."""
    async with single_device(audio_output=False) as device:
        with pytest.raises(VapixNotSupportedError, match="no audio output"):
            await connect(device).transmit(frames_from(tone_frames(2)))


async def test_wrong_password(connect: Callable[..., VapixClient]) -> None:
    """The device refuses the stream's head: an authentication error, no recording."""
    async with single_device() as device:
        with pytest.raises(VapixAuthenticationError):
            await connect(device, password="wrong").transmit(frames_from(tone_frames(5)))
        assert device.recordings == []


@pytest.mark.parametrize("auth", [AxisAuth.BASIC, AxisAuth.DIGEST, AxisAuth.NONE])
async def test_every_auth_policy(connect: Callable[..., VapixClient], auth: AxisAuth) -> None:
    """Basic-only (old firmware), Digest-only and open devices all play."""
    async with single_device(auth=auth) as device:
        assert await connect(device).transmit(frames_from(tone_frames(3))) == 480
        assert len(device.recordings[0].data) == 480


async def test_injected_busy_answer(connect: Callable[..., VapixClient]) -> None:
    """A 503 to the stream is busy, however the device words it."""
    async with single_device() as device:
        device.faults.add(Fault(FaultKind.STATUS, path="/axis-cgi/audio/transmit.cgi", status=503))
        with pytest.raises(VapixBusyError):
            await connect(device).transmit(frames_from(tone_frames(3)))


async def test_connection_lost_mid_stream(connect: Callable[..., VapixClient]) -> None:
    """A device that drops the connection while audio flows is a connection error."""
    frames = tone_frames(200)

    async def paced() -> object:
        for frame in frames:
            yield frame
            await asyncio.sleep(0.002)

    async with single_device() as device:
        device.faults.add(
            Fault(FaultKind.DROP_AFTER_RECEIVED, path="/axis-cgi/audio/transmit.cgi", nbytes=800)
        )
        with pytest.raises(VapixConnectionError):
            await connect(device).transmit(paced())  # type: ignore[arg-type]


async def test_tls(tmp_path: Path, session: aiohttp.ClientSession) -> None:
    """https for JSON (aiohttp) and for the audio stream (raw TLS socket)."""
    async with single_device() as device, TlsProxy(server_context(tmp_path), device.port) as proxy:
        client = VapixClient(
            session,
            "127.0.0.1",
            port=proxy.port,
            username=USER,
            password=PASSWORD,
            use_ssl=True,
            ssl_context=False,  # a self-signed certificate
        )
        info = await client.device_info()
        assert info.serial_number == device.serial
        assert await client.transmit(frames_from(tone_frames(4))) == 640
        async with asyncio.timeout(5):
            while not device.recordings or device.recordings[0].is_open:
                await asyncio.sleep(0.01)
        assert len(device.recordings[0].data) == 640


async def test_untrusted_certificate(tmp_path: Path, session: aiohttp.ClientSession) -> None:
    """With verification on, a self-signed certificate is a connection error."""
    async with single_device() as device, TlsProxy(server_context(tmp_path), device.port) as proxy:
        client = VapixClient(
            session, "127.0.0.1", port=proxy.port, username=USER, password=PASSWORD, use_ssl=True
        )
        with pytest.raises(VapixConnectionError, match=r"TLS|certificate"):
            await client.device_info()
        with pytest.raises(VapixConnectionError, match="certificate"):
            await client.transmit(frames_from(tone_frames(1)))


async def test_unconfirmed_end_is_a_failure(connect: Callable[..., VapixClient]) -> None:
    """The device took every byte but never answers: transmit.cgi promises an answer after
    playback, so its absence is a failure ("may not have played"), not a success."""
    async with single_device() as device:
        assert device.server is not None
        device.server.faults.add(Fault(FaultKind.SILENT_END, path="*/transmit.cgi", seconds=5))
        session = connect(device).talk()
        session._timeouts = replace(TRANSMIT_TIMEOUTS, response=0.3)
        with pytest.raises(
            VapixTimeoutError,
            match=r"did not confirm the audio 0\.3 s after it should have finished",
        ):
            async with session:
                await session.send(frames_from(tone_frames(50)))  # 1 s of audio at once
