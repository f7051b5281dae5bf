"""The speech tests' fixtures (tests/speech/fixtures.py, shared with the integration tests)."""

from .fixtures import offline_speech_integration, recognizer, synthesizer

__all__ = ["offline_speech_integration", "recognizer", "synthesizer"]
