"""Fixtures: a simulated Axis relay network on 127.0.0.1 and config entries for its devices."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator.axis import AxisRelayNetwork, AxisSpeakerConfig
from tests.components.helpers import set_up

from .helpers import HALL, KITCHEN, KITCHEN_STATUS, TEMPLATE, axis_entry, join, poll_until


@pytest.fixture
def axis_template() -> AxisSpeakerConfig:
    """Every simulated device's configuration; override in a module for others."""
    return TEMPLATE


@pytest.fixture
async def axis_network(
    socket_enabled: None, axis_template: AxisSpeakerConfig
) -> AsyncGenerator[AxisRelayNetwork]:
    """Three simulated speakers on one LAN, not yet a relay network."""
    async with AxisRelayNetwork(3, template=axis_template) as network:
        yield network


@pytest.fixture
async def leader_entry(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, media_dir: Any
) -> MockConfigEntry:
    """The first device's entry, set up (no network yet)."""
    return await set_up(hass, axis_entry(axis_network[0], "Hall"))


@pytest.fixture
async def follower_entry(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, leader_entry: MockConfigEntry
) -> MockConfigEntry:
    """The second device's entry, set up (no network yet)."""
    return await set_up(hass, axis_entry(axis_network[1], "Kitchen"))


@pytest.fixture
async def network(
    hass: HomeAssistant, leader_entry: MockConfigEntry, follower_entry: MockConfigEntry
) -> MockConfigEntry:
    """Hall leads a network with Kitchen, which is online; returns the leader's entry."""
    await join(hass, HALL, KITCHEN)
    await poll_until(hass, leader_entry, KITCHEN_STATUS, "online")
    return leader_entry
