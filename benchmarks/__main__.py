"""`python -m benchmarks [--quick]`: pacing, latency, concurrency, stalls, skew, loop lag.

Writes benchmarks/results/latest.json and benchmarks/results/lead.png.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
import sys

from custom_components.talkback.audio.const import DEFAULT_LEAD

from .run import SECTIONS, Options, run, say

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def _streams(text: str) -> tuple[int, ...]:
    return tuple(int(item) for item in text.split(",") if item)


def _seconds(text: str) -> tuple[float, ...]:
    return tuple(float(item) for item in text.split(",") if item)


def _sections(text: str) -> tuple[str, ...]:
    chosen = tuple(item for item in text.split(",") if item)
    if unknown := set(chosen) - set(SECTIONS):
        raise argparse.ArgumentTypeError(f"unknown sections {sorted(unknown)}; known: {SECTIONS}")
    return chosen


def main() -> int:
    """Parse the options, run, write the results and print the targets."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--pacing-seconds", type=float, default=60.0)
    parser.add_argument("--concurrency-seconds", type=float, default=20.0)
    parser.add_argument("--streams", type=_streams, default=(1, 10, 50, 100))
    parser.add_argument("--baseline-streams", type=_streams, default=(1, 10, 50, 100))
    parser.add_argument("--ttfa-runs", type=int, default=30)
    parser.add_argument(
        "--lead", type=float, default=DEFAULT_LEAD, help="pacer lead in seconds (the default's)"
    )
    parser.add_argument(
        "--only",
        type=_sections,
        default=tuple(section for section in SECTIONS if section != "home_assistant"),
        help=f"comma-separated sections to run, of {','.join(SECTIONS)}",
    )
    parser.add_argument(
        "--home-assistant",
        action="store_true",
        help="also run home_assistant: tts.speak in a real Home Assistant (about 4 minutes)",
    )
    parser.add_argument("--hass-runs", type=int, default=20)
    parser.add_argument(
        "--stall-leads", type=_seconds, default=(0.1, 0.2, 0.3, 0.36), help="leads in seconds"
    )
    parser.add_argument("--stall-ms", type=_streams, default=(50, 150, 250, 300))
    parser.add_argument("--stall-speakers", type=_streams, default=(1, 10))
    parser.add_argument("--skew-streams", type=_streams, default=(10, 50, 100))
    parser.add_argument("--loop-lag-streams", type=int, default=100)
    parser.add_argument(
        "--quick", action="store_true", help="short clips and few streams (a smoke run)"
    )
    args = parser.parse_args()
    if args.quick:
        args.pacing_seconds, args.concurrency_seconds = 10.0, 5.0
        args.streams = args.baseline_streams = (1, 10)
        args.ttfa_runs = 5
        args.stall_leads, args.stall_ms = (DEFAULT_LEAD,), (250,)
        args.skew_streams, args.loop_lag_streams, args.hass_runs = (10,), 10, 3
    sections = args.only
    if args.home_assistant and "home_assistant" not in sections:
        sections = (*sections, "home_assistant")
    options = Options(
        output=args.output,
        pacing_seconds=args.pacing_seconds,
        concurrency_seconds=args.concurrency_seconds,
        streams=args.streams,
        baseline_streams=args.baseline_streams,
        ttfa_runs=args.ttfa_runs,
        lead=args.lead,
        sections=sections,
        stall_leads=args.stall_leads,
        stall_ms=args.stall_ms,
        stall_speakers=args.stall_speakers,
        skew_streams=args.skew_streams,
        loop_lag_streams=args.loop_lag_streams,
        hass_runs=args.hass_runs,
    )
    doc = asyncio.run(run(options))
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(doc, indent=2) + "\n")
    say(f"results: {options.output}")
    for name, target in doc["targets"].items():
        say(
            f"  {'met    ' if target['met'] else 'MISSED '} {name}: {target['value']} (target {target['target']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
