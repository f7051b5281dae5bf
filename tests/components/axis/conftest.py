"""Fixtures: a simulated Axis relay network on 127.0.0.1 and config entries for its devices."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.axis.coordinator import RelayCoordinator
from custom_components.talkback.const import CONF_VENDOR, DOMAIN, VENDOR_AXIS
from simulator.axis import AxisRelayNetwork, AxisSpeaker, AxisSpeakerConfig
from tests.components.conftest import entry_data

PASSWORD = "correct horse"
TEMPLATE = AxisSpeakerConfig(password=PASSWORD, link_delay=0.01, link_interval=0.02)
TITLE = "AXIS C1410 Network Mini Speaker"


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


def axis_entry_data(device: AxisSpeaker, **changes: Any) -> dict[str, Any]:
    """Config entry data (as the user step stores it) for a simulated device."""
    return entry_data(device, **{CONF_VENDOR: VENDOR_AXIS, **changes})


def axis_entry(device: AxisSpeaker, title: str) -> MockConfigEntry:
    """A config entry for a simulated device (not yet added)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=device.mac.lower(),
        data=axis_entry_data(device),
    )


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Add and set up an entry."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


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


def relay(entry: MockConfigEntry) -> RelayCoordinator:
    """The entry's relay coordinator."""
    coordinator = entry.runtime_data.relay
    assert coordinator is not None
    return coordinator


async def poll(hass: HomeAssistant, *entries: MockConfigEntry) -> None:
    """What the 15 s timer does (a frozen clock would expire the client's own timeouts)."""
    for entry in entries:
        await relay(entry).async_refresh()
    await hass.async_block_till_done()


async def poll_until(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    entity_id: str,
    state: str,
    platform: str | None = None,
) -> None:
    """Poll the leader until an entity shows a state (links are checked in the background).

    With `platform` set, wait for the peer status the entity would show instead (for
    tests that load one platform only); `entity_id` is then the peer id.
    """
    async with asyncio.timeout(10):
        while not _shows(hass, entry, entity_id, state, platform):
            await asyncio.sleep(0.05)
            await poll(hass, entry)


def _shows(
    hass: HomeAssistant, entry: MockConfigEntry, entity_id: str, state: str, platform: str | None
) -> bool:
    if platform is not None:
        status = relay(entry).data.statuses.get(entity_id)
        return status is not None and status.name.lower() == state
    current = hass.states.get(entity_id)
    return current is not None and current.state == state


@pytest.fixture
async def network(
    hass: HomeAssistant, leader_entry: MockConfigEntry, follower_entry: MockConfigEntry
) -> MockConfigEntry:
    """Hall leads a network with Kitchen, which is online; returns the leader's entry."""
    await hass.services.async_call(
        "media_player",
        "join",
        {"entity_id": "media_player.hall", "group_members": ["media_player.kitchen"]},
        blocking=True,
    )
    await poll_until(hass, leader_entry, "sensor.kitchen_connection_status", "online")
    return leader_entry
