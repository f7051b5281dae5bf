"""Media players: the speaker of each talk channel, or of an Axis device."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .axis import media_player as axis_media_player
from .entry import TalkbackConfigEntry
from .hikvision import media_player as hikvision_media_player
from .vendor import add_vendor_entities

# Every play_media call of one action must run at once for them to share one decode.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TalkbackConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the media_player entities of the entry's device."""
    add_vendor_entities(
        hass,
        entry,
        async_add_entities,
        hikvision=hikvision_media_player.add_entities,
        axis=axis_media_player.add_entities,
    )
