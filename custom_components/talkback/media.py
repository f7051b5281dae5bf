"""Turn what `play_media` receives into something ffmpeg can read."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from urllib.parse import parse_qs, urlsplit

from homeassistant.components import media_source, tts
from homeassistant.components.media_player.browse_media import async_process_play_media_url
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.network import is_hass_url
import yarl

from .coalescer import PlayableMedia
from .const import DOMAIN
from .errors import media_unreadable

TTS_MEDIA_SOURCE_PREFIX = "media-source://tts/"
TTS_PROXY_PATH = "/api/tts_proxy/"
"""Where Home Assistant serves a TTS result stream, by its token (`<token>.<extension>`)."""
TTS_TITLE = "Text to speech"

TTS_FIRST_AUDIO_TIMEOUT = 60.0
"""Longest wait for a speech engine's first audio (a result whose engine never answers, or
a pipeline's reply whose pipeline stopped before speaking, would wait for ever)."""


async def async_resolve_media(hass: HomeAssistant, media_id: str, entity_id: str) -> PlayableMedia:
    """Resolve a media-source id or URL.

    Text to speech is read inside Home Assistant from its result stream, whichever way the
    id names it: a TTS media-source id (a message, or the `-stream-/<token>` of a pipeline
    or an announcement) or Home Assistant's own `/api/tts_proxy/<token>` URL, relative or
    absolute. Local media is read from its file; other sources and plain URLs go to ffmpeg
    as URLs.
    """
    title = TTS_TITLE
    url = media_id
    if from_source := media_source.is_media_source_id(media_id):
        item = await _resolve_media_source(hass, media_id, entity_id)
        if media_id.startswith(TTS_MEDIA_SOURCE_PREFIX):
            title = _tts_title(media_id)
        elif item.path is not None:
            return PlayableMedia(str(item.path), item.path.name)
        url = item.url

    if (token := _tts_proxy_token(hass, url)) is not None:
        return await _read_tts_stream(hass, token, title)

    if from_source:  # a path of Home Assistant's, signed if it needs it
        url = async_process_play_media_url(hass, url)
    if not url.startswith(("http://", "https://")):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unsupported_media",
            translation_placeholders={"media_id": media_id},
        )
    return PlayableMedia(url, url.rsplit("/", 1)[-1].split("?", 1)[0] or url)


async def _resolve_media_source(
    hass: HomeAssistant, media_id: str, entity_id: str
) -> media_source.PlayMedia:
    """What a media source says to play; its failure in Talkback's words unless it has its own."""
    try:
        return await media_source.async_resolve_media(hass, media_id, entity_id)
    except HomeAssistantError as err:
        if err.translation_key:
            raise  # already says what went wrong, in the user's language
        raise media_unreadable(err) from err


def _tts_proxy_token(hass: HomeAssistant, url: str) -> str | None:
    """The result stream token of a URL of Home Assistant's TTS proxy, else None."""
    parsed = yarl.URL(url)
    if parsed.is_absolute():
        if parsed.scheme not in ("http", "https") or not is_hass_url(hass, url):
            return None
    elif not url.startswith("/"):
        return None
    if not parsed.path.startswith(TTS_PROXY_PATH):
        return None
    return parsed.path.removeprefix(TTS_PROXY_PATH) or None


async def _read_tts_stream(hass: HomeAssistant, token: str, title: str) -> PlayableMedia:
    """A TTS result's audio, for the decoders to read as its engine produces it.

    Home Assistant keeps the audio in memory and gives every reader all of it from the start,
    also while the engine is still speaking (a pipeline's reply, streamed from a language
    model): each decode reads it once, at its own pace. The first audio is awaited here, so
    an engine that fails to start fails the play before any device session is opened, and
    no device is held open while the engine prepares its first words.
    """
    stream = tts.async_get_stream(hass, token)
    if stream is None:
        # The token is left out: anyone holding it can fetch the audio.
        raise media_unreadable(LookupError("the text to speech result has expired"))
    try:
        async with asyncio.timeout(TTS_FIRST_AUDIO_TIMEOUT):
            async with aclosing(stream.async_stream_result()) as audio:
                first = await anext(audio, None)
    except TimeoutError as err:
        raise media_unreadable(
            TimeoutError(
                f"the text to speech engine produced no audio within {TTS_FIRST_AUDIO_TIMEOUT:g} s"
            )
        ) from err
    except Exception as err:
        if isinstance(err, HomeAssistantError) and err.translation_key:
            raise  # already says what went wrong, in the user's language
        raise media_unreadable(err) from err
    if first is None:
        raise media_unreadable(ValueError("the text to speech engine produced no audio"))
    return PlayableMedia(stream.async_stream_result, title)


def _tts_title(media_id: str) -> str:
    """The spoken message, when the media id carries it."""
    message = parse_qs(urlsplit(media_id).query).get("message")
    return message[0] if message else TTS_TITLE
