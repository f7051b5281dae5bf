"""Shared engines (eSpeak NG, the known-phrases recogniser) and offline_speech for `hass`."""

from __future__ import annotations

from pathlib import Path

import audioop
import pytest

import custom_components
from custom_components.talkback.audio.codec import G711Codec
from devtools.speech.phrases import DEMO_SENTENCES, PhraseRecognizer, wav_to_pcm16k
from devtools.speech.synth import EspeakSynthesizer

SPEECH = Path(__file__).parents[2] / "devtools" / "speech"
_ENCODERS = {G711Codec.MULAW: audioop.lin2ulaw, G711Codec.ALAW: audioop.lin2alaw}


@pytest.fixture
def offline_speech_integration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `offline_speech` a custom integration of the test's `hass`, as develop links it."""
    (tmp_path / "offline_speech").symlink_to(SPEECH, target_is_directory=True)
    monkeypatch.setattr(custom_components, "__path__", [*custom_components.__path__, str(tmp_path)])


@pytest.fixture(scope="session")
def synthesizer() -> EspeakSynthesizer:
    """The one eSpeak NG engine (it keeps global state)."""
    return EspeakSynthesizer()


@pytest.fixture(scope="session")
def recognizer(synthesizer: EspeakSynthesizer) -> PhraseRecognizer:
    """The recogniser of the demo's sentences."""
    return PhraseRecognizer(
        DEMO_SENTENCES, lambda text, voice: synthesizer.synthesize(text, voice=voice)
    )


def camera_g711(
    synthesizer: EspeakSynthesizer, text: str, codec: G711Codec, **voice: object
) -> bytes:
    """What a camera's microphone would send of a visitor saying `text`: 8 kHz G.711."""
    pcm16k = wav_to_pcm16k(synthesizer.synthesize(text, **voice))  # type: ignore[arg-type]
    narrow = audioop.ratecv(pcm16k, 2, 1, 16000, 8000, None)[0]
    return bytes(_ENCODERS[codec](narrow, 2))
