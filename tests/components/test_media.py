"""Resolving what play_media receives into ffmpeg input."""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
import pytest

from custom_components.talkback.coalescer import PlayableMedia
from custom_components.talkback.media import async_resolve_media

from .audio_fixtures import write_tone


async def test_local_media_is_read_from_its_file(hass: HomeAssistant, media_dir: Path) -> None:
    """Local media resolves to its path: ffmpeg reads the file, not Home Assistant's URL."""
    write_tone(media_dir / "chime.wav", 0.1)
    assert await async_setup_component(hass, "media_source", {})
    media = await async_resolve_media(
        hass, "media-source://media_source/local/chime.wav", "media_player.x"
    )
    assert media == PlayableMedia(str(media_dir / "chime.wav"), "chime.wav")


async def test_url_title(hass: HomeAssistant) -> None:
    """A plain URL plays as given; its file name is the title."""
    media = await async_resolve_media(
        hass, "https://example.com/sounds/bell.mp3?x=1", "media_player.x"
    )
    assert media == PlayableMedia("https://example.com/sounds/bell.mp3?x=1", "bell.mp3")


async def test_unknown_tts_engine(hass: HomeAssistant) -> None:
    """A TTS media id whose engine does not exist fails with a translated reason."""
    assert await async_setup_component(hass, "tts", {})
    with pytest.raises(HomeAssistantError):
        await async_resolve_media(
            hass, "media-source://tts/tts.nowhere?message=hello", "media_player.x"
        )


async def test_other_scheme_refused(hass: HomeAssistant) -> None:
    """Anything ffmpeg must not open (file paths, other protocols) is refused up front."""
    for media_id in ("/etc/passwd", "file:///etc/passwd", "rtsp://camera/stream"):
        with pytest.raises(ServiceValidationError) as err:
            await async_resolve_media(hass, media_id, "media_player.x")
        assert err.value.translation_key == "unsupported_media"


async def test_expired_tts_stream(hass: HomeAssistant) -> None:
    """A TTS stream that no longer exists fails with Talkback's translated reason."""
    assert await async_setup_component(hass, "tts", {})
    with pytest.raises(HomeAssistantError) as err:
        await async_resolve_media(hass, "media-source://tts/-stream-/gone", "media_player.x")
    assert err.value.translation_key == "media_unreadable"


async def test_tts_proxy_of_another_server_is_a_url(hass: HomeAssistant) -> None:
    """Only Home Assistant's own TTS proxy is read inside it; another server's is fetched."""
    await hass.config.async_update(internal_url="http://127.0.0.1:8123")
    media_id = "http://speaker-hub.example:8123/api/tts_proxy/abc.mp3"
    media = await async_resolve_media(hass, media_id, "media_player.x")
    assert media == PlayableMedia(media_id, "abc.mp3")
