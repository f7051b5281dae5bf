"""The speaker of a Hikvision talk channel: TTS, announcements and any audio, over ISAPI talk."""

from __future__ import annotations

from homeassistant.components.media_player.const import (
    DOMAIN as MEDIA_PLAYER_DOMAIN,
    MediaPlayerEntityFeature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from ..coalescer import PlaybackSettings
from ..const import CONF_CHANNELS, LOGGER
from ..entry import TalkbackConfigEntry
from ..isapi.talk import TalkSession
from ..speaker import SPEAKER_FEATURES, TalkbackSpeaker, playback_settings
from ..vendor import VendorPlatform
from .data import HikvisionData
from .entity import ChannelEntity, add_channel_entities

SPEAKER_KEY = "speaker"


def add_entities(platform: VendorPlatform[HikvisionData]) -> None:
    """Add a speaker for every talk channel chosen in the options (all by default).

    A channel that appears later gets one too unless channels were chosen in the options.
    """
    entry, data = platform.entry, platform.data
    chosen = entry.options.get(CONF_CHANNELS)
    # Channels taken out of the options lose their speaker for good, not just until restart.
    registry = er.async_get(platform.hass)
    wanted = {
        ChannelSpeaker.speaker_unique_id(data, channel_id)
        for channel_id in data.coordinator.data
        if chosen is None or channel_id in chosen
    }
    for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
        if registered.domain == MEDIA_PLAYER_DOMAIN and registered.unique_id not in wanted:
            registry.async_remove(registered.entity_id)
    add_channel_entities(
        platform,
        lambda channel: (
            [ChannelSpeaker(entry, data, channel.id, platform.hass)]
            if chosen is None or channel.id in chosen
            else []
        ),
    )


class ChannelSpeaker(ChannelEntity, TalkbackSpeaker):
    """A Hikvision talk channel as a speaker (see TalkbackSpeaker for play semantics)."""

    _attr_name = None
    _attr_translation_key = "speaker"
    _attr_supported_features = SPEAKER_FEATURES | MediaPlayerEntityFeature.VOLUME_SET

    def __init__(
        self, entry: TalkbackConfigEntry, data: HikvisionData, channel_id: str, hass: HomeAssistant
    ) -> None:
        """Initialise the speaker of a channel."""
        super().__init__(entry, data, channel_id, SPEAKER_KEY)
        self._init_speaker(entry, data.output(hass, entry, channel_id))

    @staticmethod
    def speaker_unique_id(data: HikvisionData, channel_id: str) -> str:
        """The unique id of a channel's speaker."""
        return f"{data.device.serial_number}_{channel_id}_{SPEAKER_KEY}"

    @property
    def volume_level(self) -> float | None:
        """The channel's speaker volume on the 0..1 scale."""
        volume = self.channel.speaker_volume
        if volume is None:
            return None
        low, high = self.speaker_volume_range
        return min(1.0, max(0.0, (volume - low) / (high - low)))

    async def async_set_volume_level(self, volume: float) -> None:
        """Write the speaker volume, mapped linearly onto the device's range."""
        low, high = self.speaker_volume_range
        await self.coordinator.async_update_channel(
            self.channel, speaker_volume=round(low + volume * (high - low))
        )

    async def _playback_settings(self) -> PlaybackSettings:
        """Read the channel again right before talking: its codec may have changed."""
        codec = await self.coordinator.talk_codec(self.channel_id)
        return playback_settings(self.hass, self._entry.options, codec)

    def _open_session(self) -> TalkSession:
        return self.coordinator.client.talk(self.channel_id)

    def _session_changed(self, is_open: bool) -> None:
        """Tell the talk-session sensor, which also shows other apps' sessions."""
        self._set_talking(is_open)
        LOGGER.debug("%s talk session %s", self.entity_id, "open" if is_open else "closed")
