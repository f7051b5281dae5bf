"""Switches: noise reduction on each talk channel; multicast of a relay network."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .axis import switch as axis_switch
from .entry import TalkbackConfigEntry
from .hikvision import switch as hikvision_switch
from .vendor import add_vendor_entities

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TalkbackConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switch entities of the entry's device."""
    add_vendor_entities(
        hass,
        entry,
        async_add_entities,
        hikvision=hikvision_switch.add_entities,
        axis=axis_switch.add_entities,
    )
