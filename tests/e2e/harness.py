"""What the e2e tests share: the running instance, its camera's recordings, test media."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
import contextlib
from dataclasses import dataclass, field
import json
from pathlib import Path
import shutil
from typing import Any
import wave

import numpy as np
import pytest_socket

from benchmarks.simulated import Control
from devtools.instance import TalkbackInstance

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CAMERA_NAME = "Front door"
CAMERA = f"device_name={CAMERA_NAME},mac=02:00:00:00:e2:01"
SPEAKER = "media_player.front_door"
TTS_ENGINE = "tts.espeak_ng"
STATE_TIMEOUT = 10.0  # for an entity to reach a state
AUDIO_TIMEOUT = 20.0  # for the camera to receive audio after a play starts
POLL_INTERVAL = 0.05
TONE_RATE = 16000


@contextlib.contextmanager
def instance_loop(instance: TalkbackInstance, log_name: str) -> Iterator[asyncio.Runner]:
    """An event loop of the instance's own (not made current: PHACC checks the tests' loop).

    On exit the instance stops, whatever state it is in (sockets allowed again: PHACC blocks
    them before every test), and its log is kept as `log_name`.
    """
    runner = asyncio.Runner(loop_factory=asyncio.new_event_loop)
    try:
        yield runner
    finally:
        pytest_socket.enable_socket()
        try:
            runner.run(instance.stop())
        finally:
            runner.close()
            if instance.log_path.exists():
                shutil.copyfile(instance.log_path, ARTIFACTS / log_name)


def write_tone(path: Path, seconds: float, frequency: float = 440.0) -> None:
    """A sine tone as 16-bit mono WAV (for plays that last until they are stopped)."""
    times = np.arange(int(seconds * TONE_RATE)) / TONE_RATE
    samples = (np.sin(2 * np.pi * frequency * times) * 8000).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(TONE_RATE)
        wav.writeframes(samples.tobytes())


@dataclass
class EndToEnd:
    """The running instance, its simulated camera, and helpers the tests share."""

    runner: asyncio.Runner
    instance: TalkbackInstance
    control: Control
    ffmpeg: str
    figures: dict[str, Any] = field(default_factory=dict)

    def run[T](self, step: Coroutine[Any, Any, T]) -> T:
        """Run an async step on the instance's event loop."""
        return self.runner.run(step)

    @property
    def camera_url(self) -> str:
        """The simulated camera's base URL (control endpoints under /simulator/)."""
        url: str = self.instance.camera()["url"]
        return url

    async def summaries(self) -> list[dict[str, Any]]:
        """The camera's talk sessions since the last reset, as the simulator sums them up."""
        async with self.instance.rest.session.get(
            f"{self.camera_url}/simulator/recordings"
        ) as response:
            response.raise_for_status()
            summaries: list[dict[str, Any]] = await response.json()
            return summaries

    async def wait_for_audio(self, seconds: float) -> dict[str, Any]:
        """Wait until the open session has received `seconds` of audio; return its summary."""
        async with asyncio.timeout(AUDIO_TIMEOUT):
            while True:
                summaries = await self.summaries()
                if summaries and summaries[-1]["bytes"] >= seconds * 8000:
                    return summaries[-1]
                await asyncio.sleep(POLL_INTERVAL)

    @contextlib.asynccontextmanager
    async def playing(self, media_name: str) -> AsyncIterator[asyncio.Future[Any]]:
        """Play a file of the media folder on the speaker; yield the pending call once playing.

        `play_media` over REST returns only when the play has ended; on the way out the call
        is cancelled if it still runs.
        """
        play = asyncio.ensure_future(
            self.instance.rest.call_service(
                "media_player",
                "play_media",
                {
                    "entity_id": SPEAKER,
                    "media_content_id": f"media-source://media_source/local/{media_name}",
                    "media_content_type": "music",
                },
            )
        )
        try:
            await self.wait_for_state(SPEAKER, "playing")
            yield play
        finally:
            if not play.done():
                play.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await play

    async def stop_speaker(self) -> None:
        """`media_player.media_stop` on the speaker."""
        await self.instance.rest.call_service("media_player", "media_stop", {"entity_id": SPEAKER})

    async def wait_for_state(self, entity_id: str, state: str) -> dict[str, Any]:
        """Wait until an entity has a state; return the state object."""
        async with asyncio.timeout(STATE_TIMEOUT):
            while (current := await self.instance.rest.state(entity_id))["state"] != state:
                await asyncio.sleep(POLL_INTERVAL)
            return current

    async def tts_audio(self, message: str) -> bytes:
        """The audio file Home Assistant made for `message` (the cached one `tts.speak` used)."""
        api = self.instance.rest
        found = await api.request(
            "POST", "/api/tts_get_url", {"engine_id": TTS_ENGINE, "message": message}
        )
        async with api.session.get(found["url"]) as response:
            response.raise_for_status()
            return await response.read()

    def talkback_errors(self) -> list[str]:
        """ERROR lines in Home Assistant's log from or about Talkback."""
        return self.instance.log_errors("talkback")

    def record(self, **figures: Any) -> None:
        """Keep measured figures; they end up in test-artifacts/e2e/figures.json."""
        self.figures.update(figures)
        (ARTIFACTS / "figures.json").write_text(json.dumps(self.figures, indent=2) + "\n")
