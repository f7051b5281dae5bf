"""Decode once for many speakers.

Home Assistant calls `play_media` once per targeted entity; the calls of one action share its
context. Speakers that play the same media for the same context join one `SharedPlayback`:
one ffmpeg per codec, fanned out. The playback's clock starts once every speaker takes audio
(its device session is open), or START_TIMEOUT after the first one does, so one slow device
cannot hold the others back: the one start barrier of the play path.

A speaker sees one `PlaybackMember`: the media, who else plays it, and `async with
member.audio(settings)`, its share of the decode for its codec.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Self

from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .audio.codec import G711Codec
from .audio.exceptions import AudioSinkDroppedError, AudioSourceError
from .audio.fanout import AudioFanOut, FanOutSink
from .audio.source import AudioChunks, AudioSource
from .const import DOMAIN

START_TIMEOUT = 2.0
"""Longest wait, after the first speaker takes audio, for the others before the clock starts."""
FFMPEG_STOP_TIMEOUT = 10.0
"""Longest wait for a stopped decode to kill and reap its ffmpeg."""


@dataclass(frozen=True, slots=True)
class PlayableMedia:
    """Input for the audio source: file path, http(s) URL, the audio bytes themselves, or
    their chunks as they come (read once by every decode)."""

    input: str | bytes | AudioChunks = field(repr=False)  # a TTS token can fetch the audio
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
        self.failure: AudioSourceError | None = None
        """Why the media broke off after its first audio (a speech engine failing mid-reply)."""

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
            try:
                await self.fanout.run()
            except AudioSourceError as err:
                # The speakers played what came before; each reports it once its sink ends.
                self.failure = err
        finally:
            for sink in self.fanout.sinks:
                sink.end()  # every speaker stops waiting, also when ffmpeg failed to start
            await self.source.aclose()


class SpeakerAudio:
    """One speaker's share of a decode: its paced frames, and what ffmpeg found out.

    Iterate it into the device's session: the first frame asked for counts the speaker as
    ready, which is what the playback's start barrier waits for.
    """

    def __init__(self, decode: SharedDecode, sink: FanOutSink, ready: Callable[[], None]) -> None:
        """Wrap a speaker's sink of `decode`; `ready` is called on the first frame asked for."""
        self._decode = decode
        self._sink = sink
        self._ready: Callable[[], None] | None = ready

    async def started(self) -> None:
        """Wait until ffmpeg has opened the media (its failure is raised here)."""
        await asyncio.shield(self._decode.opened)

    @property
    def duration(self) -> float | None:
        """The media's duration, when ffmpeg reported one."""
        return self._decode.source.duration

    @property
    def error(self) -> AudioSinkDroppedError | None:
        """Why the speaker was dropped from the fan-out (it fell behind), if it was."""
        return self._sink.error

    @property
    def failure(self) -> AudioSourceError | None:
        """Why the media broke off after its first audio, if it did."""
        return self._decode.failure

    def __aiter__(self) -> Self:
        """Iterate over the speaker's frames."""
        return self

    async def __anext__(self) -> bytes:
        """The next frame, released by the playback's clock."""
        if self._ready is not None:
            ready, self._ready = self._ready, None
            ready()
        return await anext(self._sink)


@dataclass
class SharedPlayback:
    """The speakers answering one action with one media, and what they share."""

    hass: HomeAssistant
    key: tuple[str, str]
    resolver: MediaResolver
    on_started: Callable[[SharedPlayback], None]
    speakers: set[str] = field(default_factory=set)
    """Every speaker that joined, by entity id."""
    awaited_members: int = 0
    """Members that have neither taken audio nor left: the clock waits for them."""
    ready_members: int = 0
    media: asyncio.Task[PlayableMedia] | None = None
    decodes: dict[G711Codec, SharedDecode] = field(default_factory=dict)
    started: bool = False
    start_timer: asyncio.TimerHandle | None = None

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

    def member_ready(self) -> None:
        """A member takes audio: its device session is open."""
        self.ready_members += 1
        self._stop_awaiting_member()
        if not self.started and self.start_timer is None:
            self.start_timer = self.hass.loop.call_later(START_TIMEOUT, self._start)

    def member_left(self) -> None:
        """A member will not take audio (it failed, was stopped, or plays through another)."""
        self._stop_awaiting_member()

    def _stop_awaiting_member(self) -> None:
        self.awaited_members -= 1
        if self.awaited_members <= 0:
            self._start()

    def _start(self) -> None:
        if self.started:
            return
        self.started = True
        if self.start_timer is not None:
            self.start_timer.cancel()
        self.on_started(self)
        for decode in self.decodes.values():
            if self.ready_members:
                self._release(decode)
            else:  # every speaker failed before it could play: stop ffmpeg
                decode.abandon()

    def _release(self, decode: SharedDecode) -> None:
        decode.task = self.hass.async_create_background_task(decode.run(), f"{DOMAIN} playback")


class PlaybackMember:
    """One speaker's place in a shared playback: it becomes ready, or leaves, once."""

    def __init__(self, playback: SharedPlayback, speaker: str) -> None:
        """Count the speaker (an entity id) in."""
        self._playback = playback
        self._speaker = speaker
        self._awaited = True
        playback.awaited_members += 1

    @property
    def speakers(self) -> set[str]:
        """Every speaker of the action playing this media, by entity id."""
        return self._playback.speakers

    async def media(self) -> PlayableMedia:
        """The media, resolved once for all speakers."""
        return await self._playback.resolve()

    @asynccontextmanager
    async def audio(self, settings: PlaybackSettings) -> AsyncIterator[SpeakerAudio]:
        """The speaker's share of the decode for its codec, started by the first that needs it.

        On exit the speaker leaves the fan-out (dropped and reported if it failed); the last
        one to leave a decode stops ffmpeg and waits until it is gone.
        """
        decode = self._playback.decode(settings, await self.media())
        sink = decode.fanout.add_sink(self._speaker)
        try:
            async with sink:
                yield SpeakerAudio(decode, sink, self._ready)
        finally:
            await decode.leave()

    def _ready(self) -> None:
        if self._awaited:
            self._awaited = False
            self._playback.member_ready()

    def leave(self) -> None:
        """The speaker will not be ready (failed or stopped); a no-op once it was."""
        if self._awaited:
            self._awaited = False
            self._playback.member_left()


class PlaybackCoalescer:
    """Groups the `play_media` calls that share an action context and a media id."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create the domain-wide coalescer."""
        self.hass = hass
        self._joinable: dict[tuple[str, str], SharedPlayback] = {}
        """Playbacks not started yet: a speaker of the same action and media joins them."""

    def join(
        self, context_id: str, media_id: str, resolver: MediaResolver, speaker: str
    ) -> PlaybackMember:
        """Join, or open, the playback of this action and media.

        Call it before the first await of `play_media`: Home Assistant starts the calls of
        one action together, so every one of them is counted before any can be ready.
        """
        key = (context_id, media_id)
        if (playback := self._joinable.get(key)) is None:
            playback = self._joinable[key] = SharedPlayback(self.hass, key, resolver, self._started)
        playback.speakers.add(speaker)
        return PlaybackMember(playback, speaker)

    def _started(self, playback: SharedPlayback) -> None:
        """A started playback takes no more speakers: a later call opens a new one."""
        if self._joinable.get(playback.key) is playback:
            del self._joinable[playback.key]


DATA_COALESCER: HassKey[PlaybackCoalescer] = HassKey(DOMAIN)
