"""Fixtures for the VAPIX client tests: a simulated relay network on 127.0.0.1 and clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest

from custom_components.talkback.vapix import VapixClient
from simulator.axis import AxisRelayNetwork, AxisSpeaker, AxisSpeakerConfig

from .helpers import FAST


@pytest.fixture(autouse=True)
def _loopback(socket_enabled: None) -> None:
    """Every client test talks to simulated devices on 127.0.0.1."""


@pytest.fixture
def template() -> AxisSpeakerConfig:
    """The configuration each device of `network` starts from; override to change it."""
    return FAST


@pytest.fixture
async def network(template: AxisSpeakerConfig) -> AsyncIterator[AxisRelayNetwork]:
    """Three relay-capable speakers on one simulated LAN, not yet configured as a network."""
    async with AxisRelayNetwork(3, template=template) as devices:
        yield devices


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """The aiohttp session the client gets injected."""
    async with aiohttp.ClientSession() as http:
        yield http


@pytest.fixture
def connect(session: aiohttp.ClientSession) -> Callable[..., VapixClient]:
    """Make a client for a simulated device (the device's own credentials unless given)."""

    def make(device: AxisSpeaker, **options: object) -> VapixClient:
        options.setdefault("username", device.config.username)
        options.setdefault("password", device.config.password)
        return VapixClient(session, device.host, port=device.port, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture
async def leader_client(
    network: AxisRelayNetwork, connect: Callable[..., VapixClient]
) -> VapixClient:
    """A client for device 0, the leader in most tests."""
    return connect(network[0])
