"""What every Talkback speaker does with media, whatever protocol carries the audio.

What plays when is the output's rule (output.py): a new play replaces the current one, an
announcement interrupts a plain play and queues behind another, stop ends everything.
`play_media` returns once the audio has been played, so a blocking `tts.speak` sequences in
scripts. Stopping Home Assistant stops the output, which closes the device's audio session.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, aclosing
from typing import Any, Protocol

from homeassistant.components import media_source
from homeassistant.components.ffmpeg import get_ffmpeg_manager
from homeassistant.components.media_player import MediaPlayerEntity
from homeassistant.components.media_player.browse_media import BrowseMedia
from homeassistant.components.media_player.const import (
    ATTR_MEDIA_ANNOUNCE,
    MediaPlayerEntityFeature,
    MediaPlayerState,
    MediaType,
)
from homeassistant.core import HassJob, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .audio.codec import G711Codec
from .audio.exceptions import AudioError, AudioSourceError
from .coalescer import DATA_COALESCER, PlaybackMember, PlaybackSettings
from .const import CONF_LEAD, CONF_MAX_DURATION, DEFAULT_LEAD_MS, DEFAULT_MAX_DURATION_S, DOMAIN
from .deadline import PlayDeadline, play_deadline
from .entry import TalkbackConfigEntry
from .errors import DEVICE_ERRORS, device_error, media_unreadable
from .media import async_resolve_media
from .output import SpeakerOutput

SPEAKER_FEATURES = (
    MediaPlayerEntityFeature.PLAY_MEDIA
    | MediaPlayerEntityFeature.MEDIA_ANNOUNCE
    | MediaPlayerEntityFeature.STOP
    | MediaPlayerEntityFeature.BROWSE_MEDIA
)


class AudioSession(Protocol):
    """A device's audio session: takes paced G.711 frames until they end."""

    async def send(self, frames: AsyncIterable[bytes]) -> int:
        """Write the frames as they come; return the bytes sent."""
        ...


def playback_settings(
    hass: HomeAssistant, options: Mapping[str, Any], codec: G711Codec
) -> PlaybackSettings:
    """A speaker's settings from its config entry's options."""
    max_duration = options.get(CONF_MAX_DURATION, DEFAULT_MAX_DURATION_S)
    return PlaybackSettings(
        codec=codec,
        lead=options.get(CONF_LEAD, DEFAULT_LEAD_MS) / 1000,
        max_duration=float(max_duration) if max_duration else None,
        ffmpeg_binary=get_ffmpeg_manager(hass).binary,
    )


async def send_audio(
    member: PlaybackMember,
    settings: PlaybackSettings,
    session: AudioSession,
    deadline: PlayDeadline,
    started: Callable[[float | None], None] | None = None,
) -> None:
    """Stream the member's share of the media on an open session, paced; return once heard.

    `started` gets the media's duration once ffmpeg has opened it. The pacer holds the last
    frame back until the device has played out what it buffered, so closing the session
    right after does not cut the tail. The deadline follows the play's phases: resolving and
    opening the media (a speech engine's first words, ffmpeg's start) do not count against
    the device. Media that breaks off mid-play (a speech engine failing mid-reply) raises an
    AudioSourceError once what came before it has been heard.
    """
    deadline.decoding()
    async with member.audio(settings) as audio:
        await audio.started()
        deadline.starting()
        if started is not None:
            started(audio.duration)
        async with aclosing(deadline.watch(audio)) as frames:
            await session.send(frames)
        deadline.closing()  # the device confirmed the audio
        # Raised before ffmpeg is stopped and the session closed, so that a close cut off by
        # the deadline still reports it.
        if (failure := audio.failure) is not None:
            # Every speaker of the decode raises its own: one instance raised in several
            # tasks would have its traceback rewritten by each. The caller translates it.
            raise AudioSourceError(str(failure)) from failure
        if audio.error is not None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="speaker_fell_behind",
                translation_placeholders={"error": str(audio.error)},
            )


class TalkbackSpeaker(MediaPlayerEntity):
    """Play, announce and stop on a `SpeakerOutput`; subclasses say how to reach the device."""

    _attr_has_entity_name = True
    _attr_media_content_type = MediaType.MUSIC
    _attr_supported_features = SPEAKER_FEATURES
    _entry: TalkbackConfigEntry
    _output: SpeakerOutput

    def _init_speaker(self, entry: TalkbackConfigEntry, output: SpeakerOutput) -> None:
        """Call from the subclass's __init__: the entry whose options it uses, its output."""
        self._entry = entry
        self._output = output

    # What a subclass provides --------------------------------------------------------

    async def _playback_settings(self) -> PlaybackSettings:
        """Read the device's codec right before talking and return how to play."""
        raise NotImplementedError

    def _open_session(self) -> AbstractAsyncContextManager[AudioSession]:
        """The device's audio session (opened on enter, closed on exit in every outcome)."""
        raise NotImplementedError

    def _session_changed(self, is_open: bool) -> None:
        """The device's audio session opened or closed."""

    def _played_through(self, speakers: set[str]) -> bool:
        """Whether one of these speakers, playing the same media, already reaches this one.

        Called once every speaker of the action has joined; a relay follower whose leader
        plays the same media stays silent instead of hearing it twice.
        """
        return False

    # Media player ---------------------------------------------------------------------

    async def async_added_to_hass(self) -> None:
        """Follow the output; stop playing in Home Assistant's first shutdown stage.

        Cancelled background tasks may only run after the shared HTTP session is closed,
        which would leave the device's session open (and hissing); shutdown jobs are awaited
        before anything else stops.
        """
        await super().async_added_to_hass()
        self.async_on_remove(self._output.async_add_listener(self._output_changed))
        self.async_on_remove(
            self.hass.async_add_shutdown_job(
                HassJob(self.async_media_stop, cancel_on_shutdown=False)
            )
        )

    @callback
    def _output_changed(self) -> None:
        if not self._output.playing:
            self._attr_media_title = None
            self._attr_media_duration = None
            self._attr_media_position = None
        self.async_write_ha_state()

    @property
    def state(self) -> MediaPlayerState:
        """Playing while the output plays, idle otherwise."""
        return MediaPlayerState.PLAYING if self._output.playing else MediaPlayerState.IDLE

    async def async_browse_media(
        self,
        media_content_type: MediaType | str | None = None,
        media_content_id: str | None = None,
    ) -> BrowseMedia:
        """Browse media sources, audio only."""
        return await media_source.async_browse_media(
            self.hass,
            media_content_id,
            content_filter=lambda item: item.media_content_type.startswith("audio/"),
        )

    async def async_media_stop(self) -> None:
        """Stop now; announcements waiting for this speaker are dropped too."""
        await self._output.stop()

    async def async_play_media(
        self, media_type: MediaType | str, media_id: str, **kwargs: Any
    ) -> None:
        """Play media and return once it has been played (any `enqueue` value replaces)."""
        await self._output.play(
            lambda: self.hass.data[DATA_COALESCER].join(
                self._context.id if self._context else self.entity_id,
                media_id,
                lambda: async_resolve_media(self.hass, media_id, self.entity_id),
                self.entity_id,
            ),
            self._play,
            announcement=bool(kwargs.get(ATTR_MEDIA_ANNOUNCE)),
        )

    async def _play(self, member: PlaybackMember) -> None:
        """Resolve the media, read the codec, stream; errors reach the caller translated."""
        try:
            media = await member.media()
            if self._played_through(member.speakers):
                return
            async with play_deadline() as deadline:
                settings = await self._playback_settings()
                self._attr_media_title = media.title
                async with self._open_session() as session:
                    await send_audio(member, settings, session, deadline, self._now_playing)
        except DEVICE_ERRORS as err:
            raise device_error(err) from err
        except AudioError as err:
            raise media_unreadable(err) from err
        finally:
            member.leave()
            self._session_changed(False)

    def _now_playing(self, duration: float | None) -> None:
        self._attr_media_duration = None if duration is None else round(duration)
        self._attr_media_position = 0
        self._attr_media_position_updated_at = dt_util.utcnow()
        self._session_changed(True)
        self.async_write_ha_state()
