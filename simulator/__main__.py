"""`python -m simulator --camera port=8001 [--camera ...]`: run devices until SIGINT/SIGTERM.

Prints one JSON line per device once it listens (see simulator/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import json
import logging
from pathlib import Path
import signal
import sys

from simulator.core import DeviceKind, DeviceSpec, SimulatedDevice
from simulator.kinds import DEVICE_KINDS


def build_parser(kinds: Sequence[DeviceKind]) -> argparse.ArgumentParser:
    """One repeatable `--<kind> SPEC` option per device kind."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Run simulated devices on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("--record-dir", type=Path, help="write every recording here")
    parser.add_argument("--log-level", default="WARNING", help="Python logging level")
    for kind in kinds:
        parser.add_argument(
            f"--{kind.option}",
            dest=kind.option.replace("-", "_"),
            action="append",
            default=[],
            metavar="KEY=VALUE,...",
            help=kind.help,
        )
    return parser


def build_devices(
    parser: argparse.ArgumentParser, args: argparse.Namespace, kinds: Sequence[DeviceKind]
) -> list[SimulatedDevice]:
    """Every device asked for on the command line (argparse errors on a bad spec)."""
    devices = []
    for kind in kinds:
        for text in getattr(args, kind.option.replace("-", "_")):
            try:
                devices.append(kind.build(DeviceSpec(text), args.record_dir))
            except ValueError as err:
                parser.error(f"--{kind.option} {text}: {err}")
    if not devices:
        parser.error("start at least one device, e.g. --camera port=8001")
    return devices


async def serve(devices: Sequence[SimulatedDevice]) -> None:
    """Start every device, announce it, and stop them all on SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    started: list[SimulatedDevice] = []
    try:
        for device in devices:
            await device.start()
            started.append(device)
            print(json.dumps(device.describe()), flush=True)
        await stop.wait()
    finally:
        for device in reversed(started):
            await device.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    parser = build_parser(DEVICE_KINDS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    devices = build_devices(parser, args, DEVICE_KINDS)
    try:
        asyncio.run(serve(devices))
    except OSError as err:
        print(f"simulator: cannot listen: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
