"""The eSpeak NG text-to-speech entity."""

from __future__ import annotations

from typing import Any

from homeassistant.components.tts import TextToSpeechEntity, TtsAudioType
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import OfflineSpeechConfigEntry
from .synth import EspeakSynthesizer

LANGUAGES = ["en", "de", "es", "fr", "it", "nl"]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OfflineSpeechConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the engine."""
    async_add_entities([EspeakEntity(entry, entry.runtime_data.synthesizer)])


class EspeakEntity(TextToSpeechEntity):
    """Speaks with eSpeak NG, offline."""

    _attr_name = "eSpeak NG"
    _attr_supported_languages = LANGUAGES
    _attr_default_language = "en"

    def __init__(self, entry: OfflineSpeechConfigEntry, synthesizer: EspeakSynthesizer) -> None:
        """Initialise the entity."""
        self._attr_unique_id = entry.entry_id
        self._synthesizer = synthesizer

    def get_tts_audio(self, message: str, language: str, options: dict[str, Any]) -> TtsAudioType:
        """Synthesise in an executor thread (Home Assistant calls this one there)."""
        return "wav", self._synthesizer.synthesize(message, voice=language)
