"""What the speech tests share: the visitor's words as a camera's microphone sends them."""

from __future__ import annotations

import audioop
from homeassistant.components import stt

from custom_components.talkback.audio.codec import G711Codec
from devtools.speech.phrases import wav_to_pcm16k
from devtools.speech.synth import EspeakSynthesizer

_ENCODERS = {G711Codec.MULAW: audioop.lin2ulaw, G711Codec.ALAW: audioop.lin2alaw}

METADATA = stt.SpeechMetadata(
    language="en",
    format=stt.AudioFormats.WAV,
    codec=stt.AudioCodecs.PCM,
    bit_rate=stt.AudioBitRates.BITRATE_16,
    sample_rate=stt.AudioSampleRates.SAMPLERATE_16000,
    channel=stt.AudioChannels.CHANNEL_MONO,
)


def camera_g711(
    synthesizer: EspeakSynthesizer, text: str, codec: G711Codec, **voice: object
) -> bytes:
    """What a camera's microphone would send of a visitor saying `text`: 8 kHz G.711."""
    pcm16k = wav_to_pcm16k(synthesizer.synthesize(text, **voice))  # type: ignore[arg-type]
    narrow = audioop.ratecv(pcm16k, 2, 1, 16000, 8000, None)[0]
    return bytes(_ENCODERS[codec](narrow, 2))
