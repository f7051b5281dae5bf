"""The device simulators as a child process (`python -m simulator`), as a demo or test runs them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
import signal
import sys
from typing import Any

import aiohttp

DEVICE_OPTIONS = frozenset({"--camera", "--axis"})
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


@dataclass
class SimulatorProcess:
    """Simulated devices in a separate process; `devices` holds what each one announced."""

    args: list[str]
    devices: list[dict[str, Any]] = field(default_factory=list)
    process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start the process and wait for every device's announcement line."""
        expected = sum(arg in DEVICE_OPTIONS for arg in self.args)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "simulator",
            *self.args,
            stdout=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        async with asyncio.timeout(READY_TIMEOUT):
            while len(self.devices) < expected:
                line = await self.process.stdout.readline()
                if not line:
                    raise RuntimeError(f"the simulators exited with {await self.process.wait()}")
                if line.startswith(b"{"):
                    self.devices.append(json.loads(line))

    async def stop(self) -> None:
        """Stop the simulators as Ctrl-C would."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    async def stats(self, device: dict[str, Any]) -> Any:
        """A device's recordings and request log from its control endpoint."""
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{device['url']}/simulator/stats") as response,
        ):
            response.raise_for_status()
            return await response.json()
