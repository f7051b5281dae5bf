"""G.711 tables against ITU-T reference values, and the recording statistics."""

from __future__ import annotations

from array import array
import io
import json
from pathlib import Path
import wave

import pytest

from simulator.core import AudioEncoding, Recorder
from simulator.core.g711 import decode, encode, linear_to_alaw, linear_to_mulaw, tone

from .helpers import rising_edges

# (byte, linear) pairs from the G.711 tables: silence, full scale, and segment edges.
MULAW_REFERENCE = [
    (0xFF, 0),
    (0x7F, 0),
    (0x80, 32124),
    (0x00, -32124),
    (0xFE, 8),
    (0x7E, -8),
    (0xEF, 132),
]
ALAW_REFERENCE = [(0xD5, 8), (0x55, -8), (0xAA, 32256), (0x2A, -32256), (0xD4, 24), (0xC5, 264)]


@pytest.mark.parametrize(("byte", "linear"), MULAW_REFERENCE)
def test_mulaw_reference_values(byte: int, linear: int) -> None:
    assert decode(bytes([byte]), AudioEncoding.MULAW)[0] == linear


@pytest.mark.parametrize(("byte", "linear"), ALAW_REFERENCE)
def test_alaw_reference_values(byte: int, linear: int) -> None:
    assert decode(bytes([byte]), AudioEncoding.ALAW)[0] == linear


@pytest.mark.parametrize("encoding", [AudioEncoding.MULAW, AudioEncoding.ALAW])
def test_every_code_round_trips(encoding: AudioEncoding) -> None:
    """Encoding a decoded value gives the same byte (µ-law's two zeros aside)."""
    codes = bytes(range(256))
    again = encode(decode(codes, encoding), encoding)
    differing = [code for code, back in zip(codes, again, strict=True) if code != back]
    assert differing == ([0x7F] if encoding is AudioEncoding.MULAW else [])


def test_encoding_is_monotonic_and_clips() -> None:
    """Louder input never decodes quieter; out-of-range input clips to full scale."""
    for encoder, encoding in (
        (linear_to_mulaw, AudioEncoding.MULAW),
        (linear_to_alaw, AudioEncoding.ALAW),
    ):
        levels = [decode(bytes([encoder(x)]), encoding)[0] for x in range(-32768, 32768, 97)]
        assert levels == sorted(levels)
        assert abs(decode(bytes([encoder(40000)]), encoding)[0]) > 32000


def test_tone_is_one_second_at_the_frequency() -> None:
    """tone(): 8000 bytes, the right number of cycles."""
    signal = decode(tone(1000, 8000, AudioEncoding.MULAW), AudioEncoding.MULAW)
    assert len(signal) == 8000
    assert rising_edges(signal) == pytest.approx(1000, abs=1)


def test_pcm_passes_through() -> None:
    samples = array("h", [0, 1, -1, 32767, -32768])
    assert decode(samples.tobytes(), AudioEncoding.PCM_S16LE) == samples
    with pytest.raises(ValueError, match=r"G\.711"):
        encode(samples, AudioEncoding.PCM_S16LE)


def test_recording_statistics() -> None:
    """Gaps, lateness and earliness from synthetic arrival times (8000 bytes/s)."""
    recorder = Recorder()
    recording = recorder.start("talk", "1", "G.711ulaw", AudioEncoding.MULAW, session_id="sid")
    start = 100.0
    recording.add(start, b"\xff" * 800)  # 0.1 s of audio
    recording.add(start + 0.05, b"\xff" * 800)  # 0.05 s early
    recording.add(start + 0.45, b"\xff" * 800)  # a 0.4 s pause: 0.25 s late
    recording.add(start + 0.46, b"")  # empty reads are not arrivals
    recorder.finish(recording, "closed by client")
    summary = recording.summary()
    assert summary["bytes"] == 2400
    assert summary["reads"] == 3
    assert summary["audio_seconds"] == pytest.approx(0.3)
    assert summary["arrival_span_seconds"] == pytest.approx(0.45)
    assert summary["max_early_seconds"] == pytest.approx(0.05)
    assert summary["max_late_seconds"] == pytest.approx(0.25)
    assert summary["gaps"] == [
        {"at": start + 0.45, "after_bytes": 1600, "seconds": pytest.approx(0.4)}
    ]
    assert summary["max_gap_seconds"] == pytest.approx(0.4)
    assert summary["close_reason"] == "closed by client"
    recording.close("again")
    assert recording.close_reason == "closed by client"


def test_sample_rate_sets_the_real_time_rate() -> None:
    """A 16 kHz µ-law stream (Axis) plays 16000 bytes a second."""
    recording = Recorder().start(
        "transmit", "0", "mulaw16k", AudioEncoding.MULAW, sample_rate=16000
    )
    recording.add(1.0, b"\xff" * 16000)
    assert recording.summary()["audio_seconds"] == pytest.approx(1.0)
    with wave.open(io.BytesIO(recording.wav())) as heard:
        assert heard.getframerate() == 16000


def test_undecodable_codec_keeps_bytes_without_wav() -> None:
    recording = Recorder().start("talk", "1", "AAC", None)
    recording.add(1.0, b"\x00\x01")
    assert recording.summary()["audio_seconds"] is None
    assert recording.timing() == (0.0, 0.0)
    with pytest.raises(ValueError, match="AAC"):
        recording.wav()


def test_save_writes_raw_json_and_wav(tmp_path: Path) -> None:
    """With a record directory every finished recording lands on disk."""
    recorder = Recorder(tmp_path / "rec", prefix="cam")
    recording = recorder.start("talk", "1", "G.711alaw", AudioEncoding.ALAW)
    recording.add(5.0, b"\xd5" * 160)
    recorder.finish(recording, "done")
    stem = tmp_path / "rec" / "cam-0000"
    assert stem.with_suffix(".raw").read_bytes() == b"\xd5" * 160
    document = json.loads(stem.with_suffix(".json").read_text())
    assert document["arrivals"] == [[5.0, 160]]
    assert document["close_reason"] == "done"
    with wave.open(io.BytesIO(stem.with_suffix(".wav").read_bytes())) as heard:
        assert heard.getnframes() == 160
