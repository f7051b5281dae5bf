"""G.711 as the speakers take it: 8000 Hz mono, 20 ms frames of 160 bytes."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

SAMPLE_RATE: Final = 8000
FRAME_DURATION: Final = 0.020
# One byte per sample in G.711.
FRAME_BYTES: Final = 160


class G711Codec(StrEnum):
    """A G.711 companding law; the value is also ffmpeg's muxer name for it."""

    MULAW = "mulaw"
    ALAW = "alaw"

    @property
    def ffmpeg_format(self) -> str:
        """The ffmpeg output format (`-f`) that writes raw samples in this law."""
        return self.value

    @property
    def silence_byte(self) -> int:
        """The byte that decodes to (near) zero amplitude."""
        return _SILENCE_BYTE[self]

    @property
    def silence_frame(self) -> bytes:
        """One frame of silence."""
        return _SILENCE_FRAME[self]


_SILENCE_BYTE: Final = {G711Codec.MULAW: 0xFF, G711Codec.ALAW: 0xD5}
_SILENCE_FRAME: Final = {
    codec: bytes([byte]) * FRAME_BYTES for codec, byte in _SILENCE_BYTE.items()
}
