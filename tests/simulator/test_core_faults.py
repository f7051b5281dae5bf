"""Every fault, injected into the camera and seen from the client side."""

from __future__ import annotations

import asyncio
import contextlib
import time
from xml.etree import ElementTree as ET

import aiohttp
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
import pytest

from simulator.core import Fault, FaultKind, FaultPlan
from simulator.core.faults import corrupt
from simulator.hikvision import HikvisionCamera

from .helpers import TWA, open_session, open_talk_socket, put, xml_values

INFO = "/ISAPI/System/deviceInfo"


async def test_delay_applies_to_matching_paths_only(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """A delay holds the answer back by at least its seconds, only where it matches."""
    camera.faults.add(Fault(FaultKind.DELAY, path="/ISAPI/System/device*", seconds=0.3))
    started = time.monotonic()
    async with http.get(INFO) as response:
        assert response.status == 200
    assert time.monotonic() - started >= 0.3
    async with http.get(TWA) as response:
        assert response.status == 200
    assert [r.faults for r in camera.requests] == [("delay",), ("delay",), ()]


@pytest.mark.parametrize(
    ("status", "code", "sub_status"), [(500, "3", "deviceError"), (503, "2", "deviceBusy")]
)
async def test_status_fault_answers_as_the_device(
    http: aiohttp.ClientSession, camera: HikvisionCamera, status: int, code: str, sub_status: str
) -> None:
    """5xx in the device's own dialect, for `count` requests, then normal service."""
    camera.faults.add(Fault(FaultKind.STATUS, path=INFO, status=status, count=1))
    async with http.get(INFO) as response:
        values = xml_values(await response.read())
        assert response.status == status
        assert (values["statusCode"], values["subStatusCode"]) == (code, sub_status)
    async with http.get(INFO) as response:
        assert response.status == 200
    assert camera.faults.active == []


async def test_html_401_refuses_good_credentials(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """The HTML 401 fault refuses even a correct Digest response, with an HTML page."""
    camera.faults.add(Fault(FaultKind.HTML_401, path=INFO))
    async with http.get(INFO) as response:
        assert response.status == 401
        assert response.headers["Content-Type"] == "text/html"
        assert "<h2>Access Error: 401 -- Unauthorized</h2>" in await response.text()
        assert response.headers["WWW-Authenticate"].startswith("Digest ")


@pytest.mark.parametrize("kind", [FaultKind.MALFORMED, FaultKind.TRUNCATED])
async def test_broken_xml(
    http: aiohttp.ClientSession, camera: HikvisionCamera, kind: FaultKind
) -> None:
    """Malformed and truncated answers do not parse; the HTTP framing stays valid."""
    camera.faults.add(Fault(kind, path=INFO))
    async with http.get(INFO) as response:
        assert response.status == 200
        body = await response.read()
    assert int(response.headers["Content-Length"]) == len(body)
    with pytest.raises(ET.ParseError):
        ET.fromstring(body)


@pytest.mark.parametrize("kind", [FaultKind.ENTITY_BOMB, FaultKind.EXTERNAL_ENTITY])
async def test_hostile_xml_is_stopped_by_defusedxml(
    http: aiohttp.ClientSession, camera: HikvisionCamera, kind: FaultKind
) -> None:
    """The entity bomb and the external entity are refused by a safe parser."""
    camera.faults.add(Fault(kind, path=f"{TWA}*"))
    async with http.get(f"{TWA}/1") as response:
        body = await response.read()
    assert len(body) < 2000
    assert b"<!DOCTYPE TwoWayAudioChannel" in body
    with pytest.raises(DefusedXmlException):
        safe_fromstring(body)


async def test_drop_after_received_cuts_the_talk_socket(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """The camera drops the talk socket after N bytes: exactly N are recorded, no answer."""
    session_id = await open_session(http)
    camera.faults.add(Fault(FaultKind.DROP_AFTER_RECEIVED, path=f"{TWA}/1/audioData", nbytes=1000))
    talk = await open_talk_socket(camera.port, session_id)
    try:
        for _ in range(20):
            await talk.send(b"\xff" * 160)
    except ConnectionError:
        pass
    assert await talk.at_eof()
    await talk.close()
    assert len(camera.recorder.recordings[0].data) == 1000
    assert camera.requests[-1].status is None
    assert camera.requests[-1].body_bytes == 1000


async def test_drop_after_sent_cuts_the_answer(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """The answer stops after N bytes and the connection closes: the client sees an error."""
    camera.faults.add(Fault(FaultKind.DROP_AFTER_SENT, path=INFO, nbytes=150))
    with pytest.raises(aiohttp.ClientError):
        async with http.get(INFO) as response:
            await response.read()


async def test_drop_after_sent_cuts_the_listen_stream(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """On a stream without length, the connection ends after N bytes of audio."""
    session_id = await open_session(http)
    camera.faults.add(Fault(FaultKind.DROP_AFTER_SENT, path=f"{TWA}/1/audioData", nbytes=500))
    async with http.get(f"{TWA}/1/audioData", params={"sessionId": session_id}) as response:
        assert len(await response.read()) == 500


def test_fault_from_json_validates() -> None:
    """The control endpoint's parser refuses what it does not understand."""
    fault = Fault.from_json({"kind": "delay", "path": "/x", "seconds": 1, "count": 2})
    assert fault == Fault(FaultKind.DELAY, path="/x", seconds=1.0, count=2)
    assert Fault.from_json(fault.to_json()) == fault
    bad: object
    for bad, error in (
        ([], TypeError),
        ({"kind": "explode"}, ValueError),
        ({"kind": "delay", "secs": 1}, ValueError),
        ({"kind": "delay", "seconds": "1"}, TypeError),
        ({"kind": "delay", "seconds": -1}, ValueError),
        ({"kind": "status", "status": 99}, ValueError),
        ({"kind": "status", "count": 0}, ValueError),
        ({"kind": "status", "count": True}, TypeError),
    ):
        with pytest.raises(error):
            Fault.from_json(bad)


def test_fault_plan_counts_and_matches() -> None:
    """Counted faults wear out; method and path patterns filter."""
    plan = FaultPlan()
    plan.add(Fault(FaultKind.STATUS, method="PUT", path="*/open", count=2))
    plan.add(Fault(FaultKind.DELAY, seconds=0.1))
    assert [f.kind for f in plan.take("GET", "/a/open")] == ["delay"]
    assert [f.kind for f in plan.take("PUT", "/a/open")] == ["status", "delay"]
    assert [f.kind for f in plan.take("PUT", "/a/open")] == ["status", "delay"]
    assert [f.kind for f in plan.take("PUT", "/a/open")] == ["delay"]
    plan.replace([])
    assert plan.active == []


def test_corrupt_json_bodies() -> None:
    """Body faults also break JSON answers (for JSON devices)."""
    import json

    body = json.dumps({"a": {"b": 1}}).encode()
    for kind in (FaultKind.MALFORMED, FaultKind.TRUNCATED):
        broken, content_type = corrupt(kind, body, "application/json")
        assert content_type == "application/json"
        with pytest.raises(json.JSONDecodeError):
            json.loads(broken)


async def test_reauth_answers_a_stale_401_mid_body(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """After N bytes of talk audio: 401 with a fresh nonce marked stale, then the close."""
    session_id = await open_session(http)
    camera.faults.add(Fault(FaultKind.REAUTH, path=f"{TWA}/1/audioData", nbytes=1000))
    talk = await open_talk_socket(camera.port, session_id)
    with contextlib.suppress(ConnectionError):
        for _ in range(10):
            await talk.send(b"\xff" * 160)
    answer = await talk.response()
    await talk.close()
    assert answer.status == 401
    assert 'stale="TRUE"' in answer.headers["www-authenticate"]
    assert 1000 <= len(camera.recorder.recordings[0].data) <= 1600  # read in 4 KiB steps


async def test_stop_reading_takes_no_more(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """After N bytes the camera stops reading: writes soon block, nothing more is recorded,
    and closing the session ends the connection."""
    session_id = await open_session(http)
    camera.faults.add(Fault(FaultKind.STOP_READING, path=f"{TWA}/1/audioData", nbytes=1000))
    talk = await open_talk_socket(camera.port, session_id)

    async def fill() -> None:
        while True:  # the buffers fill: a write finally waits
            await talk.send(b"\xff" * 8000)

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(fill(), 2.0)
    recorded = len(camera.recorder.recordings[0].data)
    await asyncio.sleep(0.2)
    assert len(camera.recorder.recordings[0].data) == recorded < 64 * 1024
    await put(http, f"{TWA}/1/close")
    assert await talk.at_eof()
    await talk.close()


def test_new_fault_fields_round_trip() -> None:
    """`reason` and the stream fault kinds travel through JSON (the control endpoint)."""
    for fault in (
        Fault(FaultKind.STATUS, path="*/close", status=403, reason="notSupport"),
        Fault(FaultKind.STOP_READING, nbytes=8000, seconds=5.0),
        Fault(FaultKind.REAUTH, method="POST", nbytes=4000, count=1),
        Fault(FaultKind.SILENT_END, seconds=20.0),
    ):
        assert Fault.from_json(fault.to_json()) == fault
    with pytest.raises(TypeError):
        Fault.from_json({"kind": "status", "reason": 403})
