"""Run a real Home Assistant process and talk to it over its REST API, as a user's browser would.

Used by `scripts/develop` and by the end-to-end tests.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import os
from pathlib import Path
import signal
import sys
from typing import Any, Self

import aiohttp

from .http_settings import store_http_settings

CLIENT_ID_PATH = "/"
STARTUP_TIMEOUT = 120.0
STOP_TIMEOUT = 60.0
WEBSOCKET_TIMEOUT = 30.0
# What the login page asks first; it needs no token. Polling an API that needs one counts
# every 401 as a failed login and raises a "Login attempt failed" notification.
READY_PATH = "/auth/providers"


@dataclass
class HassProcess:
    """A `hass -c CONFIG` child process on a loopback port."""

    config_dir: Path
    port: int
    env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        """Base URL of the instance."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def media_dir(self) -> Path:
        """Local media: `media-source://media_source/local/<name>` plays CONFIG/media/<name>.

        configuration.yaml reads it from TALKBACK_MEDIA_DIR, so it is the same in a container
        (where Home Assistant would otherwise pick /media) and everywhere else.
        """
        return self.config_dir / "media"

    async def start(self) -> None:
        """Start Home Assistant on the loopback port and wait until its HTTP API answers."""
        await store_http_settings(self.config_dir, self.port)
        media = self.media_dir
        media.mkdir(exist_ok=True)
        env = (
            os.environ
            | self.env
            | {
                "TALKBACK_HA_URL": self.url,
                "TALKBACK_MEDIA_DIR": str(media),
            }
        )
        log = (self.log_path or self.config_dir / "hass.stdout.log").open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "homeassistant",
            "-c",
            str(self.config_dir),
            # Everything is installed by scripts/setup; a missing requirement must fail loudly
            # here rather than be pip-installed while a test or the demo runs.
            "--skip-pip",
            env=env,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            cwd=self.config_dir,
            start_new_session=True,
        )
        log.close()
        await self.wait_ready()

    async def wait_ready(self) -> None:
        """Poll until the instance serves its API."""
        deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT
        async with aiohttp.ClientSession() as session:
            while True:
                if self.process is not None and self.process.returncode is not None:
                    raise RuntimeError(
                        f"Home Assistant exited with {self.process.returncode}; "
                        f"see {self.config_dir / 'home-assistant.log'}"
                    )
                try:
                    async with session.get(f"{self.url}{READY_PATH}") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"Home Assistant did not answer on {self.url}")
                await asyncio.sleep(0.5)

    async def stop(self) -> int | None:
        """Stop the instance as Ctrl-C would and wait for it; kill its session if it hangs."""
        if self.process is None or self.process.returncode is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGINT)
        try:
            return await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            # Its whole session (it leads one): ffmpeg and other children of a hung instance
            # must not outlive it.
            os.killpg(self.process.pid, signal.SIGKILL)
            return await self.process.wait()


@dataclass
class HassApi:
    """An authenticated REST client, logged in through the same login flow as the frontend."""

    base_url: str
    session: aiohttp.ClientSession
    token: str = field(default="", repr=False)

    @classmethod
    async def login(
        cls, session: aiohttp.ClientSession, base_url: str, username: str, password: str
    ) -> Self:
        """Log in with a username and password and return a client holding an access token."""
        client_id = base_url + CLIENT_ID_PATH
        async with session.post(
            f"{base_url}/auth/login_flow",
            json={
                "client_id": client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": client_id,
            },
        ) as response:
            flow = await response.json()
        async with session.post(
            f"{base_url}/auth/login_flow/{flow['flow_id']}",
            json={"client_id": client_id, "username": username, "password": password},
        ) as response:
            result = await response.json()
        if result.get("type") != "create_entry":
            raise PermissionError(f"login failed: {result.get('errors')}")
        async with session.post(
            f"{base_url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": result["result"],
                "client_id": client_id,
            },
        ) as response:
            tokens = await response.json()
        return cls(base_url, session, tokens["access_token"])

    async def request(self, method: str, path: str, payload: Any = None) -> Any:
        """Call the REST API and return the decoded JSON body; raise on HTTP errors."""
        async with self.session.request(
            method,
            f"{self.base_url}{path}",
            json=payload,
            headers={"Authorization": f"Bearer {self.token}"},
        ) as response:
            body = await response.json(content_type=None)
            if response.status >= 400:
                raise RuntimeError(f"{method} {path} -> {response.status}: {body}")
            return body

    async def config_entries(self, domain: str) -> list[dict[str, Any]]:
        """Return the config entries of one integration."""
        entries: list[dict[str, Any]] = await self.request(
            "GET", f"/api/config/config_entries/entry?domain={domain}"
        )
        return entries

    async def run_config_flow(self, handler: str, *steps: dict[str, Any]) -> dict[str, Any]:
        """Start a config flow and answer its steps in order; return the last result."""
        result: dict[str, Any] = await self.request(
            "POST", "/api/config/config_entries/flow", {"handler": handler}
        )
        for answer in steps:
            result = await self.request(
                "POST", f"/api/config/config_entries/flow/{result['flow_id']}", answer
            )
        return result

    async def call_service(self, domain: str, service: str, data: dict[str, Any]) -> Any:
        """Call an action and wait for it to finish (REST actions block until done)."""
        return await self.request("POST", f"/api/services/{domain}/{service}", data)

    async def websocket_command(self, command: dict[str, Any]) -> Any:
        """Send one websocket command, as the frontend does, and return its result."""
        async with (
            asyncio.timeout(WEBSOCKET_TIMEOUT),
            self.session.ws_connect(f"{self.base_url}/api/websocket") as connection,
        ):
            await connection.receive_json()  # auth_required
            await connection.send_json({"type": "auth", "access_token": self.token})
            if (await connection.receive_json()).get("type") != "auth_ok":
                raise PermissionError("the websocket API refused the access token")
            await connection.send_json({**command, "id": 1})
            while (message := await connection.receive_json()).get("id") != 1:
                pass
        if not message.get("success"):
            raise RuntimeError(f"{command['type']} failed: {message.get('error')}")
        return message.get("result")

    async def state(self, entity_id: str) -> dict[str, Any]:
        """Return an entity's state object."""
        state: dict[str, Any] = await self.request("GET", f"/api/states/{entity_id}")
        return state
