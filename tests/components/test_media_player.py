"""The camera speaker, end to end inside Home Assistant: media in, audio at the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
import socket
import time
from typing import Any

from aiohttp import web
from homeassistant.components import tts
from homeassistant.components.media_player import (
    ATTR_MEDIA_ANNOUNCE,
    ATTR_MEDIA_VOLUME_LEVEL,
    DOMAIN as MEDIA_PLAYER_DOMAIN,
    MediaPlayerState,
)
from homeassistant.components.media_player.browse_media import async_process_play_media_url
from homeassistant.components.tts import (
    ResultStream,
    TextToSpeechEntity,
    TTSAudioRequest,
    TTSAudioResponse,
    TtsAudioType,
)
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_MEDIA_STOP,
    SERVICE_VOLUME_SET,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
import psutil
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_config_flow,
    mock_integration,
    mock_platform,
)

from custom_components.talkback import deadline, media
from custom_components.talkback.const import DOMAIN
from simulator.core import AudioEncoding, Fault, FaultKind, Recording
from simulator.hikvision import CameraConfig, ChannelConfig, HikvisionCamera

from .audio_fixtures import STREAMING_WAV_HEADER, WAV_HEADER_SIZE, tone_wav, write_tone
from .helpers import CAMERA, entry_data, heard, play, until

pytestmark = pytest.mark.usefixtures("socket_enabled")

SPEAKER = "media_player.front_door"
BYTES_PER_SECOND = 8000
FRAME = 160


async def wait_for_audio(camera: HikvisionCamera, index: int = 0, nbytes: int = 800) -> Recording:
    """Wait until a talk session has received some audio."""
    async with asyncio.timeout(10):
        while True:
            recordings = camera.recorder.recordings
            if len(recordings) > index and len(recordings[index].data) >= nbytes:
                return recordings[index]
            await asyncio.sleep(0.02)


@asynccontextmanager
async def back_door_camera(hass: HomeAssistant, **config: Any) -> AsyncIterator[HikvisionCamera]:
    """A second camera, the back door, set up as an entry of its own while the block runs."""
    mac = "00:11:22:33:44:55"
    async with HikvisionCamera(
        CameraConfig(mac=mac, device_name="Back door", password="pw", **config)
    ) as camera:
        entry = MockConfigEntry(domain=DOMAIN, unique_id=mac, data=entry_data(camera))
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        yield camera
        assert await hass.config_entries.async_unload(entry.entry_id)


async def start_long_play(
    hass: HomeAssistant, camera: HikvisionCamera, media_dir: Path
) -> tuple[asyncio.Task[None], Recording]:
    """Start a 10 s play in the background; return it once the camera hears audio."""
    write_tone(media_dir / "long.wav", 10)
    playing = hass.async_create_task(
        play(hass, SPEAKER, "media-source://media_source/local/long.wav")
    )
    return playing, await wait_for_audio(camera)


@pytest.mark.usefixtures("loaded_entry")
async def test_local_media_is_played_and_session_closed(
    hass: HomeAssistant, camera: HikvisionCamera, media_dir: Path
) -> None:
    """A local file is decoded to µ-law, streamed in real time, and the session closed."""
    write_tone(media_dir / "tone.wav", 0.6)
    await play(hass, SPEAKER, "media-source://media_source/local/tone.wav")

    [recording] = camera.recorder.recordings
    assert recording.closed_at is not None
    assert recording.session_id == CAMERA.session_id
    assert recording.encoding is AudioEncoding.MULAW
    assert abs(len(recording.data) - 0.6 * BYTES_PER_SECOND) <= 2 * FRAME
    assert heard(recording) > 4000
    assert hass.states.get(SPEAKER).state == MediaPlayerState.IDLE
    assert not camera.channels[1].session  # nothing left open on the device


@pytest.mark.parametrize(
    "camera_config",
    [
        CameraConfig(
            mac=CAMERA.mac,
            password=CAMERA.password,
            device_name="Front door",
            channels=(ChannelConfig(codec="G.711alaw"),),
        )
    ],
)
@pytest.mark.usefixtures("loaded_entry")
async def test_alaw_channel(hass: HomeAssistant, camera: HikvisionCamera, media_dir: Path) -> None:
    """A channel set to A-law gets A-law."""
    write_tone(media_dir / "tone.wav", 0.3)
    await play(hass, SPEAKER, "media-source://media_source/local/tone.wav")
    [recording] = camera.recorder.recordings
    assert recording.encoding is AudioEncoding.ALAW
    assert heard(recording) > 4000


async def test_codec_changed_elsewhere_is_honoured(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera, media_dir: Path
) -> None:
    """The channel is read again right before talking: a codec switched since is used."""
    camera.channels[1].codec = "G.711alaw"
    write_tone(media_dir / "tone.wav", 0.2)
    await play(hass, SPEAKER, "media-source://media_source/local/tone.wav")
    assert camera.recorder.recordings[0].encoding is AudioEncoding.ALAW


async def test_unsupported_codec_is_named(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera, media_dir: Path
) -> None:
    """A channel set to a codec Talkback cannot send fails with a message naming it."""
    camera.channels[1].codec = "G.726"
    write_tone(media_dir / "tone.wav", 0.2)
    with pytest.raises(HomeAssistantError) as err:
        await play(hass, SPEAKER, "media-source://media_source/local/tone.wav")
    assert err.value.translation_key == "unsupported_codec"
    assert err.value.translation_placeholders == {"codec": "G.726"}
    assert camera.recorder.recordings == []


async def test_busy_channel(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera, media_dir: Path
) -> None:
    """A channel held by another client fails clearly and quickly; availability is kept."""
    camera.hold()
    write_tone(media_dir / "tone.wav", 0.2)
    with pytest.raises(HomeAssistantError) as err:
        await play(hass, SPEAKER, "media-source://media_source/local/tone.wav")
    assert err.value.translation_key == "channel_busy"
    assert hass.states.get(SPEAKER).state == MediaPlayerState.IDLE

    camera.hold(held=False)
    await play(hass, SPEAKER, "media-source://media_source/local/tone.wav")
    assert len(camera.recorder.recordings) == 1


async def test_unreadable_media(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera, media_dir: Path
) -> None:
    """Media ffmpeg cannot read fails with ffmpeg's reason; no session stays open."""
    (media_dir / "broken.mp3").write_bytes(b"this is not audio" * 100)
    with pytest.raises(HomeAssistantError) as err:
        await play(hass, SPEAKER, "media-source://media_source/local/broken.mp3")
    assert err.value.translation_key == "media_unreadable"
    assert all(recording.closed_at is not None for recording in camera.recorder.recordings)
    assert not camera.channels[1].session


@pytest.mark.usefixtures("loaded_entry")
async def test_unsupported_media_id(hass: HomeAssistant) -> None:
    """Something that is neither a media source nor an http(s) URL is refused."""
    with pytest.raises(ServiceValidationError) as err:
        await play(hass, SPEAKER, "ftp://example.invalid/a.mp3")
    assert err.value.translation_key == "unsupported_media"


@pytest.fixture
async def web_server(socket_enabled: None) -> AsyncGenerator[tuple[str, web.Application]]:
    """A plain HTTP server on 127.0.0.1 serving a tone."""
    app = web.Application()
    app.router.add_get(
        "/tone.wav", lambda _: web.Response(body=tone_wav(0.3), content_type="audio/wav")
    )
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}", app
    await runner.cleanup()


@pytest.mark.usefixtures("loaded_entry")
async def test_http_url(
    hass: HomeAssistant, camera: HikvisionCamera, web_server: tuple[str, web.Application]
) -> None:
    """ffmpeg fetches an http URL itself."""
    await play(hass, SPEAKER, f"{web_server[0]}/tone.wav")
    [recording] = camera.recorder.recordings
    assert heard(recording) > 4000


class ToneSpeech(TextToSpeechEntity):
    """A TTS engine that 'speaks' a tone, so the test knows exactly what to expect."""

    _attr_name = "Tone speech"
    _attr_default_language = "en"
    _attr_unique_id = "tone_speech"

    def __init__(self) -> None:
        """English only."""
        self._attr_supported_languages = ["en"]

    def get_tts_audio(self, message: str, language: str, options: dict[str, Any]) -> TtsAudioType:
        """Return a tone as long as the message is words (0.1 s each)."""
        return "wav", tone_wav(0.1 * len(message.split()))


class StreamingToneSpeech(ToneSpeech):
    """ToneSpeech that takes its message as a stream and speaks each part as it arrives."""

    _attr_name = "Streaming tone speech"
    _attr_unique_id = "streaming_tone_speech"

    async def async_stream_tts_audio(self, request: TTSAudioRequest) -> TTSAudioResponse:
        """A WAV of unknown length: the header first, then a tone for every part's words."""

        async def audio() -> AsyncGenerator[bytes]:
            yield STREAMING_WAV_HEADER
            async for part in request.message_gen:
                yield tone_wav(0.1 * len(part.split()))[WAV_HEADER_SIZE:]

        return TTSAudioResponse("wav", audio())


class ToneSpeechFlow(ConfigFlow):
    """The engine's (unused) config flow: Home Assistant wants one for config entries."""


@pytest.fixture
async def tone_speech(hass: HomeAssistant) -> AsyncGenerator[str]:
    """Set up the tone TTS engine; yield its entity id."""

    async def setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, [Platform.TTS])
        return True

    async def setup_platform(
        hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
    ) -> None:
        async_add_entities([ToneSpeech(), StreamingToneSpeech()])

    mock_integration(hass, MockModule("tone_speech", async_setup_entry=setup_entry))
    mock_platform(hass, "tone_speech.tts", MockPlatform(async_setup_entry=setup_platform))
    mock_platform(hass, "tone_speech.config_flow")
    entry = MockConfigEntry(domain="tone_speech")
    entry.add_to_hass(hass)
    with mock_config_flow("tone_speech", ToneSpeechFlow):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        yield "tts.tone_speech"


def assert_speech_heard(
    camera: HikvisionCamera, ffmpeg_runs: list[tuple[str, ...]], words: int
) -> None:
    """The camera heard one play of ToneSpeech's `words` words, read inside Home Assistant."""
    [recording] = camera.recorder.recordings
    spoken = words * BYTES_PER_SECOND // 10  # 0.1 s a word
    # Home Assistant hands TTS audio over as MP3: the encoder adds up to ~0.1 s of padding.
    assert spoken - FRAME <= len(recording.data) <= spoken + 0.15 * BYTES_PER_SECOND
    assert heard(recording) > 4000
    [command] = [run for run in ffmpeg_runs if "mulaw" in run]  # Talkback's decode
    assert "pipe:0" in command  # the audio was piped in, not fetched over HTTP
    assert not any(arg.startswith("http") for arg in command)


@pytest.mark.usefixtures("loaded_entry")
async def test_tts_speak(
    hass: HomeAssistant,
    camera: HikvisionCamera,
    tone_speech: str,
    ffmpeg_runs: list[tuple[str, ...]],
) -> None:
    """tts.speak reaches the speaker; the audio is read inside Home Assistant."""
    await hass.services.async_call(
        "tts",
        "speak",
        {
            ATTR_ENTITY_ID: tone_speech,
            "media_player_entity_id": SPEAKER,
            "message": "someone is at the front door",
        },
        blocking=True,
    )
    assert_speech_heard(camera, ffmpeg_runs, words=6)


async def words(message: str) -> AsyncGenerator[str]:
    """A message as a language model streams it: a word at a time, with pauses."""
    for word in message.split():
        await asyncio.sleep(0.05)
        yield f"{word} "


@pytest.fixture
async def home_assistant_url(hass: HomeAssistant) -> str:
    """Home Assistant's own URL. Nothing listens there: whatever ffmpeg fetches from it fails."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    await hass.config.async_update(internal_url=url)
    return url


@pytest.mark.parametrize(
    "reference",
    [
        pytest.param(lambda stream, base: stream.media_source_id, id="media_source_id"),
        pytest.param(lambda stream, base: stream.url, id="relative_url"),
        pytest.param(lambda stream, base: base + stream.url, id="absolute_url"),
    ],
)
@pytest.mark.usefixtures("loaded_entry", "tone_speech")
async def test_streaming_tts_result(
    hass: HomeAssistant,
    camera: HikvisionCamera,
    home_assistant_url: str,
    ffmpeg_runs: list[tuple[str, ...]],
    reference: Callable[[ResultStream, str], str],
) -> None:
    """A TTS result whose message is still being written plays, read inside Home Assistant.

    An Assist pipeline creates such a stream and hands out its media-source id
    (`media-source://tts/-stream-/<token>`) and its URL (`/api/tts_proxy/<token>`); Home
    Assistant's own absolute form of that URL is what announcements resolve to.
    """
    stream = tts.async_create_stream(hass, "tts.streaming_tone_speech")
    assert stream.supports_streaming_input
    playing = hass.async_create_task(play(hass, SPEAKER, reference(stream, home_assistant_url)))
    stream.async_set_message_stream(words("someone is at the front door"))
    async with asyncio.timeout(10):
        await playing

    assert_speech_heard(camera, ffmpeg_runs, words=6)


async def slow_words(count: int, pause: float, last_word_at: list[float]) -> AsyncGenerator[str]:
    """A reply a language model writes slowly: `count` words, `pause` seconds apart."""
    for _ in range(count):
        await asyncio.sleep(pause)
        yield "word "
    last_word_at.append(time.monotonic())


@pytest.mark.usefixtures("loaded_entry", "tone_speech")
async def test_streaming_tts_plays_while_spoken(
    hass: HomeAssistant, camera: HikvisionCamera
) -> None:
    """A reply streamed into a streaming engine is heard before the engine has finished it.

    The reply's 40 words come over two seconds, each spoken as 0.1 s of 16 kHz audio. Home
    Assistant's own conversion to MP3 holds the first 64 KiB of a WAV (2 s here) before it
    hands out anything, so the audio can start after about a second: well before the last
    word is written. The whole reply is heard in the end.
    """
    stream = tts.async_create_stream(hass, "tts.streaming_tone_speech")
    last_word_at: list[float] = []
    stream.async_set_message_stream(slow_words(40, 0.05, last_word_at))
    started = time.monotonic()
    await play(hass, SPEAKER, stream.media_source_id)

    [recording] = camera.recorder.recordings
    first_audio_at = recording.arrivals[0][0]
    assert first_audio_at < last_word_at[0] - 0.4, (
        f"first audio {first_audio_at - started:.2f} s after the play,"
        f" last word {last_word_at[0] - started:.2f} s"
    )
    assert heard(recording) > 4000
    assert len(recording.data) >= 4 * BYTES_PER_SECOND - FRAME  # 40 words, 0.1 s each


def ffmpeg_processes() -> list[psutil.Process]:
    """The ffmpeg processes this test process started that still exist (zombies included)."""
    return [
        child for child in psutil.Process().children(recursive=True) if "ffmpeg" in child.name()
    ]


@pytest.mark.usefixtures("loaded_entry", "tone_speech")
async def test_streaming_tts_to_speakers_of_both_laws(
    hass: HomeAssistant, camera: HikvisionCamera, ffmpeg_runs: list[tuple[str, ...]]
) -> None:
    """Speakers that need different laws each read the still growing reply from its start."""
    async with back_door_camera(hass, channels=(ChannelConfig(codec="G.711alaw"),)) as back_door:
        stream = tts.async_create_stream(hass, "tts.streaming_tone_speech")
        stream.async_set_message_stream(slow_words(30, 0.05, []))
        await play(hass, [SPEAKER, "media_player.back_door"], stream.media_source_id)

        decodes = [run for run in ffmpeg_runs if "mulaw" in run or "alaw" in run]
        assert len(decodes) == 2  # one per law, each piped the reply
        assert all("pipe:0" in run for run in decodes)
        for device, encoding in ((camera, AudioEncoding.MULAW), (back_door, AudioEncoding.ALAW)):
            [recording] = device.recorder.recordings
            assert recording.encoding is encoding
            assert len(recording.data) >= 3 * BYTES_PER_SECOND - FRAME  # 30 words, 0.1 s each
            assert heard(recording) > 4000


@pytest.mark.parametrize("close_hangs", [False, True], ids=["close", "close-hangs"])
@pytest.mark.usefixtures("loaded_entry", "tone_speech")
async def test_streaming_tts_engine_failing_mid_reply(
    hass: HomeAssistant,
    camera: HikvisionCamera,
    monkeypatch: pytest.MonkeyPatch,
    close_hangs: bool,
) -> None:
    """An engine that breaks down while the reply plays fails the play like unreadable media,
    also when the close after it outlasts the play's end bound."""

    async def breaking_words() -> AsyncGenerator[str]:
        async for word in slow_words(30, 0.02, []):
            yield word
        await asyncio.sleep(0.5)  # the first words are heard meanwhile
        raise RuntimeError("the language model went away")

    stream = tts.async_create_stream(hass, "tts.streaming_tone_speech")
    stream.async_set_message_stream(breaking_words())
    playing = hass.async_create_task(play(hass, SPEAKER, stream.media_source_id))
    if close_hangs:
        # The close after the failure hangs past the end bound: the failure still reports.
        monkeypatch.setattr(deadline, "PLAY_END_TIMEOUT", 0.3)
        await until(lambda: camera.channels[1].session is not None)
        camera.faults.add(Fault(FaultKind.DELAY, path="*/close", seconds=1.5, count=1))
    with pytest.raises(HomeAssistantError) as err:
        await playing

    assert err.value.translation_key == "media_unreadable"
    assert "the language model went away" in str(err.value.translation_placeholders)
    await until(lambda: not camera.channels[1].session)
    [recording] = camera.recorder.recordings
    assert recording.data  # it broke off mid-reply
    assert recording.closed_at is not None
    assert not ffmpeg_processes()


@pytest.mark.usefixtures("loaded_entry", "tone_speech")
async def test_speech_engine_that_never_speaks(
    hass: HomeAssistant, camera: HikvisionCamera, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reply whose words never come: the play fails after the first-audio bound, the
    token stays out of the message, and no device session was opened for it."""
    monkeypatch.setattr(media, "TTS_FIRST_AUDIO_TIMEOUT", 0.3)
    silence = asyncio.Event()

    async def no_words() -> AsyncGenerator[str]:
        await silence.wait()
        yield "never"

    stream = tts.async_create_stream(hass, "tts.streaming_tone_speech")
    stream.async_set_message_stream(no_words())
    with pytest.raises(HomeAssistantError) as err:
        await play(hass, SPEAKER, stream.media_source_id)
    assert err.value.translation_key == "media_unreadable"
    assert "no audio within 0.3 s" in str(err.value)
    assert stream.token not in str(err.value)
    assert camera.recorder.recordings == []
    silence.set()  # the words come after all: the result, as the speakers get it
    resolved = await media.async_resolve_media(hass, stream.url, SPEAKER)
    assert stream.token not in repr(resolved)


@pytest.mark.usefixtures("loaded_entry", "tone_speech")
async def test_stop_mid_streaming_tts(hass: HomeAssistant, camera: HikvisionCamera) -> None:
    """STOP while the engine still speaks ends the play at once and leaves no ffmpeg behind."""
    reply_done = asyncio.Event()

    async def endless_words() -> AsyncGenerator[str]:
        async for word in slow_words(30, 0.02, []):
            yield word
        await reply_done.wait()  # the language model is still thinking

    stream = tts.async_create_stream(hass, "tts.streaming_tone_speech")
    stream.async_set_message_stream(endless_words())
    playing = hass.async_create_task(play(hass, SPEAKER, stream.media_source_id))
    recording = await wait_for_audio(camera)

    await hass.services.async_call(
        MEDIA_PLAYER_DOMAIN, SERVICE_MEDIA_STOP, {ATTR_ENTITY_ID: SPEAKER}, blocking=True
    )
    async with asyncio.timeout(5):
        await playing
    assert recording.closed_at is not None
    assert not camera.channels[1].session
    # Home Assistant's own conversion of the reply still runs; Talkback's decode is gone.
    assert not [process for process in ffmpeg_processes() if "mulaw" in process.cmdline()]
    reply_done.set()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not ffmpeg_processes()


@pytest.mark.usefixtures("loaded_entry")
async def test_announcement_tts_url(
    hass: HomeAssistant,
    camera: HikvisionCamera,
    tone_speech: str,
    home_assistant_url: str,
    ffmpeg_runs: list[tuple[str, ...]],
) -> None:
    """The URL an announcement resolves its message to plays, without an HTTP round trip.

    assist_satellite.announce makes a result stream of the message and resolves its URL to
    Home Assistant's absolute one, as here.
    """
    stream = tts.async_create_stream(hass, tone_speech)
    stream.async_set_message("dinner is ready")
    await play(hass, SPEAKER, async_process_play_media_url(hass, stream.url))

    assert_speech_heard(camera, ffmpeg_runs, words=3)


@pytest.mark.usefixtures("loaded_entry", "tone_speech", "home_assistant_url")
async def test_expired_tts_url(hass: HomeAssistant, camera: HikvisionCamera) -> None:
    """A TTS URL whose result Home Assistant no longer holds fails with Talkback's reason."""
    with pytest.raises(HomeAssistantError) as err:
        await play(hass, SPEAKER, "/api/tts_proxy/gone.mp3")
    assert err.value.translation_key == "media_unreadable"
    assert camera.recorder.recordings == []


async def test_volume_set(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera
) -> None:
    """volume_level 0..1 maps linearly onto the channel's speaker volume range."""
    assert hass.states.get(SPEAKER).attributes[ATTR_MEDIA_VOLUME_LEVEL] == 0.5
    await hass.services.async_call(
        MEDIA_PLAYER_DOMAIN,
        SERVICE_VOLUME_SET,
        {ATTR_ENTITY_ID: SPEAKER, ATTR_MEDIA_VOLUME_LEVEL: 0.3},
        blocking=True,
    )
    assert camera.channels[1].speaker_volume == 30
    assert hass.states.get(SPEAKER).attributes[ATTR_MEDIA_VOLUME_LEVEL] == 0.3


async def test_stop_ends_playback(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera, media_dir: Path
) -> None:
    """STOP ends a long play at once; the blocked play_media call returns without error."""
    playing, recording = await start_long_play(hass, camera, media_dir)
    assert hass.states.get(SPEAKER).state == MediaPlayerState.PLAYING

    await hass.services.async_call(
        MEDIA_PLAYER_DOMAIN, SERVICE_MEDIA_STOP, {ATTR_ENTITY_ID: SPEAKER}, blocking=True
    )
    async with asyncio.timeout(5):
        await playing
    assert recording.closed_at is not None
    assert len(recording.data) < 2 * BYTES_PER_SECOND
    assert hass.states.get(SPEAKER).state == MediaPlayerState.IDLE


async def test_announce_interrupts_plain_play_and_queues(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera, media_dir: Path
) -> None:
    """An announcement cuts a plain play (not resumed); a second one waits for the first."""
    write_tone(media_dir / "short.wav", 0.4)
    music, _ = await start_long_play(hass, camera, media_dir)

    first = hass.async_create_task(
        play(
            hass,
            SPEAKER,
            "media-source://media_source/local/short.wav",
            **{ATTR_MEDIA_ANNOUNCE: True},
        )
    )
    second = hass.async_create_task(
        play(
            hass,
            SPEAKER,
            "media-source://media_source/local/short.wav",
            **{ATTR_MEDIA_ANNOUNCE: True},
        )
    )
    async with asyncio.timeout(10):
        await asyncio.gather(music, first, second)

    plain, *announcements = camera.recorder.recordings
    assert len(plain.data) < 2 * BYTES_PER_SECOND
    assert len(announcements) == 2
    for announcement in announcements:
        assert abs(len(announcement.data) - 0.4 * BYTES_PER_SECOND) <= 2 * FRAME
    # Queued, not overlapping: the second opened after the first closed.
    assert announcements[1].opened_at >= announcements[0].closed_at


async def test_unload_mid_stream_closes_session(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera, media_dir: Path
) -> None:
    """Unloading the entry while it talks closes the device session; nothing lingers."""
    playing, recording = await start_long_play(hass, camera, media_dir)

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    async with asyncio.timeout(5):
        await playing
    assert recording.closed_at is not None
    assert not camera.channels[1].session
    assert hass.states.get(SPEAKER).state == STATE_UNAVAILABLE


async def test_one_decode_for_many_speakers(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    camera: HikvisionCamera,
    media_dir: Path,
    ffmpeg_runs: list[tuple[str, ...]],
) -> None:
    """One action to several speakers decodes once: exactly one ffmpeg, every device hears it."""
    write_tone(media_dir / "tone.wav", 0.5)
    async with back_door_camera(hass) as back_door:
        await play(
            hass, [SPEAKER, "media_player.back_door"], "media-source://media_source/local/tone.wav"
        )

        assert len(ffmpeg_runs) == 1
        for device in (camera, back_door):
            [recording] = device.recorder.recordings
            assert abs(len(recording.data) - 0.5 * BYTES_PER_SECOND) <= 2 * FRAME
            assert heard(recording) > 4000


async def test_home_assistant_stopping_mid_stream_closes_session(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera, media_dir: Path
) -> None:
    """Stopping Home Assistant while a speaker talks closes the device session first.

    The talk session's close goes out on the shared HTTP session: had Home Assistant closed
    that session before cancelling playback, the camera would be left with an open channel.
    """
    playing, recording = await start_long_play(hass, camera, media_dir)

    await hass.async_stop()
    async with asyncio.timeout(5):
        await asyncio.wait([playing])
    assert recording.closed_at is not None
    assert not camera.channels[1].session  # the close request reached the device
    close_requests = [r for r in camera.requests if r.target.endswith("/close") and r.status == 200]
    assert close_requests


async def test_enqueue_is_accepted_and_replaces(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera, media_dir: Path
) -> None:
    """A speaker has no queue: `enqueue` (any value) is accepted and the new media replaces."""
    write_tone(media_dir / "short.wav", 0.3)
    first, _ = await start_long_play(hass, camera, media_dir)
    await play(hass, SPEAKER, "media-source://media_source/local/short.wav", enqueue="add")
    async with asyncio.timeout(5):
        await first  # the replaced play returns without an error

    replaced, played = camera.recorder.recordings
    assert len(replaced.data) < 2 * BYTES_PER_SECOND
    assert abs(len(played.data) - 0.3 * BYTES_PER_SECOND) <= 2 * FRAME
