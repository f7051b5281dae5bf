"""Turn what `play_media` receives into something ffmpeg can read."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from homeassistant.components import media_source, tts
from homeassistant.components.media_player.browse_media import async_process_play_media_url
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .coalescer import PlayableMedia
from .const import DOMAIN
from .errors import media_unreadable

TTS_MEDIA_SOURCE_PREFIX = "media-source://tts/"


async def async_resolve_media(hass: HomeAssistant, media_id: str, entity_id: str) -> PlayableMedia:
    """Resolve a media-source id or URL.

    TTS audio is read inside Home Assistant rather than fetched from its own HTTP server;
    local media is read from its file; other sources and plain URLs go to ffmpeg as URLs.
    """
    if media_id.startswith(TTS_MEDIA_SOURCE_PREFIX):
        try:
            _extension, audio = await tts.async_get_media_source_audio(hass, media_id)
        except Exception as err:
            if isinstance(err, HomeAssistantError) and err.translation_key:
                raise  # already says what went wrong, in the user's language
            raise media_unreadable(err) from err
        return PlayableMedia(audio, _tts_title(media_id))

    if media_source.is_media_source_id(media_id):
        item = await media_source.async_resolve_media(hass, media_id, entity_id)
        if item.path is not None:
            return PlayableMedia(str(item.path), item.path.name)
        media_id = async_process_play_media_url(hass, item.url)

    if not media_id.startswith(("http://", "https://")):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unsupported_media",
            translation_placeholders={"media_id": media_id},
        )
    return PlayableMedia(media_id, media_id.rsplit("/", 1)[-1].split("?", 1)[0] or media_id)


def _tts_title(media_id: str) -> str:
    """The spoken message, when the media id carries it."""
    message = parse_qs(urlsplit(media_id).query).get("message")
    return message[0] if message else "Text to speech"
