"""The camera speaker: plays TTS, announcements and any audio through an ISAPI talk session."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from homeassistant.components import media_source
from homeassistant.components.ffmpeg import get_ffmpeg_manager
from homeassistant.components.media_player import MediaPlayerEntity
from homeassistant.components.media_player.browse_media import BrowseMedia
from homeassistant.components.media_player.const import (
    ATTR_MEDIA_ANNOUNCE,
    DOMAIN as MEDIA_PLAYER_DOMAIN,
    MediaPlayerEntityFeature,
    MediaPlayerState,
    MediaType,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .audio.codec import G711Codec
from .audio.exceptions import AudioError
from .coalescer import DATA_COALESCER, PlaybackMember, PlaybackSettings, SharedDecode
from .const import (
    CONF_CHANNELS,
    CONF_LEAD,
    CONF_MAX_DURATION,
    DEFAULT_LEAD_MS,
    DEFAULT_MAX_DURATION_S,
    DOMAIN,
    LOGGER,
)
from .coordinator import ChannelCoordinator, TalkbackConfigEntry
from .entity import TalkbackChannelEntity
from .errors import device_error, device_errors_translated
from .isapi.exceptions import IsapiError
from .media import async_resolve_media

# Every play_media call of one action must run at once for them to share one decode.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TalkbackConfigEntry,
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


class CameraSpeaker(TalkbackChannelEntity, MediaPlayerEntity):
    """A talk channel as a speaker.

    A new play replaces the current one; an announcement interrupts a plain play (which
    does not resume) and waits behind another announcement; stop ends everything at once.
    `play_media` returns once the audio has been played.
    """

    _attr_name = None
    _attr_translation_key = "speaker"
    _attr_media_content_type = MediaType.MUSIC
    _attr_supported_features = (
        MediaPlayerEntityFeature.PLAY_MEDIA
        | MediaPlayerEntityFeature.MEDIA_ANNOUNCE
        | MediaPlayerEntityFeature.STOP
        | MediaPlayerEntityFeature.VOLUME_SET
        | MediaPlayerEntityFeature.BROWSE_MEDIA
    )

    def __init__(self, coordinator: ChannelCoordinator, channel_id: str) -> None:
        """Initialise the speaker of a channel."""
        super().__init__(coordinator, channel_id, "speaker")
        self._playing: asyncio.Task[None] | None = None
        self._playing_announcement = False
        self._announcements = asyncio.Lock()
        self._stops = 0

    @property
    def state(self) -> MediaPlayerState:
        """Playing while a play task runs, idle otherwise."""
        if self._playing is not None and not self._playing.done():
            return MediaPlayerState.PLAYING
        return MediaPlayerState.IDLE

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
        with device_errors_translated():
            low, high = self._volume_range()
            await self.coordinator.client.update_two_way_audio_channel(
                self.channel, speaker_volume=round(low + volume * (high - low))
            )
            await self.coordinator.async_request_refresh()

    async def async_browse_media(
        self, media_content_type: MediaType | str | None = None, media_content_id: str | None = None
    ) -> BrowseMedia:
        """Browse media sources, audio only."""
        return await media_source.async_browse_media(
            self.hass,
            media_content_id,
            content_filter=lambda item: item.media_content_type.startswith("audio/"),
        )

    async def async_media_stop(self) -> None:
        """Stop now; announcements waiting for this speaker are dropped too."""
        self._stops += 1
        await self._cancel_playing()

    async def async_play_media(
        self, media_type: MediaType | str, media_id: str, **kwargs: Any
    ) -> None:
        """Play media and return once it has been played (any `enqueue` value replaces)."""
        stops = self._stops
        if kwargs.get(ATTR_MEDIA_ANNOUNCE):
            # Free, the lock is taken without a pause: see PlaybackCoalescer.join.
            async with self._announcements:
                if stops == self._stops:
                    await self._play_until_done(media_id, announcement=True)
            return
        if self._playing_announcement:
            async with self._announcements:  # a plain play does not cut an announcement
                pass
        if stops == self._stops:
            await self._play_until_done(media_id, announcement=False)

    async def _play_until_done(self, media_id: str, *, announcement: bool) -> None:
        """Replace what plays with this media and wait until it has been played."""
        member = self.hass.data[DATA_COALESCER].join(
            self._context.id if self._context else self.entity_id,
            media_id,
            lambda: async_resolve_media(self.hass, media_id, self.entity_id),
        )
        try:
            await self._cancel_playing()
            task = self.coordinator.config_entry.async_create_background_task(
                self.hass, self._play(member), f"{DOMAIN} play {self.entity_id}"
            )
            self._playing = task
            self._playing_announcement = announcement
            self.async_write_ha_state()
            await asyncio.wait([task])
        finally:
            member.leave()
        if self._playing is task:
            self._playing = None
            self._playing_announcement = False
            self._attr_media_title = None
            self._attr_media_duration = None
            self._attr_media_position = None
            self.async_write_ha_state()
        if not task.cancelled():  # cancelled: a stop or a newer play, nothing to report
            task.result()

    async def _cancel_playing(self) -> None:
        task = self._playing
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _play(self, member: PlaybackMember) -> None:
        """Resolve the media, read the channel, stream; errors reach the caller translated."""
        try:
            media = await member.playback.resolve()
            settings = await self._playback_settings()
            decode = member.playback.decode(settings, media)
            self._attr_media_title = media.title
            await self._stream(member, decode, settings.lead)
        except IsapiError as err:
            raise device_error(err) from err
        except AudioError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="media_unreadable",
                translation_placeholders={"error": str(err)},
            ) from err
        finally:
            member.leave()
            self._talking(False)

    async def _stream(self, member: PlaybackMember, decode: SharedDecode, lead: float) -> None:
        """Open the talk session, stream the shared decode into it, close it."""
        sink = decode.fanout.add_sink(self.entity_id)
        try:
            async with sink, self.coordinator.client.talk(self.channel_id) as talk:
                await asyncio.shield(decode.opened)
                self._now_playing(decode.source.duration)
                member.ready()
                await talk.send(sink)
                # The last frames went out `lead` ahead of playback: let them play out.
                await asyncio.sleep(lead)
        finally:
            await decode.leave()
        if sink.error is not None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="speaker_fell_behind",
                translation_placeholders={"error": str(sink.error)},
            )

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
        options = self.coordinator.config_entry.options
        max_duration = options.get(CONF_MAX_DURATION, DEFAULT_MAX_DURATION_S)
        return PlaybackSettings(
            codec=G711Codec(codec),
            lead=options.get(CONF_LEAD, DEFAULT_LEAD_MS) / 1000,
            max_duration=float(max_duration) if max_duration else None,
            ffmpeg_binary=get_ffmpeg_manager(self.hass).binary,
        )

    def _now_playing(self, duration: float | None) -> None:
        self._attr_media_duration = None if duration is None else round(duration)
        self._attr_media_position = 0
        self._attr_media_position_updated_at = dt_util.utcnow()
        self._talking(True)

    def _talking(self, talking: bool) -> None:
        """Tell the talk-session sensor, which also shows other apps' sessions."""
        talking_channels = self.coordinator.config_entry.runtime_data.talking_channels
        if talking:
            talking_channels.add(self.channel_id)
        else:
            talking_channels.discard(self.channel_id)
        self.coordinator.async_update_listeners()
        LOGGER.debug("%s talk session %s", self.entity_id, "open" if talking else "closed")
