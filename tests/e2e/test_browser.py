"""A user in headless Chromium sees the camera speaker play, on its device page and dialog.

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

import pytest

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
