"""G.711 µ-law and A-law, written from ITU-T G.711 for the simulator alone.

The simulator decodes what it heard with its own code (not ffmpeg, not the integration's),
so a bug in the integration's encoding cannot hide itself in the recording.
"""

from __future__ import annotations

from array import array
from enum import StrEnum
import math
import sys

MULAW_BIAS = 0x84
MULAW_CLIP = 32635
SAMPLE_RATE = 8000


class AudioEncoding(StrEnum):
    """How a recording's bytes are encoded."""

    MULAW = "mulaw"
    ALAW = "alaw"
    PCM_S16LE = "pcm_s16le"


SILENCE = {AudioEncoding.MULAW: 0xFF, AudioEncoding.ALAW: 0xD5}


def _mulaw_to_linear(byte: int) -> int:
    value = ~byte & 0xFF
    exponent = (value >> 4) & 0x07
    magnitude = ((((value & 0x0F) << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS
    return -magnitude if value & 0x80 else magnitude


def _alaw_to_linear(byte: int) -> int:
    value = byte ^ 0x55
    exponent = (value >> 4) & 0x07
    mantissa = value & 0x0F
    # Segment 0 is linear; the others double their step size each.
    magnitude = (
        (mantissa << 4) + 8 if exponent == 0 else ((mantissa << 4) + 0x108) << (exponent - 1)
    )
    return magnitude if value & 0x80 else -magnitude


_DECODE = {
    AudioEncoding.MULAW: tuple(_mulaw_to_linear(byte) for byte in range(256)),
    AudioEncoding.ALAW: tuple(_alaw_to_linear(byte) for byte in range(256)),
}


def linear_to_mulaw(sample: int) -> int:
    """Encode one signed 16-bit sample as a µ-law byte."""
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), MULAW_CLIP) + MULAW_BIAS
    exponent = min(max(magnitude.bit_length() - 8, 0), 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def linear_to_alaw(sample: int) -> int:
    """Encode one signed 16-bit sample as an A-law byte."""
    if sample >= 0:
        mask, magnitude = 0xD5, sample
    else:
        mask, magnitude = 0x55, -sample - 1
    magnitude = min(magnitude, 32767)
    if magnitude < 256:
        exponent, mantissa = 0, magnitude >> 4
    else:
        exponent = min(magnitude.bit_length() - 8, 7)
        mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ((exponent << 4) | mantissa) ^ mask


def decode(data: bytes, encoding: AudioEncoding) -> array[int]:
    """Decode G.711 bytes (or pass little-endian PCM through) to signed 16-bit samples."""
    if encoding is AudioEncoding.PCM_S16LE:
        samples = array("h", data[: len(data) // 2 * 2])
        if sys.byteorder == "big":
            samples.byteswap()
        return samples
    table = _DECODE[encoding]
    return array("h", (table[byte] for byte in data))


def encode(samples: array[int], encoding: AudioEncoding) -> bytes:
    """Encode signed 16-bit samples as G.711 bytes."""
    if encoding is AudioEncoding.MULAW:
        return bytes(linear_to_mulaw(sample) for sample in samples)
    if encoding is AudioEncoding.ALAW:
        return bytes(linear_to_alaw(sample) for sample in samples)
    raise ValueError(f"cannot encode {encoding} as G.711")


def tone(frequency: float, amplitude: int, encoding: AudioEncoding) -> bytes:
    """One second of a sine tone at 8 kHz; repeat it for a continuous signal."""
    samples = array(
        "h",
        (
            round(amplitude * math.sin(2 * math.pi * frequency * n / SAMPLE_RATE))
            for n in range(SAMPLE_RATE)
        ),
    )
    return encode(samples, encoding)
