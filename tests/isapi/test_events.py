"""The alert stream reader and the call status, on real payloads and against the simulator."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
import json
from pathlib import Path
import random

import aiohttp
import pytest

from custom_components.talkback.isapi.client import IsapiClient
from custom_components.talkback.isapi.events import (
    MAX_PART_BYTES,
    AlertEvent,
    MultipartSplitter,
    alert_events,
    boundary_of,
    call_status,
    doorbell_rings,
    parse_alert,
)
from custom_components.talkback.isapi.exceptions import (
    IsapiNotSupportedError,
    IsapiResponseError,
    IsapiTimeoutError,
)
from simulator.hikvision import HikvisionCamera
from tests.rawhttp.scripted import Peer, ScriptedServer

from .helpers import camera_and_client, make_client
from .realdata import real_files

ALERTS = real_files("alertStream_*")
HEARTBEATS = {path.name for path in ALERTS if "heartbeat" in path.name}
XML = 'application/xml; charset="UTF-8"'
# What a DS-KV6113 sent when its button was pressed (Hikvision-Addons issue 260): not a ring.
KV6113_PRESS = {
    "eventType": "AccessControllerEvent",
    "eventState": "active",
    "AccessControllerEvent": {"deviceName": "INTERFONE", "majorEventType": 3, "subEventType": 1024},
}
RING = {
    "eventType": "AccessControllerEvent",
    "eventState": "active",
    "dateTime": "2026-11-27T10:00:00+01:00",
    "AccessControllerEvent": {"majorEventType": 5, "subEventType": 37, "doorNo": 1},
}


def expected_type(path: Path) -> str:
    text = path.read_text()
    return text.split("<eventType>")[1].split("</eventType>")[0]


@pytest.mark.parametrize("path", ALERTS, ids=[p.name for p in ALERTS])
def test_every_real_alert_parses(path: Path) -> None:
    """Each captured EventNotificationAlert: type, state, heartbeat or not, never a ring."""
    event = parse_alert(XML, path.read_bytes())
    assert event is not None
    assert event.event_type == expected_type(path)
    assert event.state in ("active", "inactive")
    assert event.is_heartbeat == (path.name in HEARTBEATS)
    assert not event.is_doorbell_ring
    assert event.date_time is not None
    if "nvr_psia" in path.name:
        assert event.channel_id == "34"
    if "no-ns" in path.name:
        assert event.channel_id == "2"


def multipart(parts: list[tuple[str, bytes]], *, crlf: bool, lengths: bool) -> bytes:
    """An alert stream body in one of the framings devices use."""
    eol = b"\r\n" if crlf else b"\n"
    out = b""
    for content_type, body in parts:
        head = [b"--boundary", f"Content-Type: {content_type}".encode()]
        if lengths:
            head.append(f"Content-Length: {len(body)}".encode())
        out += eol.join(head) + eol + eol + body + eol
    return out + b"--boundary--" + eol


def stream_parts() -> list[tuple[str, bytes]]:
    """Every real alert, a door station's JSON ring, and a snapshot picture in between."""
    parts = [(XML, path.read_bytes()) for path in ALERTS]
    picture = b"\xff\xd8" + bytes(range(256)) * 8 + b"\r\n--boundary\r\n" + b"\xff\xd9"
    parts.insert(2, ("image/jpeg", picture))
    parts.append(("application/json", json.dumps(RING, indent=1).encode()))
    return parts


def split_all(data: bytes, splitter: MultipartSplitter, chunk: int | None) -> list[AlertEvent]:
    rng = random.Random(len(data))
    found = []
    position = 0
    while position < len(data):
        size = chunk or rng.randint(1, 700)
        for content_type, body in splitter.feed(data[position : position + size]):
            event = parse_alert(content_type, body)
            if event is not None:
                found.append(event)
        position += size
    return found


@pytest.mark.parametrize("crlf", [True, False], ids=["crlf", "lf"])
@pytest.mark.parametrize("lengths", [True, False], ids=["content-length", "delimited"])
@pytest.mark.parametrize("boundary", ["boundary", None], ids=["header", "learned"])
@pytest.mark.parametrize("chunk", [None, 1, 100_000], ids=["random", "bytewise", "whole"])
def test_stream_framings(
    crlf: bool, lengths: bool, boundary: str | None, chunk: int | None
) -> None:
    """The same events whatever the framing and however the bytes arrive."""
    parts = stream_parts()
    if not lengths:
        # Without Content-Length a part ends at the next boundary: a picture could not carry one.
        parts = [part for part in parts if part[0] != "image/jpeg"]
    data = multipart(parts, crlf=crlf, lengths=lengths)
    events = split_all(data, MultipartSplitter(boundary), chunk)
    assert [event.event_type for event in events] == [
        *(expected_type(path) for path in ALERTS),
        "AccessControllerEvent",
    ]
    assert [event.is_heartbeat for event in events].count(True) == len(HEARTBEATS)
    assert events[-1].is_doorbell_ring
    assert events[-1].door == 1


def test_oversized_parts_and_garbage_are_skipped() -> None:
    """A huge picture is skipped without being kept; bytes between parts are ignored."""
    splitter = MultipartSplitter("MIME_boundary")
    big = MAX_PART_BYTES + 10
    head = f"--MIME_boundary\r\nContent-Type: image/jpeg\r\nContent-Length: {big}\r\n\r\n"
    assert splitter.feed(b"noise before the first part\r\n" + head.encode()) == []
    fed = 0
    while fed < big:
        size = min(65536, big - fed)
        assert splitter.feed(b"\x00" * size) == []
        assert len(splitter._buffer) == 0  # skipped, never kept
        fed += size
    ring = json.dumps(RING).encode()
    tail = (
        f"\r\n--MIME_boundary\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(ring)}\r\n\r\n"
    ).encode()
    parts = splitter.feed(tail + ring + b"\r\n")
    assert parts == [("application/json", ring)]
    assert len(splitter._buffer) < 1000


def test_json_door_station_events() -> None:
    """The documented ring (major 5, minor 0x25) rings; other access events do not."""
    ring = parse_alert("application/json", json.dumps(RING).encode())
    assert ring is not None
    assert ring.is_doorbell_ring
    assert not ring.is_heartbeat
    press = parse_alert("application/json", json.dumps(KV6113_PRESS).encode())
    assert press is not None
    assert (press.major_type, press.minor_type) == (3, 1024)
    assert not press.is_doorbell_ring
    xml_ring = (
        b"<EventNotificationAlert><eventType>AccessControllerEvent</eventType>"
        b"<AccessControllerEvent><majorEventType>5</majorEventType>"
        b"<subEventType>37</subEventType></AccessControllerEvent></EventNotificationAlert>"
    )
    event = parse_alert("application/xml", xml_ring)
    assert event is not None
    assert event.is_doorbell_ring


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"{not json"),
        ("application/json", b'{"eventState": "active"}'),
        ("application/json", b"[1, 2]"),
        ("application/xml", b"<EventNotificationAlert><eventType>x</eventTy"),
        ("application/xml", b"<ResponseStatus><statusCode>4</statusCode></ResponseStatus>"),
        (
            "application/xml",
            b"<EventNotificationAlert><eventState>a</eventState></EventNotificationAlert>",
        ),
        (
            "application/xml",
            (
                b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
                b"<EventNotificationAlert><eventType>&b;</eventType></EventNotificationAlert>"
            ),
        ),
    ],
)
def test_hostile_or_broken_parts_are_typed_errors(content_type: str, body: bytes) -> None:
    """Broken parts raise IsapiResponseError (the stream reader skips them)."""
    with pytest.raises(IsapiResponseError):
        parse_alert(content_type, body)


def test_parts_without_events() -> None:
    """Pictures and empty parts carry no event."""
    assert parse_alert("image/jpeg", b"\xff\xd8\xff") is None
    assert parse_alert("application/xml", b"  \r\n") is None
    assert parse_alert("text/plain", b"hello") is None
    assert boundary_of('multipart/mixed; boundary="MIME_boundary"') == "MIME_boundary"
    assert boundary_of("multipart/mixed") is None


# Against the simulator --------------------------------------------------------------------


async def test_door_station_ring_on_the_stream_and_call_status(
    http: aiohttp.ClientSession,
) -> None:
    """A press on the simulated door station reaches the reader, the status and the poller."""
    async with camera_and_client(
        http, device_type="VIS", heartbeat_seconds=0.2, ring_timeout=0.6
    ) as (camera, client):
        assert await call_status(client) == "idle"
        events: list[AlertEvent] = []
        async with aclosing(alert_events(client, silence_timeout=2)) as stream:
            async for event in stream:
                events.append(event)
                if event.is_heartbeat and len(events) == 1:
                    camera.events.press()
                if event.is_doorbell_ring:
                    break
        assert events[0].is_heartbeat
        assert events[-1].is_doorbell_ring
        assert await call_status(client) == "ring"
        rings: list[str] = []

        async def count_rings() -> None:
            async with aclosing(doorbell_rings(client, poll_interval=0.05)) as poller:
                async for ring in poller:
                    rings.append(ring)  # noqa: PERF401 - seen as they come, never all at once

        poller = asyncio.create_task(count_rings())
        async with asyncio.timeout(5):
            while not rings:
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        assert rings == ["ring"]  # still ringing: reported once
        async with asyncio.timeout(5):
            while camera.events.call_status != "idle":  # the ring times out
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # the poller sees idle
        camera.events.press()
        async with asyncio.timeout(5):
            while len(rings) < 2:
                await asyncio.sleep(0.02)
        poller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await poller
        assert rings == ["ring", "ring"]
        assert camera.events.listeners == 0


async def test_silent_stream_times_out(http: aiohttp.ClientSession) -> None:
    """No event and no heartbeat for `silence_timeout`: IsapiTimeoutError."""
    async with camera_and_client(http, heartbeat_seconds=30) as (_, client):
        stream = alert_events(client, silence_timeout=0.3)
        with pytest.raises(IsapiTimeoutError, match=r"no event or heartbeat for 0\.3 s"):
            await anext(stream)


async def test_camera_has_no_call_status(client: IsapiClient, camera: HikvisionCamera) -> None:
    """A camera answers callStatus with 404 notSupport: a typed error."""
    with pytest.raises(IsapiNotSupportedError):
        await call_status(client)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'{"statusCode": 4, "subStatusCode": "notSupport"}', IsapiNotSupportedError),
        (b'{"CallStatus": "ring"}', IsapiResponseError),
        (b"<ResponseStatus><statusCode>1</statusCode></ResponseStatus>", IsapiResponseError),
        (b'{"CallStatus": {"status": "' + b"r" * 70000 + b'"}}', IsapiResponseError),
    ],
    ids=["json-notSupport", "wrong-shape", "xml", "oversized"],
)
async def test_call_status_answers_that_are_not_a_status(
    http: aiohttp.ClientSession, body: bytes, error: type[Exception]
) -> None:
    """What firmware without (or with odd) video intercom answers: typed errors."""

    async def answer(peer: Peer) -> None:
        await peer.read_head()
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
        await peer.send(head.encode() + b"\r\n\r\n" + body)

    server = ScriptedServer(answer)
    await server.start()
    try:
        with pytest.raises(error):
            await call_status(make_client(http, server.port))
        assert (
            server.peers[0]
            .heads[0][":line"]
            .startswith("GET /ISAPI/VideoIntercom/callStatus?format=json ")
        )
    finally:
        await server.close()
