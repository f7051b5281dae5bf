"""Numbers: the speaker volume of each talk channel; output gain of relay peers (dB)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .axis import number as axis_number
from .entry import TalkbackConfigEntry
from .hikvision import number as hikvision_number
from .vendor import add_vendor_entities

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TalkbackConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the number entities of the entry's device."""
    add_vendor_entities(
        hass,
        entry,
        async_add_entities,
        hikvision=hikvision_number.add_entities,
        axis=axis_number.add_entities,
    )
