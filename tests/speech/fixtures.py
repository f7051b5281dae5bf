"""Speech fixtures shared by the speech and the integration tests: eSpeak NG, the
known-phrases recogniser, and offline_speech as a custom integration of `hass`."""

from __future__ import annotations

from pathlib import Path

import pytest

import custom_components
from devtools.speech.phrases import DEMO_SENTENCES, PhraseRecognizer
from devtools.speech.synth import EspeakSynthesizer

SPEECH = Path(__file__).parents[2] / "devtools" / "speech"


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
