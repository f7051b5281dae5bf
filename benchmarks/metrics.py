"""Figures computed from what the device received: arrival times and bytes.

Times are seconds on the system-wide monotonic clock (shared with the simulator process).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 8000  # G.711: one byte per sample
# The virtual device of the underrun model starts playing this long after the first byte.
PLAYOUT_DELAY = 0.1
# How far apart two signals may be shifted when searching the best correlation.
MAX_CORRELATION_SHIFT = 2.0
# Arrivals within a microsecond of the buffer running out are on time (float rounding).
TIME_TOLERANCE = 1e-6

type Arrival = tuple[float, int]  # (monotonic time, bytes in that read)
type Samples = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Timeline:
    """Per read: seconds since the first byte, its size, lag of its first byte, lead after it."""

    elapsed: Samples
    sizes: Samples
    lag: Samples
    lead: Samples

    @classmethod
    def from_arrivals(cls, arrivals: Sequence[Arrival]) -> Timeline:
        """Byte k is due at first_arrival + k / 8000: lag is how late, lead how far ahead."""
        if not arrivals:
            raise ValueError("the device received nothing")
        times = np.array([at for at, _ in arrivals], dtype=np.float64)
        sizes = np.array([size for _, size in arrivals], dtype=np.float64)
        before = np.concatenate(([0.0], np.cumsum(sizes)[:-1]))
        elapsed = times - times[0]
        return cls(
            elapsed=elapsed,
            sizes=sizes,
            lag=elapsed - before / SAMPLE_RATE,
            lead=(before + sizes) / SAMPLE_RATE - elapsed,
        )

    @property
    def max_lag_ms(self) -> float:
        """The latest any byte arrived behind real time from the first byte."""
        return float(self.lag.max()) * 1000

    @property
    def max_lead_ms(self) -> float:
        """The most audio the device ever held beyond what real time had played."""
        return float(self.lead.max()) * 1000

    @property
    def end_lag_ms(self) -> float:
        """How far behind real time the last read arrived."""
        return float(self.lag[-1]) * 1000

    @property
    def drift_pct(self) -> float:
        """Least-squares slope of lag against time, in %: a constant lead or lag is no drift."""
        if len(self.elapsed) < 2 or self.elapsed[-1] <= 0:
            return 0.0
        slope = np.polyfit(self.elapsed, self.lag, 1)[0]
        return float(slope) * 100

    def underruns(self, playout_delay: float = PLAYOUT_DELAY) -> int:
        """Times a device starting `playout_delay` after the first byte finds its buffer empty.

        The device plays 8 bytes per ms while it has audio; when it runs dry before the last
        byte arrived it waits for the next read (one underrun) and plays on from there.
        """
        count = 0
        audio_end = playout_delay  # when the audio received so far has been played
        for at, size in zip(self.elapsed.tolist(), self.sizes.tolist(), strict=True):
            if at > audio_end + TIME_TOLERANCE:
                count += 1
                audio_end = at
            audio_end += size / SAMPLE_RATE
        return count


def spread_ms(times: Sequence[float]) -> float:
    """Milliseconds between the earliest and the latest of some moments (0 for fewer than 2)."""
    return (max(times) - min(times)) * 1000 if len(times) > 1 else 0.0


def arrival_skew_ms(streams: Sequence[Sequence[Arrival]]) -> dict[str, float]:
    """How far apart the speakers of one play got their first and their last audio."""
    heard = [arrivals for arrivals in streams if arrivals]
    return {
        "start": spread_ms([arrivals[0][0] for arrivals in heard]),
        "end": spread_ms([arrivals[-1][0] for arrivals in heard]),
    }


def silent_frames(data: bytes, silence_byte: int, frame_bytes: int = 160) -> int:
    """Whole frames made only of the silence byte (the pacer's filler; the clip has none)."""
    silence = bytes([silence_byte]) * frame_bytes
    return sum(
        data[offset : offset + frame_bytes] == silence
        for offset in range(0, len(data) - frame_bytes + 1, frame_bytes)
    )


def correlation(heard: Samples, reference: Samples) -> float:
    """Normalised cross-correlation at the best shift (within MAX_CORRELATION_SHIFT).

    1.0 is the same signal; silence, noise or audio out of order score near 0.
    """
    if not len(heard) or not len(reference):
        return 0.0
    size = 1 << int(len(heard) + len(reference) - 1).bit_length()
    spectrum = np.fft.rfft(heard, size) * np.conj(np.fft.rfft(reference, size))
    products = np.fft.irfft(spectrum, size)
    limit = int(MAX_CORRELATION_SHIFT * SAMPLE_RATE)
    window = np.concatenate((products[: limit + 1], products[-limit:]))
    energy = float(np.sqrt(np.dot(heard, heard) * np.dot(reference, reference)))
    return 0.0 if energy == 0 else float(window.max()) / energy


def percentile(values: Sequence[float], pct: float) -> float:
    """The pct-th percentile (linear interpolation)."""
    return float(np.percentile(np.array(values, dtype=np.float64), pct))
