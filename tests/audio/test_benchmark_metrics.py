"""The benchmark's device-side figures, on arrival patterns with known answers."""

from __future__ import annotations

import itertools
from pathlib import Path
import random
import struct
import zlib

import numpy as np
import pytest

from benchmarks.metrics import Timeline, arrival_skew_ms, correlation, silent_frames, spread_ms
from benchmarks.plot import Series, line_plot, nice_ticks
from benchmarks.robustness import LoopLagProbe, stall_moments

FRAME = 160


def steady(count: int, interval: float = 0.02, start: float = 100.0) -> list[tuple[float, int]]:
    """One frame every `interval` seconds."""
    return [(start + i * interval, FRAME) for i in range(count)]


def test_real_time_arrivals_have_no_lag_no_drift_no_underrun() -> None:
    timeline = Timeline.from_arrivals(steady(500))
    assert timeline.max_lag_ms == pytest.approx(0, abs=1e-6)
    assert timeline.max_lead_ms == pytest.approx(20)
    assert timeline.drift_pct == pytest.approx(0, abs=1e-9)
    assert timeline.underruns() == 0


def test_a_constant_lead_is_no_drift() -> None:
    """A 100 ms burst at the start, then real time: lead 100 ms, drift about zero."""
    arrivals = [(100.0, FRAME)] * 5 + [(100.0 + i * 0.02, FRAME) for i in range(1, 1000)]
    timeline = Timeline.from_arrivals(arrivals)
    assert timeline.max_lead_ms == pytest.approx(100)
    assert abs(timeline.drift_pct) < 0.01
    assert timeline.underruns() == 0


def test_a_slow_sender_drifts_and_underruns() -> None:
    """Frames every 20.36 ms: 0.36 ms late per 20.36 ms; the 100 ms head start lasts 5.6 s."""
    timeline = Timeline.from_arrivals(steady(3000, interval=0.02036))
    assert timeline.drift_pct == pytest.approx(100 * 0.36 / 20.36, rel=1e-6)
    assert timeline.end_lag_ms == pytest.approx(2999 * 0.36)
    # From about frame 280 on, every frame finds the device empty.
    assert 2700 < timeline.underruns() < 2730


@pytest.mark.parametrize(("stall", "underruns"), [(0.09, 0), (0.15, 1)])
def test_a_stall_underruns_only_past_the_playout_delay(stall: float, underruns: int) -> None:
    """A pause shorter than the device's 100 ms buffer is absorbed; a longer one is not."""
    arrivals = steady(100) + [(at + stall, size) for at, size in steady(100, start=102.0)]
    timeline = Timeline.from_arrivals(arrivals)
    assert timeline.underruns() == underruns
    assert timeline.max_lag_ms == pytest.approx(stall * 1000, abs=1e-6)


def test_silent_frames_counts_whole_silence_frames() -> None:
    data = b"\xff" * FRAME + b"\x10" * FRAME + b"\xff" * (FRAME - 1) + b"\x00" + b"\xff" * FRAME
    assert silent_frames(data, 0xFF) == 2


def test_correlation_finds_the_shift_and_rejects_other_audio() -> None:
    rng = np.random.default_rng(1)
    reference = rng.normal(size=16000)
    shifted = np.concatenate((np.zeros(400), reference))
    assert correlation(shifted, reference) == pytest.approx(1.0)
    assert correlation(rng.normal(size=16000), reference) < 0.1
    assert correlation(np.zeros(16000), reference) == 0.0


def test_plot_is_a_valid_png(tmp_path: Path) -> None:
    path = tmp_path / "lead.png"
    line_plot(
        path,
        [
            Series("a", (255, 0, 0), [0, 1, 2], [0, 50, 100]),
            Series("b", (0, 0, 255), [0, 2], [-10, 10]),
        ],
        title="lead, 2 s (ms)",
        x_label="seconds",
        y_label="ms",
        width=200,
        height=120,
    )
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (200, 120)
    start = data.index(b"IDAT") + 4
    length = struct.unpack(">I", data[start - 8 : start - 4])[0]
    pixels = zlib.decompress(data[start : start + length])
    assert len(pixels) == height * (1 + 3 * width)
    assert bytes((255, 0, 0)) in pixels  # the first series was drawn


def test_nice_ticks() -> None:
    assert nice_ticks(0, 60) == [0, 10, 20, 30, 40, 50, 60]
    assert nice_ticks(-1099, 101) == [-1200, -1000, -800, -600, -400, -200, 0, 200]


def paced(lead: float, seconds: float, stall_at: float, stall: float) -> list[tuple[float, int]]:
    """Arrivals as the pacer sends them (the lead at once, then 5 frames every 100 ms), with
    every write from `stall_at` on held back until the stall is over."""
    start, frames, arrivals = 100.0, int(seconds / 0.02), []
    for index in range(frames):
        last_of_group = index + 4 - index % 5
        due = max(start, start + (last_of_group + 1) * 0.02 - lead)
        if start + stall_at <= due < start + stall_at + stall:
            due = start + stall_at + stall
        arrivals.append((due, FRAME))
    return arrivals


@pytest.mark.parametrize(
    ("lead", "with_playout_delay", "at_first_byte"),
    [(0.1, 1, 1), (0.3, 0, 1), (0.36, 0, 0)],
)
def test_a_250_ms_stall_against_the_lead(
    lead: float, with_playout_delay: int, at_first_byte: int
) -> None:
    """Right before a write, the device holds the lead minus 100 ms: 260 ms at 360 ms."""
    timeline = Timeline.from_arrivals(paced(lead, 5.0, stall_at=2.0 - lead + 0.1, stall=0.25))
    assert timeline.underruns() == with_playout_delay
    assert timeline.underruns(0.0) == at_first_byte


def test_arrival_skew_is_the_spread_of_first_and_last_arrivals() -> None:
    streams = [
        [(10.000, FRAME), (12.000, FRAME)],
        [(10.004, FRAME), (12.001, FRAME)],
        [(10.010, FRAME), (11.999, FRAME)],
        [],  # a speaker that heard nothing has no arrival to compare
    ]
    skew = arrival_skew_ms(streams)
    assert skew["start"] == pytest.approx(10)
    assert skew["end"] == pytest.approx(2)
    assert spread_ms([5.0]) == 0.0


def test_stall_moments_fall_inside_the_clip_and_never_overlap() -> None:
    rng = random.Random(3)
    for length in (0.05, 0.3):
        moments = stall_moments(rng, 5.0, 4, length)
        assert len(moments) == 4
        assert moments[0] >= 0.5
        assert moments[-1] + length <= 4.5 + 1e-9
        assert all(b >= a + length for a, b in itertools.pairwise(moments))


def test_loop_lag_figures_of_a_window() -> None:
    """Only the wake-ups inside the window count; the lag on CPU is reported beside."""
    probe = LoopLagProbe(lags=[(1.0, 0.050, 0.001), (2.0, 0.004, 0.003), (3.0, 0.002, 0.002)])
    figures = probe.figures(1.5, 3.0)
    assert figures["max"] == pytest.approx(4)
    assert figures["max_on_cpu"] == pytest.approx(3)
    assert figures["samples"] == 2
    assert probe.figures()["max"] == pytest.approx(50)
