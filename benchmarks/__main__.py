"""`python -m benchmarks [--quick]`: pacing, time to first audio and concurrency figures.

Writes benchmarks/results/latest.json and benchmarks/results/lead.png.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
import sys

from .run import Options, run, say

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def _streams(text: str) -> tuple[int, ...]:
    return tuple(int(item) for item in text.split(",") if item)


def main() -> int:
    """Parse the options, run, write the results and print the targets."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--pacing-seconds", type=float, default=60.0)
    parser.add_argument("--concurrency-seconds", type=float, default=20.0)
    parser.add_argument("--streams", type=_streams, default=(1, 10, 50, 100))
    parser.add_argument("--baseline-streams", type=_streams, default=(1, 10, 50, 100))
    parser.add_argument("--ttfa-runs", type=int, default=30)
    parser.add_argument("--lead", type=float, default=0.1, help="pacer lead in seconds")
    parser.add_argument(
        "--quick", action="store_true", help="short clips and few streams (a smoke run)"
    )
    args = parser.parse_args()
    if args.quick:
        args.pacing_seconds, args.concurrency_seconds = 10.0, 5.0
        args.streams = args.baseline_streams = (1, 10)
        args.ttfa_runs = 5
    options = Options(
        output=args.output,
        pacing_seconds=args.pacing_seconds,
        concurrency_seconds=args.concurrency_seconds,
        streams=args.streams,
        baseline_streams=args.baseline_streams,
        ttfa_runs=args.ttfa_runs,
        lead=args.lead,
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
