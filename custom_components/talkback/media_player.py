"""The camera speaker: plays TTS, announcements and any audio through an ISAPI talk session."""

from __future__ import annotations

from homeassistant.components.media_player.const import (
    DOMAIN as MEDIA_PLAYER_DOMAIN,
    MediaPlayerEntityFeature,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .audio.codec import G711Codec
from .axis_speaker import AxisSpeaker
from .coalescer import PlaybackSettings
from .const import CONF_CHANNELS, CONF_VENDOR, DOMAIN, LOGGER, VENDOR_AXIS
from .coordinator import CameraConfigEntry, ChannelCoordinator
from .entity import TalkbackChannelEntity
from .errors import device_errors_translated
from .isapi.talk import TalkSession
from .speaker import SPEAKER_FEATURES, TalkbackSpeaker, playback_settings

# Every play_media call of one action must run at once for them to share one decode.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the device's speaker(s)."""
    if entry.data.get(CONF_VENDOR) == VENDOR_AXIS:
        async_add_entities([AxisSpeaker(entry)])
    else:
        _add_camera_speakers(hass, entry, async_add_entities)


def _add_camera_speakers(
    hass: HomeAssistant,
    entry: CameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a speaker for every talk channel chosen in the options (all by default)."""
    coordinator = entry.runtime_data.coordinator
    chosen = entry.options.get(CONF_CHANNELS)
    speakers = [
        CameraSpeaker(coordinator, channel_id)
        for channel_id in coordinator.data
        if chosen is None or channel_id in chosen
    ]
    # Channels taken out of the options lose their speaker for good, not just until restart.
    registry = er.async_get(hass)
    wanted = {speaker.unique_id for speaker in speakers}
    for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
        if registered.domain == MEDIA_PLAYER_DOMAIN and registered.unique_id not in wanted:
            registry.async_remove(registered.entity_id)
    async_add_entities(speakers)


class CameraSpeaker(TalkbackChannelEntity, TalkbackSpeaker):
    """A Hikvision talk channel as a speaker (see TalkbackSpeaker for play semantics)."""

    _attr_name = None
    _attr_translation_key = "speaker"
    _attr_supported_features = SPEAKER_FEATURES | MediaPlayerEntityFeature.VOLUME_SET

    def __init__(self, coordinator: ChannelCoordinator, channel_id: str) -> None:
        """Initialise the speaker of a channel."""
        super().__init__(coordinator, channel_id, "speaker")
        self._init_speaker()

    @property
    def _entry(self) -> CameraConfigEntry:
        return self.coordinator.config_entry

    @property
    def volume_level(self) -> float | None:
        """The channel's speaker volume on the 0..1 scale."""
        volume = self.channel.speaker_volume
        if volume is None:
            return None
        low, high = self._volume_range()
        return min(1.0, max(0.0, (volume - low) / (high - low)))

    def _volume_range(self) -> tuple[int, int]:
        caps = self.capabilities
        if caps is not None and caps.speaker_volume_range is not None:
            low, high = caps.speaker_volume_range
            if high > low:
                return low, high
        return 0, 100

    async def async_set_volume_level(self, volume: float) -> None:
        """Write the speaker volume, mapped linearly onto the device's range."""
        low, high = self._volume_range()
        with device_errors_translated():
            await self.coordinator.client.update_two_way_audio_channel(
                self.channel, speaker_volume=round(low + volume * (high - low))
            )
        await self.coordinator.async_request_refresh()

    async def _playback_settings(self) -> PlaybackSettings:
        """Read the channel again right before talking: its codec may have changed."""
        channel = await self.coordinator.client.two_way_audio_channel(self.channel_id)
        codec = channel.g711_codec
        if codec is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="unsupported_codec",
                translation_placeholders={"codec": channel.audio_compression_type},
            )
        return playback_settings(self.hass, self._entry.options, G711Codec(codec))

    def _open_output(self) -> TalkSession:
        return self.coordinator.client.talk(self.channel_id)

    def _talking(self, talking: bool) -> None:
        """Tell the talk-session sensor, which also shows other apps' sessions."""
        talking_channels = self._entry.runtime_data.talking_channels
        if talking:
            talking_channels.add(self.channel_id)
        else:
            talking_channels.discard(self.channel_id)
        self.coordinator.async_update_listeners()
        LOGGER.debug("%s talk session %s", self.entity_id, "open" if talking else "closed")
