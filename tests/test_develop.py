"""`scripts/develop` stops on SIGTERM and SIGINT, even while Home Assistant is starting.

`timeout 60 scripts/develop` sends SIGTERM to develop alone (Home Assistant and the
simulators run in sessions of their own); on a busy machine it lands before Home Assistant
answers. Here develop runs for real with one simulated camera on a free port, and Home
Assistant is spawned but never seen ready, as on a machine too slow to start it in time.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import select
import signal
import socket
import subprocess
import sys
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[1]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0

# develop with its demo devices replaced by one camera on a free port (a developer's demo
# may hold the fixed ones), and a Home Assistant start that never ends; it prints the
# processes it started once Home Assistant has been spawned.
DRIVER = """
import asyncio, json, sys
from devtools import develop
from devtools.hass import HassProcess
from devtools.simulators import SimulatorProcess

started = SimulatorProcess.start

async def start_simulators(self):
    await started(self)
    print(json.dumps({"pid": self.process.pid, "port": self.devices[0]["port"]}), flush=True)

async def never_ready(self):
    print(json.dumps({"pid": self.process.pid}), flush=True)
    await asyncio.Event().wait()

SimulatorProcess.start = start_simulators
HassProcess.wait_ready = never_ready
develop.DEMO_DEVICES[:] = ["--camera", "port=0"]
sys.argv = ["develop", "--config", sys.argv[1], "--port", sys.argv[2]]
develop.main()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Develop:
    """develop in a subprocess, and the sessions of the processes it said it started."""

    process: subprocess.Popen[bytes]
    sessions: list[int] = field(default_factory=list)

    def read_started(self) -> dict[str, Any]:
        """The next line of the driver: a process develop started."""
        assert self.process.stdout is not None
        while True:
            ready, _, _ = select.select([self.process.stdout], [], [], START_TIMEOUT)
            assert ready, "develop did not get as far as starting Home Assistant"
            line = self.process.stdout.readline()
            assert line, f"develop exited early with {self.process.wait()}"
            if line.startswith(b"{"):
                started: dict[str, Any] = json.loads(line)
                self.sessions.append(started["pid"])
                return started


def gone(session: int) -> bool:
    """No process is left in the session (the one develop started, ffmpeg...)."""
    try:
        os.killpg(session, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def develop(tmp_path: Path) -> Iterator[Develop]:
    """develop started; afterwards it and everything it started are gone, whatever happened."""
    process = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(tmp_path / "config"), str(free_port())],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    running = Develop(process)
    yield running
    if process.poll() is None:
        process.kill()
    for session in running.sessions:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(session, signal.SIGKILL)
    process.communicate(timeout=STOP_TIMEOUT)


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_while_starting_stops_everything(develop: Develop, signum: signal.Signals) -> None:
    """The signal ends develop at once; Home Assistant and the simulators are stopped."""
    simulators = develop.read_started()
    hass = develop.read_started()

    develop.process.send_signal(signum)
    out, err = develop.process.communicate(timeout=STOP_TIMEOUT)

    assert out.rstrip().endswith(b"Stopped."), err.decode()
    assert gone(hass["pid"])
    assert gone(simulators["pid"])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", simulators["port"]), timeout=5).close()
