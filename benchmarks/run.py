"""Run every benchmark against a simulator process and write results/latest.json + a plot."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
import json
import math
import os
from pathlib import Path
import platform
import random
import shutil
import subprocess
import sys
import time
from typing import Any

import aiohttp
import imageio_ffmpeg
import numpy as np

from custom_components.talkback.audio import PacerStats
from custom_components.talkback.audio.const import DEFAULT_LEAD
from custom_components.talkback.isapi.client import IsapiClient
from custom_components.talkback.vapix.client import VapixClient

from .home_assistant import tts_speak_latency
from .metrics import Samples, Timeline, arrival_skew_ms, correlation, percentile
from .plot import Series, line_plot
from .robustness import (
    loop_lag_play,
    short_clip_play,
    skew_play,
    stall_moments,
    stall_play,
    stop_play,
)
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
AXIS_USER, AXIS_PASSWORD = "root", "pass"  # the Axis simulator's defaults
TTFA_CLIP_SECONDS = 0.5
SHORT_CLIP_SECONDS = 2.0
SHORT_CLIP_RUNS = 5
STALL_CLIP_SECONDS = 5.0
STALLS_PER_PLAY = 4
STALL_SEED = 16
STOP_AFTER_SECONDS = 1.5
MIX_CAMERAS = MIX_AXIS = 5
LOOP_LAG_CLIP_SECONDS = 10.0
MIN_CORRELATION = 0.95
MAX_TTFA_P95_MS = 150
MAX_DRIFT_PCT = 0.1
MAX_CPU_PCT_PER_STREAM = 0.5
MAX_CPU_OF_FFMPEG_RE = 0.25
MAX_STOP_MS = 150
MAX_SKEW_MS = 20
MAX_LOOP_LAG_MS = 5
TARGET_STALL_MS = 250
SECTIONS = (
    "pacing",
    "ttfa",
    "concurrency",
    "baseline",
    "stalls",
    "stop",
    "short_clip",
    "skew",
    "loop_lag",
    "home_assistant",
)


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
    sections: tuple[str, ...] = SECTIONS
    stall_leads: tuple[float, ...] = (0.1, 0.2, 0.3, 0.36)
    stall_ms: tuple[int, ...] = (50, 150, 250, 300)
    stall_speakers: tuple[int, ...] = (1, 10)
    skew_streams: tuple[int, ...] = (10, 50, 100)
    loop_lag_streams: int = 100
    hass_runs: int = 20


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
        "skew_ms": {
            k: round(v, 2) for k, v in arrival_skew_ms([r.arrivals for r in recordings]).items()
        },
        "load_average": load(),
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
    """Every benchmark section asked for, in one simulator process; returns the results."""
    ffmpeg = find_ffmpeg()
    results_dir = options.output.parent
    media_dir = results_dir / "media"
    media_dir.mkdir(parents=True, exist_ok=True)
    clips = {
        seconds: media_dir / f"clip-{seconds:g}s.mp3"
        for seconds in (
            options.pacing_seconds,
            options.concurrency_seconds,
            TTFA_CLIP_SECONDS,
            SHORT_CLIP_SECONDS,
            STALL_CLIP_SECONDS,
            LOOP_LAG_CLIP_SECONDS,
        )
    }
    for seconds, clip in clips.items():
        make_clip(ffmpeg, clip, seconds)
    most = max((*options.streams, *options.baseline_streams, *options.skew_streams, 1))
    cameras = math.ceil(most / CHANNELS_PER_CAMERA)
    doc: dict[str, Any] = {"machine": machine(ffmpeg), "options": _jsonable(asdict(options))}
    doc["options"]["default_lead"] = DEFAULT_LEAD
    wanted = set(options.sections)

    async with (
        SimulatorProcess(
            cameras, CHANNELS_PER_CAMERA, results_dir / "simulator.log", axis_speakers=MIX_AXIS
        ) as simulator,
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
        axis_clients = [
            VapixClient(
                session, axis.host, port=axis.port, username=AXIS_USER, password=AXIS_PASSWORD
            )
            for axis in simulator.axis_speakers
        ]
        control = Control(session, [*simulator.cameras, *simulator.axis_speakers])
        bench = Bench(ffmpeg, clients, CHANNELS_PER_CAMERA, control, axis_clients)
        if "pacing" in wanted:
            await _pacing(bench, options, clips[options.pacing_seconds], ffmpeg, doc)
        if "ttfa" in wanted:
            await _ttfa(bench, options, clips[TTFA_CLIP_SECONDS], doc)
        concurrency_reference = reference_decode(ffmpeg, clips[options.concurrency_seconds])
        if "concurrency" in wanted:
            doc["concurrency"] = []
            for streams in options.streams:
                say(f"concurrency: Talkback fan-out to {streams} speakers")
                result = await fan_out_run(
                    bench,
                    clips[options.concurrency_seconds],
                    streams,
                    options.concurrency_seconds,
                    options.lead,
                )
                entry = concurrency_entry(
                    result, await bench.control.recordings(), concurrency_reference
                )
                doc["concurrency"].append(entry)
                say(f"  {entry}")
        if "baseline" in wanted:
            doc.setdefault("ffmpeg_re_baseline", {})["concurrency"] = []
            for streams in options.baseline_streams:
                say(f"concurrency: {streams} x ffmpeg -re")
                result = await ffmpeg_re_run(
                    bench, clips[options.concurrency_seconds], streams, options.concurrency_seconds
                )
                entry = concurrency_entry(
                    result, await bench.control.recordings(), concurrency_reference
                )
                doc["ffmpeg_re_baseline"]["concurrency"].append(entry)
                say(f"  {entry}")
        if "stalls" in wanted:
            doc["stalls"] = await _stalls(bench, options, clips[STALL_CLIP_SECONDS])
        if "stop" in wanted:
            doc["stop"] = await _stop(bench, options, clips[STALL_CLIP_SECONDS])
        if "short_clip" in wanted:
            doc["short_clip"] = await _short_clip(bench, options, clips[SHORT_CLIP_SECONDS])
        if "skew" in wanted:
            doc["skew_ms"] = await _skew(bench, options, clips[STALL_CLIP_SECONDS], doc)
        if "loop_lag" in wanted:
            say(f"loop lag: a probe task while {options.loop_lag_streams} speakers play")
            doc["loop_lag_ms"] = {
                **await loop_lag_play(
                    bench, clips[LOOP_LAG_CLIP_SECONDS], options.loop_lag_streams, options.lead
                ),
                "load_average": load(),
            }
            say(f"  {doc['loop_lag_ms']}")

    if "home_assistant" in wanted:
        say(f"home assistant: tts.speak, {options.hass_runs} runs per case")
        doc["home_assistant"] = {
            **await tts_speak_latency(ffmpeg, options.hass_runs, say),
            "load_average": load(),
        }
    doc["targets"] = targets(doc, options)
    return doc


async def _pacing(
    bench: Bench, options: Options, clip: Path, ffmpeg: str, doc: dict[str, Any]
) -> None:
    """One 60 s stream: Talkback, the naive loop and ffmpeg -re; the lead plot."""
    reference = reference_decode(ffmpeg, clip)
    say(f"pacing: Talkback, {options.pacing_seconds:g} s clip")
    stats: list[PacerStats] = []

    async def talkback() -> None:
        stats.append(await play_talkback(bench, clip, options.lead))

    (ours,) = await recorded(bench, talkback)
    doc["pacing"] = {
        **pacing_figures(ours, reference),
        "lead_ms": options.lead * 1000,
        "pacer": _pacer_json(stats[0]),
        "load_average": load(),
    }
    say(f"  {doc['pacing']}")

    say("pacing: naive sleep(0.02) baseline")
    (naive,) = await recorded(bench, lambda: play_naive(bench, clip))
    doc["naive_baseline"] = {**pacing_figures(naive, reference), "load_average": load()}
    say(f"  {doc['naive_baseline']}")

    say("pacing: ffmpeg -re baseline")
    (ffmpeg_re,) = await recorded(bench, lambda: play_ffmpeg_re(bench, clip))
    doc["ffmpeg_re_baseline"] = {**pacing_figures(ffmpeg_re, reference), "load_average": load()}
    say(f"  {doc['ffmpeg_re_baseline']}")

    plot_path = options.output.parent / "lead.png"
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


async def _ttfa(bench: Bench, options: Options, clip: Path, doc: dict[str, Any]) -> None:
    say(f"ttfa: {options.ttfa_runs} plays of a file on disk")
    samples = [
        await time_to_first_audio(bench, clip, options.lead) * 1000
        for _ in range(options.ttfa_runs)
    ]
    doc["ttfa_ms"] = {
        "p50": round(percentile(samples, 50), 2),
        "p95": round(percentile(samples, 95), 2),
        "max": round(max(samples), 2),
        "runs": len(samples),
        "load_average": load(),
    }
    say(f"  {doc['ttfa_ms']}")


async def _stalls(bench: Bench, options: Options, clip: Path) -> dict[str, Any]:
    """Underruns at the devices with the loop blocked at random moments, per lead and length."""
    rng = random.Random(STALL_SEED)
    section: dict[str, Any] = {
        "clip_seconds": STALL_CLIP_SECONDS,
        "stalls_per_play": STALLS_PER_PLAY,
        "seed": STALL_SEED,
        "by_lead_ms": {},
    }
    for lead in options.stall_leads:
        by_speakers: dict[str, Any] = {}
        for speakers in options.stall_speakers:
            by_length: dict[str, Any] = {}
            for stall_ms in options.stall_ms:
                moments = stall_moments(rng, STALL_CLIP_SECONDS, STALLS_PER_PLAY, stall_ms / 1000)
                say(f"stalls: lead {lead * 1000:g} ms, {speakers} speakers, {stall_ms} ms stalls")
                entry = await stall_play(
                    bench, clip, speakers, lead, length=stall_ms / 1000, moments=moments
                )
                by_length[str(stall_ms)] = {**entry, "load_average": load()}
                say(f"  {by_length[str(stall_ms)]}")
            by_speakers[str(speakers)] = by_length
        section["by_lead_ms"][f"{lead * 1000:g}"] = by_speakers
    return section


async def _stop(bench: Bench, options: Options, clip: Path) -> dict[str, Any]:
    """STOP during a play to the most stall speakers, at every lead of the stall sweep."""
    speakers = max(options.stall_speakers)
    section: dict[str, Any] = {"stop_after_s": STOP_AFTER_SECONDS, "by_lead_ms": {}}
    for lead in options.stall_leads:
        say(f"stop: lead {lead * 1000:g} ms, {speakers} speakers")
        entry = await stop_play(bench, clip, speakers, lead, STOP_AFTER_SECONDS)
        section["by_lead_ms"][f"{lead * 1000:g}"] = {**entry, "load_average": load()}
        say(f"  {entry}")
    return section


async def _short_clip(bench: Bench, options: Options, clip: Path) -> dict[str, Any]:
    """A 2 s clip to one speaker: start (time to first audio) and end (tail), per lead."""
    section: dict[str, Any] = {"clip_seconds": SHORT_CLIP_SECONDS, "by_lead_ms": {}}
    for lead in options.stall_leads:
        runs = [await short_clip_play(bench, clip, lead) for _ in range(SHORT_CLIP_RUNS)]
        ttfa = [run["ttfa_ms"] for run in runs]
        tails = [run["tail_ms"] for run in runs]
        entry = {
            "ttfa_ms_p50": round(percentile(ttfa, 50), 1),
            "ttfa_ms_max": round(max(ttfa), 1),
            "tail_ms_min": round(min(tails), 1),
            "tail_ms_max": round(max(tails), 1),
            "runs": len(runs),
            "load_average": load(),
        }
        section["by_lead_ms"][f"{lead * 1000:g}"] = entry
        say(f"short clip: lead {lead * 1000:g} ms: {entry}")
    return section


async def _skew(bench: Bench, options: Options, clip: Path, doc: dict[str, Any]) -> dict[str, Any]:
    """Start and end skew: the concurrency runs' figures, plus a Hikvision + Axis mix."""
    section: dict[str, Any] = {
        str(row["streams"]): row["skew_ms"]
        for row in doc.get("concurrency", [])
        if row["streams"] in options.skew_streams
    }
    for streams in options.skew_streams:
        if str(streams) not in section:
            say(f"skew: {streams} speakers")
            entry = await skew_play(bench, clip, bench.camera_talks(streams), options.lead)
            section[str(streams)] = {"start": entry["start_ms"], "end": entry["end_ms"]}
    say(f"skew: {MIX_CAMERAS} Hikvision channels + {MIX_AXIS} Axis speakers")
    mix = await skew_play(bench, clip, bench.mixed_talks(MIX_CAMERAS), options.lead)
    section["hikvision_axis_mix"] = {
        "start": mix["start_ms"],
        "end": mix["end_ms"],
        "speakers": mix["speakers"],
        "recorded": mix["recorded"],
        "failed_or_dropped": mix["failed_or_dropped"],
        "load_average": load(),
    }
    say(f"  {section}")
    return section


def targets(doc: dict[str, Any], options: Options) -> dict[str, dict[str, Any]]:
    """Each target of the issues: the measured value and whether it holds (sections run)."""

    def row(value: Any, met: bool, target: str) -> dict[str, Any]:
        return {"value": value, "target": target, "met": bool(met)}

    found: dict[str, dict[str, Any]] = {}
    rows = doc.get("concurrency", [])
    baseline = doc.get("ffmpeg_re_baseline", {})
    baseline_rows = {r["streams"]: r for r in baseline.get("concurrency", [])}
    if "pacing" in doc:
        pacing = doc["pacing"]
        lead_bound = pacing["lead_ms"] + 20
        found["drift"] = row(
            {
                "talkback_pct": pacing["duration_error_pct"],
                "ffmpeg_re_pct": baseline["duration_error_pct"],
            },
            abs(pacing["duration_error_pct"]) < MAX_DRIFT_PCT
            and abs(pacing["duration_error_pct"]) <= abs(baseline["duration_error_pct"]),
            f"|drift| < {MAX_DRIFT_PCT} % and no worse than ffmpeg -re",
        )
        found["max_lead_ms"] = row(
            pacing["max_lead_ms"], pacing["max_lead_ms"] <= lead_bound, f"<= {lead_bound:g} ms"
        )
        found["correlation"] = row(
            pacing["correlation"], pacing["correlation"] >= MIN_CORRELATION, f">= {MIN_CORRELATION}"
        )
    if "pacing" in doc or rows:
        underruns = {str(r["streams"]): r["underruns"] for r in rows}
        if "pacing" in doc:
            underruns["pacing"] = doc["pacing"]["underruns"]
        found["underruns"] = row(underruns, not any(underruns.values()), "0 at every stream count")
    if "ttfa_ms" in doc:
        found["ttfa_p95_ms"] = row(
            doc["ttfa_ms"]["p95"],
            doc["ttfa_ms"]["p95"] < MAX_TTFA_P95_MS,
            f"< {MAX_TTFA_P95_MS} ms",
        )
    if rows:
        ratios = {
            str(r["streams"]): round(
                r["cpu_pct_per_stream"] / baseline_rows[r["streams"]]["cpu_pct_per_stream"], 3
            )
            for r in rows
            if r["streams"] in baseline_rows
        }
        found["cpu_of_ffmpeg_re"] = row(
            ratios,
            len(ratios) == len(rows) and all(v <= MAX_CPU_OF_FFMPEG_RE for v in ratios.values()),
            f"<= {MAX_CPU_OF_FFMPEG_RE} x ffmpeg -re's, same run, every stream count",
        )
        found["cpu_pct_per_stream"] = row(
            {str(r["streams"]): r["cpu_pct_per_stream"] for r in rows},
            all(r["cpu_pct_per_stream"] < MAX_CPU_PCT_PER_STREAM for r in rows),
            f"< {MAX_CPU_PCT_PER_STREAM} % of a core",
        )
        found["ffmpeg_per_announce"] = row(
            {str(r["streams"]): r["ffmpeg_processes"] for r in rows},
            all(r["ffmpeg_processes"] == 1 for r in rows),
            "1 whatever the number of speakers",
        )
        most = max(rows, key=lambda r: r["streams"])
        found["rss_mb_per_speaker"] = row(
            {str(most["streams"]): most["rss_mb_per_stream"]}, True, "reported"
        )
    default = f"{DEFAULT_LEAD * 1000:g}"
    if default in doc.get("stalls", {}).get("by_lead_ms", {}):
        at_default = doc["stalls"]["by_lead_ms"][default]
        counts = {
            f"{speakers} speakers, {length} ms": entry["underruns"]
            for speakers, by_length in at_default.items()
            for length, entry in by_length.items()
            if int(length) <= TARGET_STALL_MS
        }
        found["stall_underruns"] = row(
            counts,
            not any(counts.values()),
            f"0 with stalls up to {TARGET_STALL_MS} ms at the default lead ({default} ms)",
        )
    if default in doc.get("stop", {}).get("by_lead_ms", {}):
        stop = doc["stop"]["by_lead_ms"][default]
        found["stop_session_closed_ms"] = row(
            stop["session_closed_ms_max"],
            stop["session_closed_ms_max"] <= MAX_STOP_MS,
            f"<= {MAX_STOP_MS} ms at the default lead",
        )
    if default in doc.get("short_clip", {}).get("by_lead_ms", {}):
        short = doc["short_clip"]["by_lead_ms"][default]
        found["short_clip"] = row(
            {"ttfa_ms_max": short["ttfa_ms_max"], "tail_ms_min": short["tail_ms_min"]},
            short["ttfa_ms_max"] < MAX_TTFA_P95_MS and short["tail_ms_min"] >= 0,
            f"first audio < {MAX_TTFA_P95_MS} ms, session open until the audio played",
        )
    if "skew_ms" in doc:
        spreads = {
            name: max(entry["start"], entry["end"]) for name, entry in doc["skew_ms"].items()
        }
        found["skew_ms"] = row(
            spreads, all(v <= MAX_SKEW_MS for v in spreads.values()), f"<= {MAX_SKEW_MS} ms"
        )
    if "loop_lag_ms" in doc:
        playing = doc["loop_lag_ms"]["playing"]
        found["loop_lag_ms"] = row(
            {"max": playing["max"], "max_on_cpu": playing["max_on_cpu"]},
            playing["max_on_cpu"] <= MAX_LOOP_LAG_MS,
            f"<= {MAX_LOOP_LAG_MS} ms spent on the loop (max also counts other processes' CPU)",
        )
    return found


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


def load() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages, next to a figure."""
    return [round(value, 2) for value in os.getloadavg()]


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
