"""The known-phrases speech-to-text entity (offline, English, 16 kHz 16-bit mono PCM)."""

from __future__ import annotations

from collections.abc import AsyncIterable
import logging

from homeassistant.components.stt import (
    AudioBitRates,
    AudioChannels,
    AudioCodecs,
    AudioFormats,
    AudioSampleRates,
    SpeechMetadata,
    SpeechResult,
    SpeechResultState,
    SpeechToTextEntity,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import OfflineSpeechConfigEntry
from .phrases import SAMPLE_RATE, PhraseRecognizer

_LOGGER = logging.getLogger(__name__)

# A request longer than this is cut (16 kHz, 16-bit): the pipeline's VAD ends it far earlier.
MAX_AUDIO_BYTES = 30 * SAMPLE_RATE * 2


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OfflineSpeechConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the engine."""
    async_add_entities([KnownPhrasesEntity(entry, entry.runtime_data.recognizer)])


class KnownPhrasesEntity(SpeechToTextEntity):
    """Answers the known sentence the audio contains, or no text at all."""

    _attr_name = "Known phrases"

    def __init__(self, entry: OfflineSpeechConfigEntry, recognizer: PhraseRecognizer) -> None:
        """Initialise the entity."""
        self._attr_unique_id = f"{entry.entry_id}-stt"
        self._recognizer = recognizer

    @property
    def supported_languages(self) -> list[str]:
        """English: the sentences are English and spoken by eSpeak NG's English voices."""
        return ["en"]

    @property
    def supported_formats(self) -> list[AudioFormats]:
        """Raw PCM in a WAV stream, as the pipeline sends it."""
        return [AudioFormats.WAV]

    @property
    def supported_codecs(self) -> list[AudioCodecs]:
        """PCM."""
        return [AudioCodecs.PCM]

    @property
    def supported_bit_rates(self) -> list[AudioBitRates]:
        """16-bit samples."""
        return [AudioBitRates.BITRATE_16]

    @property
    def supported_sample_rates(self) -> list[AudioSampleRates]:
        """16 kHz."""
        return [AudioSampleRates.SAMPLERATE_16000]

    @property
    def supported_channels(self) -> list[AudioChannels]:
        """Mono."""
        return [AudioChannels.CHANNEL_MONO]

    async def async_process_audio_stream(
        self, metadata: SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> SpeechResult:
        """Hear the whole request, then decide in a thread (alignment is CPU work)."""
        audio = bytearray()
        async for chunk in stream:
            if len(audio) < MAX_AUDIO_BYTES:
                audio += chunk[: MAX_AUDIO_BYTES - len(audio)]
        recognition = await self.hass.async_add_executor_job(
            self._recognizer.recognize, bytes(audio)
        )
        _LOGGER.debug(
            "heard %.2f s of speech: %s (distance %.2f, runner-up %.2f)",
            recognition.speech_seconds,
            recognition.text,
            recognition.distance,
            recognition.runner_up,
        )
        # No text is the pipeline's "no text recognized", which is what happened.
        return SpeechResult(recognition.text or "", SpeechResultState.SUCCESS)
