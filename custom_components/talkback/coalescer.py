"""Decode once for many speakers.

Home Assistant calls `play_media` once per targeted entity; the calls of one action share its
context. Speakers that play the same media for the same context join one `SharedPlayback`:
one ffmpeg per codec, fanned out, released once every speaker has its talk session open (or
GATHER_TIMEOUT after the first one is, so one slow device cannot hold the others back).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .audio.codec import G711Codec
from .audio.fanout import AudioFanOut
from .audio.source import AudioSource
from .const import DOMAIN

GATHER_TIMEOUT = 2.0
"""Longest wait, after the first speaker is ready, for the others before audio starts."""
FFMPEG_STOP_TIMEOUT = 10.0
"""Longest wait for a stopped decode to kill and reap its ffmpeg."""


@dataclass(frozen=True, slots=True)
class PlayableMedia:
    """Input for the audio source: file path, http(s) URL, or the audio bytes themselves."""

    input: str | bytes
    title: str


type MediaResolver = Callable[[], Coroutine[Any, Any, PlayableMedia]]


@dataclass(frozen=True, slots=True)
class PlaybackSettings:
    """How one speaker wants its audio: the device's codec and its entry's options."""

    codec: G711Codec
    lead: float
    max_duration: float | None
    ffmpeg_binary: str


class SharedDecode:
    """One ffmpeg process and its fan-out, for every speaker of one codec.

    ffmpeg starts at once, while the speakers open their sessions; frames are released
    when the playback starts.
    """

    def __init__(
        self, hass: HomeAssistant, media: PlayableMedia, settings: PlaybackSettings
    ) -> None:
        """Start ffmpeg for `media` in the settings' codec."""
        self.source = AudioSource(
            media.input,
            settings.codec,
            ffmpeg_binary=settings.ffmpeg_binary,
            max_duration=settings.max_duration,
        )
        self.fanout = AudioFanOut(self._frames(), settings.codec, lead=settings.lead)
        self.opened = hass.async_create_background_task(self._open(), f"{DOMAIN} ffmpeg")
        self.task: asyncio.Task[None] | None = None

    async def _open(self) -> None:
        try:
            await self.source.start()
        except BaseException:
            await self.source.aclose()
            raise

    async def leave(self) -> None:
        """A speaker is done; the last one stops ffmpeg and waits until it is gone."""
        if any(sink.active for sink in self.fanout.sinks):
            return
        self.fanout.stop()
        if self.task is not None:
            await asyncio.wait([self.task], timeout=FFMPEG_STOP_TIMEOUT)

    def abandon(self) -> None:
        """No speaker will take the audio: stop ffmpeg, whatever its state."""
        self.opened.cancel()
        # Its failure, if it failed, was already reported to the speakers.
        self.opened.add_done_callback(lambda task: task.cancelled() or task.exception())

    async def _frames(self) -> AsyncIterator[bytes]:
        await self.opened
        async for frame in self.source.frames():
            yield frame

    async def run(self) -> None:
        """Release frames until the media ends or no speaker is left; then stop ffmpeg."""
        try:
            await self.opened
            await self.fanout.run()
        finally:
            for sink in self.fanout.sinks:
                sink.end()  # every speaker stops waiting, also when ffmpeg failed to start
            await self.source.aclose()


@dataclass
class SharedPlayback:
    """The speakers answering one action with one media, and what they share."""

    hass: HomeAssistant
    key: tuple[str, str]
    resolver: MediaResolver
    on_started: Callable[[SharedPlayback], None]
    waiting: int = 0
    media: asyncio.Task[PlayableMedia] | None = None
    decodes: dict[G711Codec, SharedDecode] = field(default_factory=dict)
    started: bool = False
    speakers: set[str] = field(default_factory=set)
    """Every speaker that joined, by entity id."""
    ready_speakers: int = 0
    gather_timer: asyncio.TimerHandle | None = None

    async def resolve(self) -> PlayableMedia:
        """The media, resolved once for all speakers."""
        if self.media is None:
            self.media = self.hass.async_create_task(self.resolver(), eager_start=False)
        return await asyncio.shield(self.media)

    def decode(self, settings: PlaybackSettings, media: PlayableMedia) -> SharedDecode:
        """The decode for a speaker's codec, started by the first speaker that needs it."""
        decode = self.decodes.get(settings.codec)
        if decode is None:
            decode = self.decodes[settings.codec] = SharedDecode(self.hass, media, settings)
            if self.started:
                self._release(decode)
        return decode

    def _member_ready(self) -> None:
        self.ready_speakers += 1
        self._member_gone()
        if not self.started and self.gather_timer is None:
            self.gather_timer = self.hass.loop.call_later(GATHER_TIMEOUT, self._start)

    def _member_gone(self) -> None:
        self.waiting -= 1
        if self.waiting <= 0:
            self._start()

    def _start(self) -> None:
        if self.started:
            return
        self.started = True
        if self.gather_timer is not None:
            self.gather_timer.cancel()
        self.on_started(self)
        for decode in self.decodes.values():
            if self.ready_speakers:
                self._release(decode)
            else:  # every speaker failed before it could play: stop ffmpeg
                decode.abandon()

    def _release(self, decode: SharedDecode) -> None:
        decode.task = self.hass.async_create_background_task(decode.run(), f"{DOMAIN} playback")


class PlaybackMember:
    """One speaker's place in a shared playback: it becomes ready, or leaves, once."""

    def __init__(self, playback: SharedPlayback) -> None:
        """Count the speaker in."""
        self.playback = playback
        self._counted = True
        playback.waiting += 1

    def ready(self) -> None:
        """The speaker has its talk session open."""
        if self._counted:
            self._counted = False
            self.playback._member_ready()  # noqa: SLF001  (the member is part of the playback)

    def leave(self) -> None:
        """The speaker will not be ready (failed or stopped); a no-op once it was."""
        if self._counted:
            self._counted = False
            self.playback._member_gone()  # noqa: SLF001


class PlaybackCoalescer:
    """Groups the `play_media` calls that share an action context and a media id."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create the domain-wide coalescer."""
        self.hass = hass
        self._gathering: dict[tuple[str, str], SharedPlayback] = {}

    def join(
        self, context_id: str, media_id: str, resolver: MediaResolver, speaker: str
    ) -> PlaybackMember:
        """Join, or open, the playback of this action and media.

        Call it before the first await of `play_media`: Home Assistant starts the calls of
        one action together, so every one of them is counted before any can be ready.
        """
        key = (context_id, media_id)
        if (playback := self._gathering.get(key)) is None:
            playback = self._gathering[key] = SharedPlayback(
                self.hass, key, resolver, self._started
            )
        playback.speakers.add(speaker)
        return PlaybackMember(playback)

    def _started(self, playback: SharedPlayback) -> None:
        """A started playback takes no more speakers: a later call opens a new one."""
        if self._gathering.get(playback.key) is playback:
            del self._gathering[playback.key]


DATA_COALESCER: HassKey[PlaybackCoalescer] = HassKey(DOMAIN)
