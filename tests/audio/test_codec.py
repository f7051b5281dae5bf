"""G.711 constants, checked against ffmpeg's own decoder."""

from __future__ import annotations

import pytest

from custom_components.talkback.audio import FRAME_BYTES, FRAME_DURATION, SAMPLE_RATE, G711Codec

from .helpers import decode_g711


def test_frame_is_20_ms_of_8_khz_bytes() -> None:
    """One byte per sample: 160 bytes are 20 ms."""
    assert FRAME_BYTES == SAMPLE_RATE * FRAME_DURATION


@pytest.mark.parametrize("codec", list(G711Codec))
def test_silence_decodes_to_zero(ffmpeg: str, codec: G711Codec) -> None:
    """The silence byte of each law is (near) zero amplitude; the other law's is not."""
    assert codec.silence_frame == bytes([codec.silence_byte]) * FRAME_BYTES
    assert {abs(value) for value in decode_g711(ffmpeg, codec.silence_frame, codec)} <= {0, 8}
    other = next(law for law in G711Codec if law is not codec)
    assert max(abs(value) for value in decode_g711(ffmpeg, other.silence_frame, codec)) > 500


def test_ffmpeg_format_names() -> None:
    """The enum values are ffmpeg's muxer names."""
    assert [codec.ffmpeg_format for codec in G711Codec] == ["mulaw", "alaw"]
