"""The /simulator/ control endpoints, as a benchmark in another process uses them."""

from __future__ import annotations

import io
from typing import Any
import wave

import aiohttp
import pytest

from simulator.hikvision import HikvisionCamera

from .helpers import TWA, open_session, open_talk_socket, put


async def post(control: aiohttp.ClientSession, path: str, document: object) -> tuple[int, Any]:
    async with control.post(path, json=document) as response:
        return response.status, await response.json()


async def test_stats_describe_device_state_and_recordings(
    http: aiohttp.ClientSession, control: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """One talk session, read back over HTTP: summary, arrivals, WAV and raw bytes."""
    session_id = await open_session(http)
    talk = await open_talk_socket(camera.port, session_id)
    await talk.send(b"\xff" * 800)
    await talk.finish()
    await put(http, f"{TWA}/1/close")

    async with control.get("/simulator/stats") as response:
        stats = await response.json()
    assert stats["device"]["model"] == "DS-2CD2386G2-IU"
    assert stats["device"]["port"] == camera.port
    assert "password" not in str(stats)
    assert stats["state"]["channels"][0]["enabled"] is False
    assert stats["auth"]["digest"] >= 3
    [summary] = stats["recordings"]
    assert (summary["bytes"], summary["session_id"], summary["close_reason"]) == (
        800,
        session_id,
        "closed by client",
    )

    async with control.get("/simulator/recordings/0") as response:
        detail = await response.json()
    assert sum(size for _, size in detail["arrivals"]) == 800
    async with control.get("/simulator/recordings/0/audio.wav") as response:
        with wave.open(io.BytesIO(await response.read())) as heard:
            assert heard.getnframes() == 800
    async with control.get("/simulator/recordings/0/audio.raw") as response:
        assert await response.read() == b"\xff" * 800
    for missing in ("/simulator/recordings/7", "/simulator/recordings/0/audio.mp3"):
        async with control.get(missing) as response:
            assert response.status == 400

    async with control.get("/simulator/requests") as response:
        log = await response.json()
    targets = [(entry["method"], entry["target"].split("?")[0], entry["status"]) for entry in log]
    assert ("PUT", f"{TWA}/1/audioData", 200) in targets
    assert targets[-1] == ("PUT", f"{TWA}/1/close", 200)
    assert all("Authorization" not in str(entry) for entry in log)


async def test_faults_over_http(
    http: aiohttp.ClientSession, control: aiohttp.ClientSession
) -> None:
    """POST replaces or adds faults, DELETE clears them; bad documents are 400."""
    status, body = await post(
        control,
        "/simulator/faults",
        {"faults": [{"kind": "status", "path": "/ISAPI/*", "status": 500}]},
    )
    assert status == 200
    assert body == {
        "faults": [
            {
                "kind": "status",
                "path": "/ISAPI/*",
                "method": "*",
                "seconds": 0.0,
                "status": 500,
                "nbytes": 0,
                "count": None,
                "reason": "",
            }
        ]
    }
    async with http.get("/ISAPI/System/deviceInfo") as response:
        assert response.status == 500
    _, body = await post(
        control, "/simulator/faults", {"faults": [{"kind": "delay"}], "mode": "add"}
    )
    assert [fault["kind"] for fault in body["faults"]] == ["status", "delay"]
    async with control.delete("/simulator/faults") as response:
        assert (await response.json()) == {"faults": []}
    async with http.get("/ISAPI/System/deviceInfo") as response:
        assert response.status == 200
    bad: object
    for bad in (
        {"faults": [{"kind": "nope"}]},
        {"faults": {}},
        [],
        {"faults": [], "mode": "merge"},
    ):
        assert (await post(control, "/simulator/faults", bad))[0] == 400
    async with control.post("/simulator/faults", data=b"{not json") as response:
        assert response.status == 400


async def test_state_over_http(
    http: aiohttp.ClientSession, control: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """Hold, stale session, idle timeout and nonce expiry, set from another process."""
    status, state = await post(
        control, "/simulator/state", {"channel": 1, "held": True, "idle_timeout": 0.5}
    )
    assert status == 200
    assert state["idle_timeout"] == 0.5
    assert state["channels"][0]["held"] is True
    assert (await put(http, f"{TWA}/1/open"))[0] == 503
    await post(control, "/simulator/state", {"held": False, "stale_session": True})
    assert (await put(http, f"{TWA}/1/open"))[0] == 403
    async with control.get("/simulator/state") as response:
        assert (await response.json())["channels"][0]["stale_session"] is True
    await post(control, "/simulator/state", {"stale_session": False, "expire_nonces": True})
    assert (await put(http, f"{TWA}/1/open"))[0] == 200
    assert camera.authenticator.counts["stale-nonce"] == 1
    for bad in ({"channel": 9}, {"held": "yes"}, {"idle_timeout": 0}, {"colour": "red"}, [1]):
        assert (await post(control, "/simulator/state", bad))[0] == 400


async def test_reset(
    http: aiohttp.ClientSession, control: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """reset ends sessions, restores settings and forgets recordings, faults and requests."""
    await open_session(http)
    await put(
        http,
        f"{TWA}/1",
        b"<TwoWayAudioChannel><id>1</id><speakerVolume>9</speakerVolume></TwoWayAudioChannel>",
    )
    camera.hold(1)
    await post(control, "/simulator/faults", {"faults": [{"kind": "delay"}]})
    status, _ = await post(control, "/simulator/reset", {})
    assert status == 200
    assert camera.recorder.recordings == []
    assert camera.faults.active == []
    assert len(camera.requests) == 0
    channel = camera.channels[1]
    assert (channel.session, channel.held, channel.speaker_volume) == (None, False, 50)


async def test_control_errors(control: aiohttp.ClientSession) -> None:
    """Unknown control paths are 404, wrong methods 405, both JSON."""
    async with control.get("/simulator/nothing") as response:
        assert response.status == 404
        assert "error" in await response.json()
    async with control.put("/simulator/stats") as response:
        assert response.status == 405


@pytest.mark.parametrize("path", ["/simulator/stats", "/simulator/state"])
async def test_control_needs_no_auth_and_ignores_faults(
    control: aiohttp.ClientSession, camera: HikvisionCamera, path: str
) -> None:
    """Control endpoints stay reachable whatever faults the device has."""
    await post(control, "/simulator/faults", {"faults": [{"kind": "status", "status": 503}]})
    async with control.get(path) as response:
        assert response.status == 200
