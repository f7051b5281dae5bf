"""The simulator in its own process, and what its devices recorded (read over HTTP)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import io
import json
from pathlib import Path
import sys
from typing import Any, Self
import wave

import aiohttp
import numpy as np

from .metrics import Arrival, Samples

START_TIMEOUT = 30.0  # seconds for the simulator to listen
STOP_TIMEOUT = 10.0
CONTROL_TIMEOUT = aiohttp.ClientTimeout(total=60)
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Camera:
    """One simulated device as the simulator announced it (a camera, or an Axis speaker)."""

    name: str
    host: str
    port: int
    url: str
    channels: int
    kind: str = "hikvision"


@dataclass(frozen=True, slots=True)
class Recording:
    """One talk session as the device heard it."""

    channel: str
    arrivals: list[Arrival]
    data: bytes
    heard: Samples  # decoded by the simulator's own G.711 code
    close_reason: str | None
    closed_at: float | None = None  # when the device ended the session (monotonic)


class SimulatorProcess:
    """`python -m simulator` with N cameras and M Axis speakers, around a benchmark."""

    def __init__(self, cameras: int, channels: int, log_path: Path, axis_speakers: int = 0) -> None:
        self._specs = [
            ("--camera", f"port=0,channels={channels},name=bench{index}")
            for index in range(cameras)
        ] + [("--axis", f"port=0,name=benchaxis{index}") for index in range(axis_speakers)]
        self._channels = channels
        self._log_path = log_path
        self._process: asyncio.subprocess.Process | None = None
        self.cameras: list[Camera] = []
        self.axis_speakers: list[Camera] = []

    async def __aenter__(self) -> Self:
        args = [arg for spec in self._specs for arg in spec]
        with self._log_path.open("wb") as log:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "simulator", *args,
                cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=log,
            )  # fmt: skip
        assert self._process.stdout is not None
        async with asyncio.timeout(START_TIMEOUT):
            while len(self.cameras) + len(self.axis_speakers) < len(self._specs):
                line = await self._process.stdout.readline()
                if not line:
                    raise RuntimeError(f"the simulator did not start: see {self._log_path}")
                device = json.loads(line)
                axis = device["kind"] == "axis"
                (self.axis_speakers if axis else self.cameras).append(
                    Camera(
                        device["name"],
                        device["host"],
                        device["port"],
                        device["url"],
                        1 if axis else self._channels,
                        device["kind"],
                    )
                )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._process is None or self._process.returncode is not None:
            return
        self._process.terminate()
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                await self._process.wait()
        except TimeoutError:
            self._process.kill()
            await self._process.wait()


class Control:
    """The simulator's control endpoints (`/simulator/...`) of every camera."""

    def __init__(self, session: aiohttp.ClientSession, cameras: list[Camera]) -> None:
        self._session = session
        self._cameras = cameras

    async def reset(self) -> None:
        """Forget every recording."""
        for camera in self._cameras:
            async with self._session.post(
                f"{camera.url}/simulator/reset", timeout=CONTROL_TIMEOUT
            ) as response:
                response.raise_for_status()

    async def recordings(self) -> list[Recording]:
        """Every talk session since the last reset, camera by camera, in opening order."""
        found = []
        for camera in self._cameras:
            summaries = await self._json(f"{camera.url}/simulator/recordings")
            found += [await self._recording(camera, summary) for summary in summaries]
        return found

    async def _recording(self, camera: Camera, summary: dict[str, Any]) -> Recording:
        base = f"{camera.url}/simulator/recordings/{summary['index']}"
        detail = await self._json(base)
        data = await self._bytes(f"{base}/audio.raw")
        heard = _wav_samples(await self._bytes(f"{base}/audio.wav")) if data else np.zeros(0)
        return Recording(
            channel=f"{camera.name}/{summary['channel']}",
            arrivals=[(float(at), int(size)) for at, size in detail["arrivals"]],
            data=data,
            heard=heard,
            close_reason=summary.get("close_reason"),
            closed_at=summary.get("closed_at"),
        )

    async def _json(self, url: str) -> Any:
        async with self._session.get(url, timeout=CONTROL_TIMEOUT) as response:
            response.raise_for_status()
            return await response.json()

    async def _bytes(self, url: str) -> bytes:
        async with self._session.get(url, timeout=CONTROL_TIMEOUT) as response:
            response.raise_for_status()
            return await response.read()


def _wav_samples(data: bytes) -> Samples:
    with wave.open(io.BytesIO(data)) as wav:
        frames = wav.readframes(wav.getnframes())
    return np.frombuffer(frames, dtype="<i2").astype(np.float64)
