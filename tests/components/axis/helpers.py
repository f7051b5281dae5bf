"""What the Axis tests share: the simulated speakers, entries, relay polling and grouping."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.components.media_player import ATTR_GROUP_MEMBERS, DOMAIN as MEDIA_PLAYER_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.axis.coordinator import RelayCoordinator
from custom_components.talkback.const import CONF_VENDOR, DOMAIN, VENDOR_AXIS
from simulator.axis import AxisSpeaker, AxisSpeakerConfig
from tests.components.helpers import entry_data

PASSWORD = "correct horse"
TEMPLATE = AxisSpeakerConfig(password=PASSWORD, link_delay=0.01, link_interval=0.02)
TITLE = "AXIS C1410 5A0000"
"""The first simulated device's default name: it has no owner's name (model, end of serial)."""

HALL = "media_player.hall"
KITCHEN = "media_player.kitchen"
KITCHEN_STATUS = "sensor.kitchen_connection_status"
PORCH = "media_player.porch"
PORCH_STATUS = "sensor.porch_connection_status"
KITCHEN_GAIN = "number.kitchen_output_gain"
KITCHEN_MUTE = "switch.kitchen_output_muted"
KITCHEN_LEADER = "binary_sensor.kitchen_relay_leader"
HALL_LEADER = "binary_sensor.hall_relay_leader"
MULTICAST = "switch.hall_multicast"
GROUP = "sensor.hall_multicast_group"
KITCHEN_SERIAL = "ACCC8E5A0001"
KITCHEN_STATUS_ID = "AudioPeer_01"


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


async def join(hass: HomeAssistant, leader: str, *members: str) -> None:
    """media_player.join, blocking."""
    await hass.services.async_call(
        MEDIA_PLAYER_DOMAIN,
        "join",
        {ATTR_ENTITY_ID: leader, ATTR_GROUP_MEMBERS: list(members)},
        blocking=True,
    )


async def unjoin(hass: HomeAssistant, entity_id: str) -> None:
    """media_player.unjoin, blocking."""
    await hass.services.async_call(
        MEDIA_PLAYER_DOMAIN, "unjoin", {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
