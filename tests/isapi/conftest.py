"""Fixtures for ISAPI client tests: the real client against the simulated camera on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.talkback.isapi.client import IsapiClient
from custom_components.talkback.isapi.models import IsapiTimeouts
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


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """The client is a library: no Home Assistant instance is needed."""


@pytest.fixture(autouse=True)
def _loopback(socket_enabled: None) -> None:
    """Every client test talks to a simulator on 127.0.0.1."""


@pytest.fixture
def camera_config() -> CameraConfig:
    """The default camera; tests override it (or build their own camera)."""
    return CameraConfig(username=USER, password=PASSWORD)


@pytest.fixture
async def camera(camera_config: CameraConfig) -> AsyncIterator[HikvisionCamera]:
    """A running simulated camera."""
    async with HikvisionCamera(camera_config) as device:
        yield device


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """The injected aiohttp session."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def client(http: aiohttp.ClientSession, camera: HikvisionCamera) -> IsapiClient:
    """The client under test, pointed at the camera."""
    return make_client(http, camera.port)


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
