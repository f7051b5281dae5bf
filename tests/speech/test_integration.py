"""The offline_speech integration in Home Assistant: setup from YAML, STT and TTS entities."""

from __future__ import annotations

from collections.abc import AsyncIterator

from homeassistant.components import stt, tts
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest

from custom_components.talkback.audio.codec import G711Codec
from custom_components.talkback.audio.microphone import MicrophoneConverter
from devtools.speech.synth import EspeakSynthesizer

from .helpers import METADATA, camera_g711

pytestmark = pytest.mark.usefixtures("enable_custom_integrations", "offline_speech_integration")


async def chunks(data: bytes, size: int = 1280) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def through_camera(synthesizer: EspeakSynthesizer, text: str) -> bytes:
    codec = G711Codec.MULAW
    g711 = bytes([0xFF]) * 4000 + camera_g711(synthesizer, text, codec) + bytes([0xFF]) * 8000
    return MicrophoneConverter(codec).convert(g711)


async def test_yaml_sentences_stt_and_tts(
    hass: HomeAssistant, synthesizer: EspeakSynthesizer
) -> None:
    """YAML names the sentences; the STT entity hears them, TTS speaks; unload is clean."""
    config = {"offline_speech": {"sentences": ["ring the bell", "turn on the porch light"]}}
    assert await async_setup_component(hass, "offline_speech", config)
    await hass.async_block_till_done()
    [entry] = hass.config_entries.async_entries("offline_speech")
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data == {"sentences": ["ring the bell", "turn on the porch light"]}

    engine = stt.async_get_speech_to_text_entity(hass, "stt.known_phrases")
    assert engine is not None
    assert engine.check_metadata(METADATA)
    heard = await engine.internal_async_process_audio_stream(
        METADATA, chunks(through_camera(synthesizer, "turn on the porch light"))
    )
    assert heard == stt.SpeechResult("turn on the porch light", stt.SpeechResultState.SUCCESS)
    unknown = await engine.internal_async_process_audio_stream(
        METADATA, chunks(through_camera(synthesizer, "what time is it"))
    )
    assert unknown == stt.SpeechResult("", stt.SpeechResultState.SUCCESS)
    assert hass.states.get("stt.known_phrases") is not None

    assert tts.async_resolve_engine(hass, "tts.espeak_ng") == "tts.espeak_ng"

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED


async def test_default_sentences(hass: HomeAssistant, synthesizer: EspeakSynthesizer) -> None:
    """`offline_speech:` alone knows the demo's sentences."""
    assert await async_setup_component(hass, "offline_speech", {"offline_speech": None})
    await hass.async_block_till_done()
    engine = stt.async_get_speech_to_text_entity(hass, "stt.known_phrases")
    assert engine is not None
    heard = await engine.internal_async_process_audio_stream(
        METADATA, chunks(through_camera(synthesizer, "what time is it"))
    )
    assert heard.text == "what time is it"
