"""A user in headless Chromium: the camera speaker playing, on its device page and dialog;
the demo's integration page, a relay follower's device page and a discovered card.

Needs Debian's chromium and npm's playwright-core: `scripts/setup-browser` installs them
(the test runs it) and when it cannot, the test is skipped with its reason. Screenshots go
to test-artifacts/e2e/.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import time
from typing import Any

import aiohttp
import pytest

from devtools.config_dir import prepare_config_dir
from devtools.develop import DEMO_DEVICES, PASSWORD, USERNAME, add_devices, announce_discovered
from devtools.hass import HassApi, HassProcess
from devtools.instance import free_port
from devtools.simulators import SimulatorProcess

from .harness import ARTIFACTS, CAMERA_NAME, ROOT, SPEAKER, EndToEnd, write_tone

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SETUP_BROWSER = ROOT / "scripts" / "setup-browser"
TOUR = ROOT / "devtools" / "frontend_tour.mjs"
SETUP_TIMEOUT = 420  # seconds; a first run installs Chromium with apt-get
TOUR_TIMEOUT = 120.0  # seconds for the whole browser tour
PLAY_SECONDS = 180  # outlasts the tour; stopped right after it
MEDIA_NAME = "browser-tone.wav"


@pytest.fixture(scope="module")
def browser() -> dict[str, str]:
    """Where Chromium and playwright-core are; skip (with the reason) when they cannot be had."""
    try:
        result = subprocess.run(
            [str(SETUP_BROWSER)], capture_output=True, text=True, timeout=SETUP_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"scripts/setup-browser did not finish within {SETUP_TIMEOUT} s")
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or [f"exit status {result.returncode}"]
        pytest.skip(lines[-1])
    found = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert {"chromium", "playwright_core"} <= found.keys(), result.stdout
    return found


async def take_tour(tour: dict[str, Any]) -> dict[str, Any]:
    """Run the browser tour in node and return what it saw."""
    process = await asyncio.create_subprocess_exec(
        "node",
        str(TOUR),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(TOUR_TIMEOUT):
            out, err = await process.communicate(json.dumps(tour).encode())
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode(errors="replace")
    seen: dict[str, Any] = json.loads(out)
    return seen


@pytest.mark.timeout(SETUP_TIMEOUT + 180)
def test_device_page_and_more_info_dialog(e2e: EndToEnd, browser: dict[str, str]) -> None:
    """Log in, open the Talkback camera's device page and its speaker's more-info dialog."""
    write_tone(e2e.instance.media_dir / MEDIA_NAME, PLAY_SECONDS)
    device_id = e2e.run(e2e.instance.render(f"{{{{ device_id('{SPEAKER}') }}}}")).strip()
    assert re.fullmatch(r"[0-9a-f]{32}", device_id), device_id
    tour = {
        "url": e2e.instance.hass.url,
        "username": e2e.instance.username,
        "password": e2e.instance.password,
        "devicePath": f"/config/devices/device/{device_id}",
        "entityName": CAMERA_NAME,
        "waitFor": "Playing",
        "chromium": browser["chromium"],
        "playwrightCore": browser["playwright_core"],
        "outDir": str(ARTIFACTS),
    }

    async def tour_while_playing() -> dict[str, Any]:
        await e2e.control.reset()
        async with e2e.playing(MEDIA_NAME) as play:
            seen = await take_tour(tour)
            await e2e.stop_speaker()
            await play
            return seen

    started = time.monotonic()
    seen = e2e.run(tour_while_playing())
    e2e.record(browser_test_s=round(time.monotonic() - started, 2), browser_tour_s=seen["seconds"])
    steps = seen["steps"]

    assert "Log in" in steps["login"]["text"]
    assert "Settings" in steps["home"]["text"]
    device_page = steps["device"]["text"]
    for expected in (CAMERA_NAME, "Talkback", "Hikvision", "DS-2CD2386G2-IU", "Playing"):
        assert expected in device_page, f"{expected!r} not on the device page"
    assert "Talk session" in device_page
    dialog = steps["moreInfo"]["text"]
    assert CAMERA_NAME in dialog
    assert MEDIA_NAME in dialog  # what plays, as the media player reports it
    for step in steps.values():
        assert (ARTIFACTS / step["png"]).stat().st_size > 10_000
    assert e2e.talkback_errors() == []


DEMO_ADDED = ("Front door", "Gate station", "Hall", "Kitchen", "Garage", "Porch")
"""What the demo adds: a camera, a door station and four Axis speakers (a second camera is
left to discovery)."""


async def talkback_devices(
    session: aiohttp.ClientSession, url: str, token: str
) -> dict[str, list[str]]:
    """Device names by Talkback entry title, from the device registry (websocket API)."""
    async with session.ws_connect(f"{url}/api/websocket") as ws:
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": token})
        await ws.receive_json()
        await ws.send_json({"id": 1, "type": "config_entries/get", "domain": "talkback"})
        entries = {e["entry_id"]: e["title"] for e in (await ws.receive_json())["result"]}
        await ws.send_json({"id": 2, "type": "config/device_registry/list"})
        devices = (await ws.receive_json())["result"]
    found: dict[str, list[str]] = {title: [] for title in entries.values()}
    for device in devices:
        if (title := entries.get(device.get("config_entry_id"))) is not None:
            found[title].append(device["name"])
    return found


async def demo_tour(config_dir: Any, browser: dict[str, str]) -> tuple[dict[str, Any], Any]:
    """The demo as scripts/develop builds it (simulators on free ports), then the tour."""
    await prepare_config_dir(config_dir, USERNAME, PASSWORD)
    # Free ports instead of the demo's fixed ones: a developer's demo may be running.
    simulators = SimulatorProcess([re.sub(r"port=\d+", "port=0", arg) for arg in DEMO_DEVICES])
    hass = HassProcess(config_dir, free_port())
    try:
        await simulators.start()
        await hass.start()
        async with aiohttp.ClientSession() as session:
            api = await HassApi.login(session, hass.url, USERNAME, PASSWORD)
            await add_devices(api, simulators.devices)
            await announce_discovered(api, simulators.devices)
            async with session.post(
                f"{hass.url}/api/template",
                json={"template": "{{ device_id('media_player.kitchen') }}"},
                headers={"Authorization": f"Bearer {api.token}"},
            ) as answer:
                kitchen = (await answer.text()).strip()
            counted = await talkback_devices(session, hass.url, api.token)
            seen = await take_tour(
                {
                    "url": hass.url,
                    "username": USERNAME,
                    "password": PASSWORD,
                    "pages": [
                        {
                            "name": "integration",
                            "path": "/config/integrations/integration/talkback",
                            "waitFor": "Kitchen",
                        },
                        {
                            "name": "follower",
                            "path": f"/config/devices/device/{kitchen}",
                            "waitFor": "Connection status",
                        },
                    ],
                    "openCard": {
                        "path": "/config/integrations/dashboard",
                        "text": "Hikvision (127.0.0.1)",
                        "waitFor": "Talkback found Hikvision (127.0.0.1)",
                    },
                    "chromium": browser["chromium"],
                    "playwrightCore": browser["playwright_core"],
                    "outDir": str(ARTIFACTS),
                }
            )
        return seen, counted
    finally:
        await hass.stop()
        await simulators.stop()


@pytest.mark.timeout(SETUP_TIMEOUT + 240)
def test_demo_integration_follower_and_discovered_card(
    browser: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """One device per piece of hardware, a follower's relay entities on its own device, and
    the card of the camera the demo left to discovery."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seen, counted = asyncio.run(demo_tour(tmp_path_factory.mktemp("demo"), browser))
    steps = seen["steps"]
    # One device per piece of hardware (no relay follower twice); the door station's two
    # talk channels are parts of it (child devices).
    assert counted == {title: [title] for title in DEMO_ADDED} | {
        "Gate station": ["Gate station", "Channel 1", "Channel 2"]
    }
    integration = steps["integration"]["text"]
    assert f"{len(DEMO_ADDED) + 2} devices" in integration  # was 10 with follower copies
    for name in DEMO_ADDED:
        assert name in integration
    follower = steps["follower"]["text"]
    for expected in ("Kitchen", "Connection status", "Output gain", "Output muted", "Relay leader"):
        assert expected in follower, f"{expected!r} not on the follower's device page"
    assert "Hikvision (127.0.0.1)" in steps["discovered"]["text"]
    dialog = steps["discoveredDialog"]["text"]
    for expected in ("Username", "Password", "Port"):
        assert expected in dialog
    for step in steps.values():
        assert (ARTIFACTS / step["png"]).stat().st_size > 10_000
