"""Helpers of the ISAPI client tests: credentials, fast timeouts, a client, a camera."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from custom_components.talkback.isapi.client import IsapiClient
from custom_components.talkback.isapi.models import IsapiTimeouts
from simulator.core import AuthScheme, DigestAlgorithm
from simulator.hikvision import CameraConfig, HikvisionCamera

USER = "admin"
PASSWORD = "Pa55-w0rd-never-logged"
# Short timeouts so that delay tests finish quickly; generous for a loaded 2-core machine.
FAST = IsapiTimeouts(
    request=1.0,
    connect=1.0,
    open=1.0,
    close=1.0,
    talk_write=1.0,
    talk_response=1.0,
    talk_socket_close=1.0,
    receive_head=1.0,
    receive_read=1.0,
)
DELAY = 2.0  # a simulator delay fault, twice every FAST timeout
AUTH_POLICIES: dict[str, dict[str, Any]] = {
    "digest-md5": {"auth_scheme": AuthScheme.DIGEST, "digest_algorithm": DigestAlgorithm.MD5},
    "digest-sha256": {
        "auth_scheme": AuthScheme.DIGEST,
        "digest_algorithm": DigestAlgorithm.SHA256,
    },
    "digest-md5-sess": {
        "auth_scheme": AuthScheme.DIGEST,
        "digest_algorithm": DigestAlgorithm.MD5_SESS,
    },
    "digest-sha256-sess": {
        "auth_scheme": AuthScheme.DIGEST,
        "digest_algorithm": DigestAlgorithm.SHA256_SESS,
    },
    "basic-only": {"auth_scheme": AuthScheme.BASIC},
    "no-auth": {"auth_scheme": AuthScheme.NONE},
}


def make_client(
    http: aiohttp.ClientSession, port: int, *, password: str = PASSWORD, **options: object
) -> IsapiClient:
    """A client for 127.0.0.1:port with the fast timeouts."""
    return IsapiClient(
        http,
        "127.0.0.1",
        port=port,
        username=USER,
        password=password,
        timeouts=FAST,
        **options,  # type: ignore[arg-type]
    )


async def frames_of(data: bytes, size: int = 160) -> AsyncIterator[bytes]:
    """The frames of `data`, as fast as they are read (pacing is not the client's job)."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


@asynccontextmanager
async def camera_and_client(
    http: aiohttp.ClientSession, **options: Any
) -> AsyncIterator[tuple[HikvisionCamera, IsapiClient]]:
    """A camera built from CameraConfig options (with the test credentials), and a client."""
    config = CameraConfig(username=USER, password=PASSWORD, **options)
    async with HikvisionCamera(config) as device:
        yield device, make_client(http, device.port)


async def endless_silence(playing: asyncio.Event, every: float = 0.005) -> AsyncIterator[bytes]:
    """Silent frames until the consumer stops; `playing` is set once the first one went out."""
    while True:
        yield b"\xff" * 160
        playing.set()
        await asyncio.sleep(every)
