"""The microphone path: 8 kHz G.711 -> 16 kHz PCM for the voice pipeline, and the gate."""

from __future__ import annotations

from collections.abc import AsyncIterator

import audioop
import numpy as np
import pytest

from custom_components.talkback.audio.codec import G711Codec
from custom_components.talkback.audio.microphone import (
    HalfDuplexGate,
    MicrophoneConverter,
    pipeline_audio,
)

ENCODERS = {G711Codec.MULAW: audioop.lin2ulaw, G711Codec.ALAW: audioop.lin2alaw}


def g711_tone(codec: G711Codec, frequency: float, seconds: float) -> bytes:
    """A tone at 8 kHz in a G.711 law, encoded independently of the converter."""
    t = np.arange(round(8000 * seconds)) / 8000
    pcm = (10000 * np.sin(2 * np.pi * frequency * t)).astype("<i2").tobytes()
    return ENCODERS[codec](pcm, 2)


def samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def dominant_frequency(signal: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    return float(np.argmax(spectrum) * rate / len(signal))


@pytest.mark.parametrize("codec", list(G711Codec))
@pytest.mark.parametrize(
    ("frequency", "level_tolerance", "leakage"),
    # audioop.ratecv interpolates linearly: highs near 4 kHz lose a few dB (speech keeps
    # its intelligibility; Home Assistant resamples the same way).
    # Its image above 4 kHz grows with the frequency too.
    [(300.0, 0.05, 0.02), (1000.0, 0.05, 0.05), (3000.0, 0.3, 0.2)],
)
def test_tone_keeps_its_pitch_and_level_at_16_khz(
    codec: G711Codec, frequency: float, level_tolerance: float, leakage: float
) -> None:
    """Twice the samples, the same frequency, about the same level, little distortion."""
    converter = MicrophoneConverter(codec)
    out = samples(converter.convert(g711_tone(codec, frequency, 1.0)))
    assert len(out) == pytest.approx(16000, abs=2)
    steady = out[800:-800]
    assert dominant_frequency(steady, 16000) == pytest.approx(frequency, abs=2)
    rms = np.sqrt(np.mean(steady**2))
    assert rms == pytest.approx(10000 / np.sqrt(2), rel=level_tolerance)
    # Energy outside the tone (quantisation, imaging above 4 kHz) stays small.
    spectrum = np.abs(np.fft.rfft(steady * np.hanning(len(steady)))) ** 2
    bins = np.fft.rfftfreq(len(steady), 1 / 16000)
    near = np.abs(bins - frequency) < 30
    assert spectrum[~near].sum() / spectrum.sum() < leakage


@pytest.mark.parametrize("codec", list(G711Codec))
def test_chunks_join_without_seams(codec: G711Codec) -> None:
    """Converting 160-byte frames one by one equals converting the whole at once."""
    data = g711_tone(codec, 440, 0.5)
    whole = MicrophoneConverter(codec).convert(data)
    converter = MicrophoneConverter(codec)
    pieces = b"".join(converter.convert(data[i : i + 160]) for i in range(0, len(data), 160))
    assert pieces == whole
    odd = MicrophoneConverter(codec)
    uneven = b"".join(odd.convert(data[i : i + 77]) for i in range(0, len(data), 77))
    assert uneven == whole
    assert converter.convert(b"") == b""


def test_without_state_chunks_would_click() -> None:
    """The kept resampler state matters: a fresh state per chunk changes the signal."""
    data = g711_tone(G711Codec.MULAW, 440, 0.2)
    stateless = b"".join(
        MicrophoneConverter(G711Codec.MULAW).convert(data[i : i + 160])
        for i in range(0, len(data), 160)
    )
    assert stateless != MicrophoneConverter(G711Codec.MULAW).convert(data)


def test_silence_stays_silent_and_reset() -> None:
    """G.711 silence (0xFF µ-law, 0xD5 A-law) is near zero; reset starts a new stream."""
    for codec in G711Codec:
        converter = MicrophoneConverter(codec)
        out = samples(converter.convert(codec.silence_frame * 10))
        assert np.max(np.abs(out)) <= 8
        tone = g711_tone(codec, 500, 0.02)
        converter.reset()
        assert converter.convert(tone) == MicrophoneConverter(codec).convert(tone)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_gate_mutes_while_speaking_and_for_the_tail() -> None:
    """Open, muted while speaking, muted for the tail, open again; same lengths always."""
    clock = FakeClock()
    gate = HalfDuplexGate(tail=0.3, clock=clock)
    chunk = b"\x10\x20" * 320
    assert gate.filter(chunk) == chunk
    with gate.speaking():
        assert gate.muted
        assert gate.filter(chunk) == bytes(len(chunk))
    clock.now += 0.29
    assert gate.filter(chunk) == bytes(len(chunk))
    clock.now += 0.02
    assert gate.filter(chunk) == chunk
    assert gate.muted_bytes == 2 * len(chunk)


def test_gate_overlapping_speakers_and_errors() -> None:
    """Two overlapping replies: muted until the last ends; an error still starts the tail."""
    clock = FakeClock()
    gate = HalfDuplexGate(tail=0.5, clock=clock)
    gate.speaker_started()
    gate.speaker_started()
    gate.speaker_stopped()
    clock.now += 10
    assert gate.muted
    with pytest.raises(RuntimeError), gate.speaking():
        raise RuntimeError("playback failed")
    gate.speaker_stopped()
    clock.now += 0.4
    assert gate.muted
    clock.now += 0.2
    assert not gate.muted
    gate.speaker_stopped()  # one too many: only restarts the tail
    clock.now += 0.6
    assert not gate.muted
    with gate.speaking():  # the count did not go negative
        assert gate.muted
    clock.now += 0.6
    assert not gate.muted


async def test_pipeline_audio_converts_and_gates() -> None:
    """The async adapter: every chunk converted, muted ones silenced, nothing dropped."""
    clock = FakeClock()
    gate = HalfDuplexGate(tail=0.0, clock=clock)
    data = g711_tone(G711Codec.ALAW, 1000, 0.1)

    async def received() -> AsyncIterator[bytes]:
        for index in range(0, len(data), 160):
            if index == 320:
                gate.speaker_started()
            if index == 480:
                gate.speaker_stopped()
            yield data[index : index + 160]
            clock.now += 0.02

    chunks = [
        chunk
        async for chunk in pipeline_audio(received(), MicrophoneConverter(G711Codec.ALAW), gate)
    ]
    assert len(chunks) == 5
    # ratecv holds back one sample of the first chunk; then every 160 bytes give 640.
    assert [len(chunk) for chunk in chunks] == [638, 640, 640, 640, 640]
    assert [not any(chunk) for chunk in chunks] == [False, False, True, False, False]
