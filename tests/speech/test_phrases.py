"""The known-phrases recogniser on the camera path: eSpeak NG -> 8 kHz G.711 -> 16 kHz -> text.

The figures in the README come from these sets: every demo sentence in the engine's default
voice at other rates and pitches and with a microphone's hiss must be recognised exactly;
sentences outside the set (most of them sharing words with one inside), silence, noise and
tones must give no match.
"""

from __future__ import annotations

import audioop
import numpy as np
import pytest

from custom_components.talkback.audio.codec import G711Codec
from custom_components.talkback.audio.microphone import MicrophoneConverter
from devtools.speech.phrases import DEMO_SENTENCES, PhraseRecognizer
from devtools.speech.synth import EspeakSynthesizer

from .helpers import camera_g711

# How the visitor may say it: rate in words per minute and pitch 0-100 (default 175 and 50).
VARIANTS = {
    "default": {},
    "slower": {"rate": 155},
    "faster": {"rate": 200},
    "lower": {"pitch": 40},
    "higher": {"pitch": 62},
}
# Not in the set; most share all but one word with a sentence that is.
OTHER_SENTENCES = (
    "turn on the kitchen light",
    "turn on the porch fan",
    "is the porch light on",
    "what day is it",
    "close the garage door",
    "open the front door",
    "is anyone there",
    "thank you very much",
    "hello there",
    "the quick brown fox jumps over the lazy dog",
)
RNG_SEED = 14


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No Home Assistant here (overrides the top-level fixture)."""


def with_room(g711: bytes, codec: G711Codec, hiss: float = 0.0) -> bytes:
    """Half a second before and a second after (as the pipeline's VAD passes), plus hiss."""
    silence = codec.silence_byte
    data = bytes([silence]) * 4000 + g711 + bytes([silence]) * 8000
    if not hiss:
        return data
    decode = audioop.ulaw2lin if codec is G711Codec.MULAW else audioop.alaw2lin
    encode = audioop.lin2ulaw if codec is G711Codec.MULAW else audioop.lin2alaw
    samples = np.frombuffer(decode(data, 2), dtype="<i2").astype(np.float64)
    samples += np.random.default_rng(RNG_SEED).normal(0, hiss, len(samples))
    return bytes(encode(np.clip(samples, -32768, 32767).astype("<i2").tobytes(), 2))


def hear(recognizer: PhraseRecognizer, g711: bytes, codec: G711Codec) -> str | None:
    """The camera path: 160-byte frames through the converter, then the recogniser."""
    converter = MicrophoneConverter(codec)
    pcm = b"".join(converter.convert(g711[i : i + 160]) for i in range(0, len(g711), 160))
    return recognizer.recognize(pcm).text


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("sentence", DEMO_SENTENCES)
def test_known_sentences_are_recognised_exactly(
    synthesizer: EspeakSynthesizer, recognizer: PhraseRecognizer, sentence: str, variant: str
) -> None:
    """Every demo sentence, said five ways, through µ-law 8 kHz: exactly that sentence."""
    codec = G711Codec.MULAW
    g711 = camera_g711(synthesizer, sentence, codec, **VARIANTS[variant])
    assert hear(recognizer, with_room(g711, codec), codec) == sentence


@pytest.mark.parametrize("sentence", DEMO_SENTENCES)
def test_alaw_and_a_hissing_microphone(
    synthesizer: EspeakSynthesizer, recognizer: PhraseRecognizer, sentence: str
) -> None:
    """A-law channels, and a microphone hiss 40 dB under the speech."""
    codec = G711Codec.ALAW
    g711 = camera_g711(synthesizer, sentence, codec)
    assert hear(recognizer, with_room(g711, codec, hiss=40.0), codec) == sentence


@pytest.mark.parametrize("variant", ["default", "faster", "lower"])
@pytest.mark.parametrize("sentence", OTHER_SENTENCES)
def test_other_sentences_give_no_match(
    synthesizer: EspeakSynthesizer, recognizer: PhraseRecognizer, sentence: str, variant: str
) -> None:
    """Speech that is not one of the sentences is not forced onto the nearest one."""
    codec = G711Codec.MULAW
    g711 = camera_g711(synthesizer, sentence, codec, **VARIANTS[variant])
    assert hear(recognizer, with_room(g711, codec), codec) is None


def tone(frequency: float, seconds: float, level: float = 8000.0) -> np.ndarray:
    t = np.arange(round(8000 * seconds)) / 8000
    return level * np.sin(2 * np.pi * frequency * t)


NON_SPEECH = {
    "silence": lambda: np.zeros(24000),
    "hiss": lambda: np.random.default_rng(RNG_SEED).normal(0, 300, 24000),
    "loud noise": lambda: np.random.default_rng(RNG_SEED).normal(0, 6000, 24000),
    "noise burst": lambda: np.concatenate(
        (np.zeros(4000), np.random.default_rng(RNG_SEED).normal(0, 5000, 12000), np.zeros(8000))
    ),
    "the simulator's test tone": lambda: tone(1000, 3.0),
    "a door chime": lambda: np.concatenate(
        (np.zeros(4000), tone(659, 0.6) * np.exp(-np.arange(4800) / 2000), tone(523, 0.9))
    ),
    "a click": lambda: np.concatenate((np.zeros(8000), [20000.0] * 40, np.zeros(8000))),
}


@pytest.mark.parametrize("sound", list(NON_SPEECH))
def test_non_speech_gives_no_match(recognizer: PhraseRecognizer, sound: str) -> None:
    """Silence, noise, tones and clicks are no sentence."""
    samples = np.clip(NON_SPEECH[sound](), -32768, 32767).astype("<i2").tobytes()
    g711 = bytes(audioop.lin2ulaw(samples, 2))
    assert hear(recognizer, g711, G711Codec.MULAW) is None


def test_a_different_set_decides_differently(synthesizer: EspeakSynthesizer) -> None:
    """The answer comes from the audio: a recogniser without the sentence does not give it."""
    without = PhraseRecognizer(
        ("what time is it", "thank you"),
        lambda text, voice: synthesizer.synthesize(text, voice=voice),
    )
    codec = G711Codec.MULAW
    g711 = with_room(camera_g711(synthesizer, "turn on the porch light", codec), codec)
    assert hear(without, g711, codec) is None
    g711 = with_room(camera_g711(synthesizer, "what time is it", codec), codec)
    assert hear(without, g711, codec) == "what time is it"
