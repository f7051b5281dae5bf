"""Request helpers for the Axis simulator tests, written without the client library."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import aiohttp

from simulator.axis import AxisSpeaker, AxisSpeakerConfig

USER = "root"
PASSWORD = "s3cret-Pa55"
FAST = AxisSpeakerConfig(username=USER, password=PASSWORD, link_delay=0.0, link_interval=0.02)
WAIT_LIMIT = 5.0


def basic(user: str = USER, password: str = PASSWORD) -> dict[str, str]:
    """An Authorization header with Basic credentials."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def url(device: AxisSpeaker, path: str) -> str:
    """Where a path of the device is."""
    return f"http://{device.host}:{device.port}{path}"


async def relay(
    http: aiohttp.ClientSession, device: AxisSpeaker, command: str, params: object = None
) -> tuple[int, Any]:
    """POST one `axar:` command as JSON; return the status and the decoded answer."""
    body = json.dumps({f"axar:{command}": {} if params is None else params})
    async with http.post(url(device, "/vapix/audiorelay"), data=body, headers=basic()) as answer:
        body = await answer.read()
        if answer.content_type == "application/json":
            return answer.status, json.loads(body)
        return answer.status, body.decode()


async def statuses(http: aiohttp.ClientSession, device: AxisSpeaker) -> dict[str, str]:
    """Peer id -> ConnectionStatus, as the device reports them."""
    _, answer = await relay(http, device, "GetAudioPeerStatus")
    return {item["Id"]: item["ConnectionStatus"] for item in answer["PeerStatus"]}


async def wait_status(
    http: aiohttp.ClientSession, device: AxisSpeaker, peer_id: str, expected: str
) -> None:
    """Poll until the device reports `expected` for a peer."""
    async with asyncio.timeout(WAIT_LIMIT):
        while (await statuses(http, device)).get(peer_id) != expected:
            await asyncio.sleep(0.01)


def peer(device: AxisSpeaker, *, leader: bool = False, **extra: object) -> dict[str, object]:
    """An AudioPeerConfiguration addressing a device by MAC, with the test credentials."""
    return {
        "Address": {"MAC": device.mac},
        "Leader": leader,
        "Credentials": {"User": USER, "Password": PASSWORD},
        **extra,
    }
