"""`scripts/develop`: Home Assistant with Talkback, against the built-in device simulators.

Prepares config/ (owner account, onboarding done), starts Home Assistant, prints where to log
in, and on Ctrl-C stops everything it started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path
import signal

from .config_dir import prepare_config_dir
from .hass import HassProcess

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "dev"
PASSWORD = "talkback"  # noqa: S105  (a local demo account, printed for the developer)


async def develop(config_dir: Path, port: int) -> int:
    """Run the demo until SIGINT/SIGTERM; return Home Assistant's exit code."""
    await prepare_config_dir(config_dir, USERNAME, PASSWORD)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    hass = HassProcess(config_dir, port)
    try:
        await hass.start()
        print(f"\nHome Assistant with Talkback: {hass.url}  (login: {USERNAME} / {PASSWORD})")
        print(f"Log: {config_dir / 'home-assistant.log'}. Ctrl-C stops everything.\n", flush=True)
        assert hass.process is not None
        waiter = asyncio.ensure_future(hass.process.wait())
        stopper = asyncio.ensure_future(stop.wait())
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stopper
    finally:
        code = await hass.stop()
    print("Stopped.", flush=True)
    return code or 0


def main() -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config")
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(develop(args.config.resolve(), args.port)))


if __name__ == "__main__":
    main()
