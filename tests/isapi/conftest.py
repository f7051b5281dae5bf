"""Fixtures for ISAPI client tests: the real client against the simulated camera on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from custom_components.talkback.isapi.client import IsapiClient
from simulator.hikvision import CameraConfig, HikvisionCamera

from .helpers import AUTH_POLICIES, PASSWORD, USER, make_client


@pytest.fixture(autouse=True)
def _loopback(socket_enabled: None) -> None:
    """The client is tested over real 127.0.0.1 sockets."""


@pytest.fixture(params=list(AUTH_POLICIES))
def auth_policy(request: pytest.FixtureRequest) -> dict[str, Any]:
    """CameraConfig options of each way a device may demand credentials."""
    return AUTH_POLICIES[request.param]


@pytest.fixture
async def camera(camera_config: CameraConfig) -> AsyncIterator[HikvisionCamera]:
    """A running camera built from the `camera_config` fixture."""
    async with HikvisionCamera(camera_config) as device:
        yield device


@pytest.fixture
def camera_config() -> CameraConfig:
    """The default camera; tests override it (or build their own camera)."""
    return CameraConfig(username=USER, password=PASSWORD)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """The injected aiohttp session."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def client(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> AsyncIterator[IsapiClient]:
    """The client under test, pointed at the camera; closed (no task left) after the test."""
    client = make_client(http, camera.port)
    yield client
    await client.close()
    assert client.closing_tasks == ()
