"""Selects: codec and audio input of talk channels."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entry import TalkbackConfigEntry
from .hikvision import select as hikvision_select
from .vendor import add_vendor_entities

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TalkbackConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the select entities of the entry's device."""
    add_vendor_entities(
        hass,
        entry,
        async_add_entities,
        hikvision=hikvision_select.add_entities,
    )
