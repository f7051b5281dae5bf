"""A throwaway Home Assistant with Talkback and simulated cameras, for end-to-end tests.

Everything runs on free loopback ports in a configuration directory of its own. `start()`
leaves every camera added through the config flow over REST, as a user would add it;
`stop()` ends Home Assistant and the simulators as Ctrl-C would, whatever state they are in.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
import re
import socket
import time
from typing import Any

import aiohttp

from .config_dir import prepare_config_dir
from .develop import add_devices
from .hass import HassApi, HassProcess
from .simulators import SimulatorProcess

USERNAME = "e2e"
PASSWORD = "e2e-talkback"  # noqa: S105  (a local test account in a temporary directory)
DOMAIN = "talkback"
LOG_FILE = "home-assistant.log"
# How long the config entries may take to load their entities after the flow created them.
SETUP_TIMEOUT = 30.0
POLL_INTERVAL = 0.2
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)
# A record in home-assistant.log: "2026-01-01 00:00:00.000 ERROR (MainThread) [logger] ...".
ERROR_LEVELS = frozenset({"ERROR", "CRITICAL"})
LOG_RECORD = re.compile(r"^\S+ \S+ (?P<level>[A-Z]+) \([^)]*\) \[(?P<logger>[^\]]+)\]")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class TalkbackInstance:
    """Simulated cameras and a real `hass` process with every camera added to Talkback.

    `cameras` are `--camera` option strings of `python -m simulator` (without a port).
    """

    config_dir: Path
    cameras: list[str]
    ffmpeg: str = "ffmpeg"
    simulators: SimulatorProcess = field(init=False)
    hass: HassProcess = field(init=False)
    api: HassApi | None = field(default=None, init=False, repr=False)
    startup_seconds: float = field(default=0.0, init=False)
    _session: aiohttp.ClientSession | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        """Choose the ports; nothing starts yet."""
        self.simulators = SimulatorProcess(
            [arg for spec in self.cameras for arg in ("--camera", f"port=0,{spec}")]
        )
        self.hass = HassProcess(
            self.config_dir, free_port(), env={"TALKBACK_FFMPEG_BIN": self.ffmpeg}
        )

    @property
    def username(self) -> str:
        """The owner account (a browser logs in with it)."""
        return USERNAME

    @property
    def password(self) -> str:
        """The owner account's password."""
        return PASSWORD

    @property
    def media_dir(self) -> Path:
        """Files here play as `media-source://media_source/local/<name>`."""
        return self.hass.media_dir

    @property
    def log_path(self) -> Path:
        """Home Assistant's log file."""
        return self.config_dir / LOG_FILE

    @property
    def rest(self) -> HassApi:
        """The logged-in REST client."""
        if self.api is None:
            raise RuntimeError("the Home Assistant instance is not started")
        return self.api

    def camera(self, index: int = 0) -> dict[str, Any]:
        """What the simulator announced for a camera (url, mac, serial, name...)."""
        device: dict[str, Any] = self.simulators.devices[index]
        return device

    async def start(self) -> None:
        """Start the simulators and Home Assistant, log in and add every camera."""
        await prepare_config_dir(self.config_dir, USERNAME, PASSWORD)
        await self.simulators.start()
        started = time.monotonic()
        await self.hass.start()
        self.startup_seconds = time.monotonic() - started
        self._session = aiohttp.ClientSession(timeout=REQUEST_TIMEOUT)
        self.api = await HassApi.login(self._session, self.hass.url, USERNAME, PASSWORD)
        await add_devices(self.api, self.simulators.devices)
        await self.wait_until_loaded()

    async def wait_until_loaded(self) -> None:
        """Wait until every Talkback entry is loaded: its entities exist from then on."""
        async with asyncio.timeout(SETUP_TIMEOUT):
            while True:
                entries = await self.rest.config_entries(DOMAIN)
                if entries and all(entry["state"] == "loaded" for entry in entries):
                    return
                await asyncio.sleep(POLL_INTERVAL)

    async def render(self, template: str) -> str:
        """Render a template in Home Assistant (the REST API answers plain text)."""
        api = self.rest
        async with api.session.post(
            f"{api.base_url}/api/template",
            json={"template": template},
            headers={"Authorization": f"Bearer {api.token}"},
        ) as response:
            response.raise_for_status()
            return await response.text()

    def log_errors(self, integration: str) -> list[str]:
        """ERROR and CRITICAL lines of an integration's loggers, or about it.

        Home Assistant logs a failed platform or services.yaml with its own loggers, naming
        the integration in the message.
        """
        found = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            record = LOG_RECORD.match(line)
            if record is None or record["level"] not in ERROR_LEVELS:
                continue
            logger = record["logger"]
            if (
                logger == f"custom_components.{integration}"
                or logger.startswith(f"custom_components.{integration}.")
                or integration in line[record.end() :].lower()
            ):
                found.append(line)
        return found

    async def stop(self) -> None:
        """Stop Home Assistant, then the simulators; safe after a failed or partial start."""
        try:
            if self._session is not None:
                await self._session.close()
            await self.hass.stop()
        finally:
            await self.simulators.stop()
