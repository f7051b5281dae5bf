"""Events: the doorbell of a door station."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entry import TalkbackConfigEntry
from .hikvision import event as hikvision_event
from .vendor import add_vendor_entities

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TalkbackConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entities of the entry's device."""
    add_vendor_entities(hass, entry, async_add_entities, hikvision=hikvision_event.add_entities)
