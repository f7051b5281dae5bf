"""Small audio files for tests, made in Python so the expected signal is known exactly."""

from __future__ import annotations

import io
import math
from pathlib import Path
import struct
import wave

TONE_HZ = 440.0
WAV_RATE = 16000
WAV_HEADER_SIZE = 44
"""What `wave` writes before the samples of a PCM file."""
# The header of a mono 16-bit PCM WAV whose length is not known yet (sizes at their
# maximum, as a streaming encoder writes them): readers take samples until the end.
STREAMING_WAV_HEADER = (
    b"RIFF"
    + struct.pack("<I", 0xFFFFFFFF)
    + b"WAVEfmt "
    + struct.pack("<IHHIIHH", 16, 1, 1, WAV_RATE, 2 * WAV_RATE, 2, 16)
    + b"data"
    + struct.pack("<I", 0xFFFFFFFF)
)


def tone_wav(seconds: float, frequency: float = TONE_HZ, rate: int = WAV_RATE) -> bytes:
    """A mono 16-bit WAV of a sine tone at half scale."""
    frames = bytearray()
    for n in range(round(seconds * rate)):
        value = round(16000 * math.sin(2 * math.pi * frequency * n / rate))
        frames += value.to_bytes(2, "little", signed=True)
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(bytes(frames))
    return out.getvalue()


def write_tone(path: Path, seconds: float) -> Path:
    """Write a tone WAV and return its path."""
    path.write_bytes(tone_wav(seconds))
    return path


def rms(samples: list[int] | tuple[int, ...]) -> float:
    """Root mean square of linear samples."""
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0
