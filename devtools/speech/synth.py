"""Offline speech synthesis with eSpeak NG (the library and voices ship in `espeakng-loader`)."""

from __future__ import annotations

import ctypes
import functools
import io
import threading
import wave

import espeakng_loader

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_ESPEAK_CHARS_UTF8 = 1
_BUFFER_MS = 500
# espeak_PARAMETER values and the engine's defaults (words per minute, 0-100).
_RATE, _PITCH = 1, 3
DEFAULT_RATE, DEFAULT_PITCH = 175, 50

_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)
# The library has one global state (voice, parameters, callback) for the whole process, so
# every instance takes this lock and sets all of it again for each synthesis.
_ENGINE_LOCK = threading.Lock()


@functools.cache
def _engine() -> tuple[ctypes.CDLL, int]:
    """The library, initialised once per process (initialising it again while another
    instance still uses it crashed the process), and its sample rate."""
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    sample_rate = lib.espeak_Initialize(
        _AUDIO_OUTPUT_SYNCHRONOUS, _BUFFER_MS, espeakng_loader.get_data_path().encode(), 0
    )
    if sample_rate <= 0:
        raise RuntimeError("eSpeak NG could not be initialised")
    return lib, sample_rate


class EspeakSynthesizer:
    """Text to 16-bit mono WAV; one synthesis at a time in the whole process."""

    def __init__(self, voice: str = "en") -> None:
        """Load the library (once per process) and select a voice."""
        with _ENGINE_LOCK:
            self._lib, self.sample_rate = _engine()
        self._chunks: list[bytes] = []
        self._callback = _SYNTH_CALLBACK(self._collect)  # kept alive as long as self
        self.voice = voice
        self.set_voice(voice)

    def set_voice(self, voice: str) -> None:
        """Choose the default voice by name: a language (en, de, nl...) or a variant (en+f3)."""
        with _ENGINE_LOCK:
            self._select(voice)
        self.voice = voice

    def _select(self, voice: str) -> None:
        if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ValueError(f"unknown eSpeak voice {voice!r}")

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], samples: int, _events: int) -> int:
        if samples > 0:
            self._chunks.append(ctypes.string_at(wav, samples * 2))
        return 0

    def synthesize(
        self,
        text: str,
        *,
        voice: str | None = None,
        rate: int = DEFAULT_RATE,
        pitch: int = DEFAULT_PITCH,
    ) -> bytes:
        """Speak `text` (in `voice`, else the default voice); return a WAV file."""
        data = text.encode()
        with _ENGINE_LOCK:
            self._lib.espeak_SetSynthCallback(self._callback)
            self._select(voice or self.voice)
            self._lib.espeak_SetParameter(_RATE, rate, 0)
            self._lib.espeak_SetParameter(_PITCH, pitch, 0)
            self._chunks = []
            self._lib.espeak_Synth(
                ctypes.c_char_p(data),
                len(data) + 1,
                0,
                _POS_CHARACTER,
                0,
                _ESPEAK_CHARS_UTF8,
                None,
                None,
            )
            self._lib.espeak_Synchronize()
            pcm = b"".join(self._chunks)
        out = io.BytesIO()
        with wave.open(out, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(self.sample_rate)
            wav.writeframes(pcm)
        return out.getvalue()
