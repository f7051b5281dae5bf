"""Voice satellites: the talk channels of devices with a microphone."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entry import TalkbackConfigEntry
from .hikvision import assist_satellite as hikvision_assist_satellite
from .vendor import add_vendor_entities

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TalkbackConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the voice satellites of the entry's device."""
    add_vendor_entities(
        hass, entry, async_add_entities, hikvision=hikvision_assist_satellite.add_entities
    )
