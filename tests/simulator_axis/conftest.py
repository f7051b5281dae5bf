"""Fixtures for the Axis simulator tests: loopback sockets and a plain aiohttp client.

The tests talk to the simulator with aiohttp and hand-written requests, never through the
VAPIX client library, so that the simulator is checked against the document on its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from simulator.axis import AxisRelayNetwork

from .helpers import FAST


@pytest.fixture(autouse=True)
def _loopback(socket_enabled: None) -> None:
    """Every simulator test talks to 127.0.0.1."""


@pytest.fixture
async def network() -> AsyncIterator[AxisRelayNetwork]:
    """Three devices with Basic and Digest offered and fast follower checks."""
    async with AxisRelayNetwork(3, template=FAST) as devices:
        yield devices


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client; requests carry Basic credentials from `helpers.basic()`."""
    async with aiohttp.ClientSession() as session:
        yield session
