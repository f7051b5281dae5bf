"""Fixtures for the simulator tests: loopback sockets, a camera, and clients that know nothing
of the simulator's code (aiohttp's own Digest, and a raw-socket client in helpers.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from simulator.hikvision import CameraConfig, HikvisionCamera

from .helpers import PASSWORD, USER, digest_session


@pytest.fixture(autouse=True)
def _loopback(socket_enabled: None) -> None:
    """Every simulator test talks to 127.0.0.1."""


@pytest.fixture
def camera_config() -> CameraConfig:
    """The default camera; tests override this fixture or build their own."""
    return CameraConfig(username=USER, password=PASSWORD)


@pytest.fixture
async def camera(camera_config: CameraConfig) -> AsyncIterator[HikvisionCamera]:
    """A running camera on a free loopback port."""
    async with HikvisionCamera(camera_config) as device:
        yield device


@pytest.fixture
async def http(camera: HikvisionCamera) -> AsyncIterator[aiohttp.ClientSession]:
    """aiohttp with its own Digest implementation, pointed at the camera."""
    async with digest_session(camera) as session:
        yield session


@pytest.fixture
async def control(camera: HikvisionCamera) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client for the /simulator/ control endpoints."""
    async with aiohttp.ClientSession(base_url=camera.base_url) as session:
        yield session
