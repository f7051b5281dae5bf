"""Binary sensors: someone talking on a channel (Talkback or another app); a relay leader."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .axis import binary_sensor as axis_binary_sensor
from .entry import TalkbackConfigEntry
from .hikvision import binary_sensor as hikvision_binary_sensor
from .vendor import add_vendor_entities

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TalkbackConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary_sensor entities of the entry's device."""
    add_vendor_entities(
        hass,
        entry,
        async_add_entities,
        hikvision=hikvision_binary_sensor.add_entities,
        axis=axis_binary_sensor.add_entities,
    )
