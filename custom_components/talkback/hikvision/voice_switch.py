"""Whether a voice satellite takes part in Home Assistant's broadcasts (off by default).

Home Assistant's broadcast intent ("broadcast that dinner is ready") announces on every
satellite that can announce. A camera or door station usually faces the street, so it
stays out unless the user switches broadcasts on; the choice survives restarts.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import STATE_ON, EntityCategory
from homeassistant.helpers.restore_state import RestoreEntity

from ..entry import TalkbackConfigEntry
from ..vendor import VendorPlatform
from .data import HikvisionData
from .entity import ChannelEntity, add_voice_entities
from .voice import VoiceSettings


def add_broadcast_switches(platform: VendorPlatform[HikvisionData]) -> None:
    """Add the broadcast switch of every voice satellite, as channels appear."""
    add_voice_entities(
        platform, lambda channel: [BroadcastSwitch(platform.entry, platform.data, channel.id)]
    )


class BroadcastSwitch(ChannelEntity, SwitchEntity, RestoreEntity):
    """On: the channel's satellite advertises announcements, so broadcasts reach it."""

    _attr_translation_key = "broadcasts"
    _attr_entity_category = EntityCategory.CONFIG

    def __init__(self, entry: TalkbackConfigEntry, data: HikvisionData, channel_id: str) -> None:
        """Initialise the switch of a channel's satellite."""
        super().__init__(entry, data, channel_id, "broadcasts")
        self._settings: VoiceSettings = data.voice_settings(channel_id)

    async def async_added_to_hass(self) -> None:
        """Take the choice made before the restart."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None:
            self._settings.set_broadcasts(last.state == STATE_ON)

    @property
    def is_on(self) -> bool:
        """Whether broadcasts reach the satellite."""
        return self._settings.broadcasts

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Take part in broadcasts."""
        self._settings.set_broadcasts(True)
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stay out of broadcasts."""
        self._settings.set_broadcasts(False)
        self.async_write_ha_state()
