"""Sensors of a relay network: each peer's connection status and the multicast group."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .axis import sensor as axis_sensor
from .entry import TalkbackConfigEntry
from .vendor import add_vendor_entities

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TalkbackConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensor entities of the entry's device."""
    add_vendor_entities(
        hass,
        entry,
        async_add_entities,
        axis=axis_sensor.add_entities,
    )
