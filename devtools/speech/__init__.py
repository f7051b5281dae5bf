"""Offline speech for Talkback's development instance and end-to-end tests.

A small Home Assistant integration (domain `offline_speech`) with two entity-based engines,
so a voice pipeline works without a network:

- TTS: eSpeak NG (`tts.py`);
- STT: a recogniser that knows only a few sentences (`stt.py`, `phrases.py`): it compares
  the audio with each sentence as eSpeak NG says it and answers that sentence, or nothing.

`scripts/develop` and the end-to-end tests link it into their configuration's
`custom_components`; it is not part of Talkback. YAML:

    offline_speech:
      sentences: ["turn on the porch light", ...]   # optional; DEMO_SENTENCES otherwise
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import SOURCE_IMPORT, ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .phrases import DEMO_SENTENCES, PhraseRecognizer
from .synth import EspeakSynthesizer

DOMAIN = "offline_speech"
CONF_SENTENCES = "sentences"
PLATFORMS = [Platform.STT, Platform.TTS]
CONFIG_SCHEMA = vol.Schema(
    {
        DOMAIN: vol.Any(
            None,
            vol.Schema({vol.Optional(CONF_SENTENCES): vol.All(cv.ensure_list, [cv.string])}),
        )
    },
    extra=vol.ALLOW_EXTRA,
)


@dataclass(slots=True)
class OfflineSpeech:
    """The engines, built once per entry (eSpeak NG keeps global state: one synthesizer)."""

    synthesizer: EspeakSynthesizer
    recognizer: PhraseRecognizer


type OfflineSpeechConfigEntry = ConfigEntry[OfflineSpeech]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """`offline_speech:` in YAML creates the config entry once (with its sentences)."""
    if DOMAIN in config and not hass.config_entries.async_entries(DOMAIN):
        data = {CONF_SENTENCES: (config[DOMAIN] or {}).get(CONF_SENTENCES, list(DEMO_SENTENCES))}
        hass.async_create_task(
            hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_IMPORT}, data=data
            )
        )
    return True


def _build(sentences: list[str]) -> OfflineSpeech:
    synthesizer = EspeakSynthesizer()
    recognizer = PhraseRecognizer(
        sentences, lambda text, voice: synthesizer.synthesize(text, voice=voice)
    )
    return OfflineSpeech(synthesizer, recognizer)


async def async_setup_entry(hass: HomeAssistant, entry: OfflineSpeechConfigEntry) -> bool:
    """Build the engines (in a thread: eSpeak speaks every known sentence) and add them."""
    sentences = entry.data.get(CONF_SENTENCES) or list(DEMO_SENTENCES)
    entry.runtime_data = await hass.async_add_executor_job(_build, sentences)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: OfflineSpeechConfigEntry) -> bool:
    """Remove the engines."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
