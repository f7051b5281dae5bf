"""Run every benchmark against a simulator process and write results/latest.json + a plot."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
import json
import math
import os
from pathlib import Path
import platform
import shutil
import subprocess
import sys
import time
from typing import Any

import aiohttp
import imageio_ffmpeg
import numpy as np

from custom_components.talkback.audio import PacerStats
from custom_components.talkback.isapi.client import IsapiClient

from .metrics import Samples, Timeline, correlation, percentile
from .plot import Series, line_plot
from .scenarios import (
    Bench,
    ConcurrencyRun,
    fan_out_run,
    ffmpeg_re_run,
    lead_curve,
    pacing_figures,
    play_ffmpeg_re,
    play_naive,
    play_talkback,
    recorded,
    time_to_first_audio,
)
from .simulated import Control, Recording, SimulatorProcess

CHANNELS_PER_CAMERA = 50
CAMERA_USER, CAMERA_PASSWORD = "admin", "simulator"  # the simulator's defaults
TTFA_CLIP_SECONDS = 0.5
MIN_CORRELATION = 0.95
MAX_TTFA_P95_MS = 150
MAX_DRIFT_PCT = 0.1
MAX_CPU_PCT_PER_STREAM = 0.5


@dataclass(frozen=True, slots=True)
class Options:
    """What to run."""

    output: Path
    pacing_seconds: float
    concurrency_seconds: float
    streams: tuple[int, ...]
    baseline_streams: tuple[int, ...]
    ttfa_runs: int
    lead: float


def find_ffmpeg() -> str:
    """The system's ffmpeg, else the one in the imageio-ffmpeg wheel."""
    return shutil.which("ffmpeg") or imageio_ffmpeg.get_ffmpeg_exe()


def make_clip(ffmpeg: str, path: Path, seconds: float) -> None:
    """Pink noise under a beeping tone, as an mp3: no digital silence, nothing periodic."""
    if path.exists():
        return
    subprocess.run(
        [
            ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"anoisesrc=color=pink:amplitude=0.3:seed=7:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:beep_factor=3:duration={seconds}",
            "-filter_complex", "amix=inputs=2:duration=shortest",
            "-ar", "44100", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k", str(path),
        ],
        check=True,
    )  # fmt: skip


def reference_decode(ffmpeg: str, path: Path) -> Samples:
    """An independent decode of the source: straight to 16-bit PCM, no G.711 on the way."""
    pcm = subprocess.run(
        [ffmpeg, "-nostdin", "-loglevel", "error", "-i", str(path),
         "-ac", "1", "-ar", "8000", "-f", "s16le", "pipe:1"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def concurrency_entry(
    run: ConcurrencyRun, recordings: list[Recording], reference: Samples
) -> dict[str, Any]:
    """One concurrency row: device-side figures over every stream plus this side's costs."""
    timelines = [Timeline.from_arrivals(r.arrivals) for r in recordings if r.arrivals]
    worst_drift = max((t.drift_pct for t in timelines), key=abs, default=0.0)
    entry: dict[str, Any] = {
        "streams": run.streams,
        "streams_recorded": len(timelines),
        "underruns": sum(t.underruns() for t in timelines),
        "cpu_pct_per_stream": round(run.cpu.pct_of_a_core_per_stream(run.streams), 3),
        "cpu_seconds": round(run.cpu.cpu, 3),
        "wall_seconds": round(run.cpu.wall, 3),
        "rss_mb_per_stream": round(run.memory.rss_mb / run.streams, 2),
        "pss_mb_per_stream": round(run.memory.pss_mb / run.streams, 2),
        "ffmpeg_processes": run.ffmpeg_processes,
        "failed_or_dropped": len(run.errors),
    }
    if run.errors:
        entry["errors"] = sorted(set(run.errors))[:5]
        entry["device_close_reasons"] = dict(Counter(r.close_reason for r in recordings))
    if timelines:
        entry |= {
            "max_lag_ms": round(max(t.max_lag_ms for t in timelines), 2),
            "max_lead_ms": round(max(t.max_lead_ms for t in timelines), 2),
            "worst_duration_error_pct": round(worst_drift, 4),
            "min_correlation": round(min(correlation(r.heard, reference) for r in recordings), 4),
        }
    return entry


async def run(options: Options) -> dict[str, Any]:
    """Every benchmark, in one simulator process; returns the results document."""
    ffmpeg = find_ffmpeg()
    results_dir = options.output.parent
    media_dir = results_dir / "media"
    media_dir.mkdir(parents=True, exist_ok=True)
    pacing_clip = media_dir / f"clip-{options.pacing_seconds:g}s.mp3"
    concurrency_clip = media_dir / f"clip-{options.concurrency_seconds:g}s.mp3"
    ttfa_clip = media_dir / f"clip-{TTFA_CLIP_SECONDS:g}s.mp3"
    for clip, seconds in (
        (pacing_clip, options.pacing_seconds),
        (concurrency_clip, options.concurrency_seconds),
        (ttfa_clip, TTFA_CLIP_SECONDS),
    ):
        make_clip(ffmpeg, clip, seconds)
    pacing_reference = reference_decode(ffmpeg, pacing_clip)
    concurrency_reference = reference_decode(ffmpeg, concurrency_clip)
    most = max((*options.streams, *options.baseline_streams, 1))
    cameras = math.ceil(most / CHANNELS_PER_CAMERA)
    doc: dict[str, Any] = {"machine": machine(ffmpeg), "options": _jsonable(asdict(options))}

    async with (
        SimulatorProcess(cameras, CHANNELS_PER_CAMERA, results_dir / "simulator.log") as simulator,
        aiohttp.ClientSession() as session,
    ):
        clients = [
            IsapiClient(
                session,
                camera.host,
                port=camera.port,
                username=CAMERA_USER,
                password=CAMERA_PASSWORD,
            )
            for camera in simulator.cameras
        ]
        bench = Bench(ffmpeg, clients, CHANNELS_PER_CAMERA, Control(session, simulator.cameras))

        say(f"pacing: Talkback, {options.pacing_seconds:g} s clip")
        stats: list[PacerStats] = []

        async def talkback() -> None:
            stats.append(await play_talkback(bench, pacing_clip, options.lead))

        (ours,) = await recorded(bench, talkback)
        doc["pacing"] = {
            **pacing_figures(ours, pacing_reference),
            "lead_ms": options.lead * 1000,
            "pacer": _pacer_json(stats[0]),
        }
        say(f"  {doc['pacing']}")

        say("pacing: naive sleep(0.02) baseline")
        (naive,) = await recorded(bench, lambda: play_naive(bench, pacing_clip))
        doc["naive_baseline"] = pacing_figures(naive, pacing_reference)
        say(f"  {doc['naive_baseline']}")

        say("pacing: ffmpeg -re baseline")
        (ffmpeg_re,) = await recorded(bench, lambda: play_ffmpeg_re(bench, pacing_clip))
        doc["ffmpeg_re_baseline"] = pacing_figures(ffmpeg_re, pacing_reference)
        say(f"  {doc['ffmpeg_re_baseline']}")

        plot_path = results_dir / "lead.png"
        curves = [
            ("Talkback pacer", (31, 119, 180), ours),
            ("naive sleep", (214, 39, 40), naive),
            ("ffmpeg -re", (44, 160, 44), ffmpeg_re),
        ]
        line_plot(
            plot_path,
            [Series(name, color, *lead_curve(rec)) for name, color, rec in curves],
            title=f"Lead at the device, {options.pacing_seconds:g} s clip (ms)",
            x_label="seconds since the first byte",
            y_label="lead (ms)",
        )
        doc["plot"] = str(plot_path)

        say(f"ttfa: {options.ttfa_runs} plays of a file on disk")
        samples = [
            await time_to_first_audio(bench, ttfa_clip, options.lead) * 1000
            for _ in range(options.ttfa_runs)
        ]
        doc["ttfa_ms"] = {
            "p50": round(percentile(samples, 50), 2),
            "p95": round(percentile(samples, 95), 2),
            "max": round(max(samples), 2),
            "runs": len(samples),
        }
        say(f"  {doc['ttfa_ms']}")

        doc["concurrency"] = []
        for streams in options.streams:
            say(f"concurrency: Talkback fan-out to {streams} speakers")
            result = await fan_out_run(
                bench, concurrency_clip, streams, options.concurrency_seconds, options.lead
            )
            entry = concurrency_entry(
                result, await bench.control.recordings(), concurrency_reference
            )
            doc["concurrency"].append(entry)
            say(f"  {entry}")

        doc["ffmpeg_re_baseline"]["concurrency"] = []
        for streams in options.baseline_streams:
            say(f"concurrency: {streams} x ffmpeg -re")
            result = await ffmpeg_re_run(
                bench, concurrency_clip, streams, options.concurrency_seconds
            )
            entry = concurrency_entry(
                result, await bench.control.recordings(), concurrency_reference
            )
            doc["ffmpeg_re_baseline"]["concurrency"].append(entry)
            say(f"  {entry}")

    doc["targets"] = targets(doc)
    return doc


def targets(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target of the issue: the measured value and whether it holds."""
    pacing, baseline = doc["pacing"], doc["ffmpeg_re_baseline"]
    rows = doc["concurrency"]
    baseline_rows = {row["streams"]: row for row in baseline.get("concurrency", [])}
    lead_bound = pacing["lead_ms"] + 20

    def row(value: Any, met: bool, target: str) -> dict[str, Any]:
        return {"value": value, "target": target, "met": bool(met)}

    return {
        "underruns": row(
            {"pacing": pacing["underruns"], **{str(r["streams"]): r["underruns"] for r in rows}},
            pacing["underruns"] == 0 and all(r["underruns"] == 0 for r in rows),
            "0 up to 100 streams",
        ),
        "drift": row(
            {
                "talkback_pct": pacing["duration_error_pct"],
                "ffmpeg_re_pct": baseline["duration_error_pct"],
            },
            abs(pacing["duration_error_pct"]) < MAX_DRIFT_PCT
            and abs(pacing["duration_error_pct"]) <= abs(baseline["duration_error_pct"]),
            f"|drift| < {MAX_DRIFT_PCT} % and no worse than ffmpeg -re",
        ),
        "max_lead_ms": row(
            pacing["max_lead_ms"], pacing["max_lead_ms"] <= lead_bound, f"<= {lead_bound:g} ms"
        ),
        "correlation": row(
            pacing["correlation"], pacing["correlation"] >= MIN_CORRELATION, f">= {MIN_CORRELATION}"
        ),
        "ttfa_p95_ms": row(
            doc["ttfa_ms"]["p95"],
            doc["ttfa_ms"]["p95"] < MAX_TTFA_P95_MS,
            f"< {MAX_TTFA_P95_MS} ms",
        ),
        "cpu_pct_per_stream": row(
            {str(r["streams"]): r["cpu_pct_per_stream"] for r in rows},
            all(
                r["cpu_pct_per_stream"] < MAX_CPU_PCT_PER_STREAM
                and (
                    r["streams"] not in baseline_rows
                    or r["cpu_pct_per_stream"]
                    <= baseline_rows[r["streams"]]["cpu_pct_per_stream"] / 2
                )
                for r in rows
            ),
            f"< {MAX_CPU_PCT_PER_STREAM} % of a core and half of ffmpeg -re's, every N",
        ),
        "ffmpeg_per_announce": row(
            {str(r["streams"]): r["ffmpeg_processes"] for r in rows},
            all(r["ffmpeg_processes"] == 1 for r in rows),
            "1 whatever the number of speakers",
        ),
    }


def machine(ffmpeg: str) -> dict[str, Any]:
    """Where the figures come from."""
    version = subprocess.run(
        [ffmpeg, "-version"], capture_output=True, check=True, text=True
    ).stdout
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "ffmpeg": version.splitlines()[0],
        "load_average": os.getloadavg(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _pacer_json(stats: PacerStats) -> dict[str, Any]:
    return {
        "frames_sent": stats.frames_sent,
        "silence_frames": stats.silence_frames,
        "late_frames": stats.late_frames,
        "max_lag_ms": round(stats.max_lag * 1000, 2),
    }


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def say(text: str) -> None:
    """Progress on stderr; the results go to the file."""
    print(text, file=sys.stderr, flush=True)
