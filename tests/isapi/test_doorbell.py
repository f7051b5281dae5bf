"""DoorbellWatcher against the simulated door station: one ring per press, failures survived."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import aclosing

import aiohttp

from custom_components.talkback.isapi.doorbell import DoorbellRing, DoorbellWatcher
from custom_components.talkback.isapi.exceptions import IsapiAuthenticationError
from simulator.core import Fault, FaultKind

from .helpers import camera_and_client, make_client

DOOR_STATION = {"device_type": "VIS", "heartbeat_seconds": 0.2, "ring_timeout": 0.4}
FAST = {"poll_interval": 0.05, "dedupe": 0.6, "retry": 0.1}


async def collect(watcher: DoorbellWatcher, into: list[DoorbellRing]) -> None:
    async with aclosing(watcher.rings()) as rings:
        async for ring in rings:
            into.append(ring)  # noqa: PERF401 - seen as they come


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for a condition (a loaded machine may be slow); fail after `timeout`."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def watching(watcher: DoorbellWatcher, into: list[DoorbellRing]) -> asyncio.Task[None]:
    task = asyncio.create_task(collect(watcher, into))
    await asyncio.sleep(0.3)  # connecting and polling once
    return task


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_each_press_is_one_ring(http: aiohttp.ClientSession) -> None:
    """The stream and the call status both see a press: reported once; the next press too."""
    async with camera_and_client(http, **DOOR_STATION) as (camera, client):
        rings: list[DoorbellRing] = []
        task = await watching(DoorbellWatcher(client, **FAST), rings)
        await until(lambda: camera.events.listeners == 1)
        camera.events.press(button=2)
        await until(lambda: len(rings) == 1)
        await asyncio.sleep(0.8)  # the other source has seen it too; the ring timed out
        assert len(rings) == 1
        camera.events.press()
        await until(lambda: len(rings) == 2)
        await stop(task)
        await until(lambda: camera.events.listeners == 0)  # the next heartbeat finds it gone
    assert len(rings) == 2
    assert {ring.source for ring in rings} <= {"event", "call_status"}
    assert rings[1].at - rings[0].at > 0.6


async def test_call_status_alone_finds_the_ring(http: aiohttp.ClientSession) -> None:
    """Firmware that sends no ring event: the call status still rings."""
    async with camera_and_client(http, **DOOR_STATION) as (camera, client):
        rings: list[DoorbellRing] = []
        task = await watching(DoorbellWatcher(client, **FAST), rings)
        camera.events.call_status = "ring"  # ringing without an event on the stream
        await until(lambda: len(rings) == 1)
        await asyncio.sleep(0.2)
        await stop(task)
    assert [ring.source for ring in rings] == ["call_status"]


async def test_camera_stream_only_and_reconnects(http: aiohttp.ClientSession) -> None:
    """No call status (a camera): the stream alone; a dropped stream is reconnected."""
    async with camera_and_client(http, heartbeat_seconds=0.2) as (camera, client):
        camera.faults.add(
            Fault(
                FaultKind.DROP_AFTER_SENT,
                path="/ISAPI/Event/notification/alertStream",
                nbytes=100,
                count=1,
            )
        )
        rings: list[DoorbellRing] = []
        watcher = DoorbellWatcher(client, **FAST)
        task = await watching(watcher, rings)

        def streams() -> int:
            return sum(1 for r in camera.requests if r.target.endswith("alertStream"))

        await until(lambda: streams() >= 2 and camera.events.listeners == 1)
        event = camera.events.heartbeat() | {
            "eventType": "AccessControllerEvent",
            "eventState": "active",
            "AccessControllerEvent": {"majorEventType": 5, "subEventType": 37, "doorNo": 1},
        }
        camera.events.publish(event)  # as XML: cameras speak EventNotificationAlert
        await until(lambda: len(rings) == 1)
        await stop(task)
    assert [(ring.source, ring.door) for ring in rings] == [("event", 1)]


async def test_wrong_password_is_kept_not_raised(http: aiohttp.ClientSession) -> None:
    """Authentication failures are retried and kept in `last_error`; closing is clean."""
    async with camera_and_client(http, **DOOR_STATION) as (camera, _):
        client = make_client(http, camera.port, password="wrong")
        watcher = DoorbellWatcher(client, **FAST)
        rings: list[DoorbellRing] = []
        task = await watching(watcher, rings)
        camera.events.press()
        await until(lambda: watcher.last_error is not None)
        await asyncio.sleep(0.3)
        await stop(task)
    assert rings == []
    assert isinstance(watcher.last_error, IsapiAuthenticationError)
