"""Shared constants and helpers of the VAPIX client tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
import ssl
from typing import Self

import pytest

from custom_components.talkback.vapix import RelayConnectionStatus, VapixClient
from simulator.axis import AxisSpeaker, AxisSpeakerConfig

REAL_DEVICES = Path("/work/shared/real-devices/axis")
USER = "root"
PASSWORD = "s3cret-Pa55"
FAST = AxisSpeakerConfig(username=USER, password=PASSWORD, link_delay=0.0, link_interval=0.02)
"""Every device of a test network: its own password and quick follower checks."""
WAIT_LIMIT = 5.0
"""Seconds a test waits for the simulated leader to reach a status (it takes milliseconds)."""


async def wait_for_status(
    client: VapixClient, peer_id: str, expected: RelayConnectionStatus
) -> None:
    """Poll GetAudioPeerStatus until a peer reaches a status (the leader checks on its own)."""
    last: RelayConnectionStatus | None = None
    try:
        async with asyncio.timeout(WAIT_LIMIT):
            while last != expected:
                await asyncio.sleep(0.01)
                statuses = await client.get_audio_peer_status()
                last = next((s.connection_status for s in statuses if s.id == peer_id), None)
    except TimeoutError:
        pytest.fail(f"peer {peer_id} stayed {last} instead of becoming {expected}")


def single_device(**changes: object) -> AxisSpeaker:
    """A stand-alone device (its own LAN) with the test credentials plus `changes`."""
    return AxisSpeaker(replace(FAST, **changes))  # type: ignore[arg-type]


class TlsProxy:
    """TLS in front of a simulated device (which speaks plain HTTP), for the https paths.

    Bytes pass through both ways; a client's end of data is passed on as a half-close.
    """

    def __init__(self, context: ssl.SSLContext, target_port: int) -> None:
        self._context = context
        self._target_port = target_port
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self._context)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._target_port)
        try:
            await asyncio.gather(
                _pipe(reader, up_writer, half_close=True), _pipe(up_reader, writer)
            )
        except ConnectionError, ssl.SSLError:
            pass
        finally:
            self._tasks.discard(task)
            for stream in (writer, up_writer):
                stream.close()


async def _pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, half_close: bool = False
) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    if half_close and writer.can_write_eof():
        writer.write_eof()
    elif not half_close:
        writer.close()


def tone_frames(count: int, first: int = 0) -> list[bytes]:
    """Distinct, recognisable 160-byte µ-law frames."""
    return [bytes([(first + index) % 256]) * 160 for index in range(count)]


async def frames_from(frames: list[bytes]) -> AsyncIterator[bytes]:
    """Frames as the audio pipeline hands them out (an async iterator)."""
    for frame in frames:
        yield frame
