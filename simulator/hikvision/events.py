"""Events: the alert stream every device has, and the call state of door stations.

`GET /ISAPI/Event/notification/alertStream` is one endless `multipart/mixed` answer: each
event is a part with its own Content-Type and Content-Length. Cameras send XML
`EventNotificationAlert` parts (boundary `boundary`); door stations (device type VIS) send
JSON parts (boundary `MIME_boundary`). A heartbeat (`videoloss`, inactive) keeps an idle
stream alive. A door station's call button rings: `GET /ISAPI/VideoIntercom/callStatus`
reads `ring` until the call is answered (`onCall`), ended, or times out (`idle`), and the
alert stream carries an `AccessControllerEvent` (major 5 "event", minor 0x25 "doorbell
ringing"). Sources: simulator/README.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
import json
import time
from typing import Any

from .config import CameraConfig
from .documents import el, render

CALL_IDLE = "idle"
CALL_RING = "ring"
CALL_ON_CALL = "onCall"
CALL_SIGNALS = ("answer", "hangUp", "reject", "cancel", "bellTimeout")

MAJOR_EVENT = 5  # HCNetSDK / ISAPI access control "event" major type
MINOR_DOORBELL_RINGING = 0x25
# Events waiting for a slow listener before the oldest are dropped (bounded memory).
LISTENER_QUEUE = 64


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class EventSource:
    """The device's events: alert stream listeners, heartbeats, and the door station's call."""

    def __init__(self, config: CameraConfig, host: str) -> None:
        self.config = config
        self.host = host
        self.door_station = config.device_type == "VIS"
        self.boundary = "MIME_boundary" if self.door_station else "boundary"
        self.heartbeat_seconds = config.heartbeat_seconds
        self.ring_timeout = config.ring_timeout
        self.call_status = CALL_IDLE
        self.presses = 0
        self.events_sent: list[dict[str, Any]] = []
        self._listeners: set[asyncio.Queue[dict[str, Any]]] = set()
        self._post_count = 0
        self._ring_ends: asyncio.TimerHandle | None = None

    # The call ----------------------------------------------------------------------------

    def press(self, button: int = 1) -> dict[str, Any]:
        """A visitor presses a call button: the station rings and reports it."""
        if not self.door_station:
            raise ValueError("only door stations (device_type VIS) have a call button")
        self.presses += 1
        self._set_call(CALL_RING)
        event = self._event(
            "AccessControllerEvent",
            "active",
            AccessControllerEvent={
                "deviceName": self.config.device_name,
                "majorEventType": MAJOR_EVENT,
                "subEventType": MINOR_DOORBELL_RINGING,
                "serialNo": self.presses,
                "doorNo": button,
                "picturesNumber": 0,
            },
        )
        self.publish(event)
        loop = asyncio.get_running_loop()
        self._ring_ends = loop.call_later(self.ring_timeout, self._set_call, CALL_IDLE)
        return event

    def signal(self, command: str) -> None:
        """`PUT /ISAPI/VideoIntercom/callSignal`: answer a ringing call, or end it."""
        if command not in CALL_SIGNALS:
            raise ValueError(f"cmdType must be one of {', '.join(CALL_SIGNALS)}")
        if command == "answer":
            if self.call_status != CALL_RING:
                raise ValueError("nothing is ringing")
            self._set_call(CALL_ON_CALL)
        else:
            self._set_call(CALL_IDLE)

    def _set_call(self, status: str) -> None:
        if self._ring_ends is not None:
            self._ring_ends.cancel()
            self._ring_ends = None
        self.call_status = status

    def call_status_document(self) -> bytes:
        """`{"CallStatus": {"status": "idle" | "ring" | "onCall"}}`."""
        return json.dumps({"CallStatus": {"status": self.call_status}}).encode()

    def reset(self) -> None:
        """Idle, nothing pressed, nothing sent."""
        self._set_call(CALL_IDLE)
        self.presses = 0
        self.events_sent.clear()
        self.heartbeat_seconds = self.config.heartbeat_seconds
        self.ring_timeout = self.config.ring_timeout

    def stop(self) -> None:
        """No timer outlives the device."""
        self._set_call(self.call_status)

    # The alert stream --------------------------------------------------------------------

    def _event(self, event_type: str, state: str, **extra: Any) -> dict[str, Any]:
        self._post_count += 1
        return {
            "ipAddress": self.host,
            "portNo": 80,
            "protocol": "HTTP",
            "macAddress": self.config.mac,
            "channelID": 1,
            "dateTime": _now(),
            "activePostCount": self._post_count,
            "eventType": event_type,
            "eventState": state,
            "eventDescription": f"{event_type} alarm",
            **extra,
        }

    def heartbeat(self) -> dict[str, Any]:
        """What an idle device sends now and then (videoloss, inactive)."""
        return self._event("videoloss", "inactive")

    def publish(self, event: dict[str, Any]) -> None:
        """Send an event to every alert stream listener (a slow one loses its oldest)."""
        self.events_sent.append(event)
        for queue in self._listeners:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    @property
    def listeners(self) -> int:
        """Open alert streams."""
        return len(self._listeners)

    def part(self, event: dict[str, Any]) -> bytes:
        """One multipart part: JSON on door stations, EventNotificationAlert XML elsewhere."""
        if self.door_station:
            body = json.dumps(event, indent=1).encode()
            content_type = "application/json"
        else:
            body = self._xml(event)
            content_type = 'application/xml; charset="UTF-8"'
        head = (
            f"--{self.boundary}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body + b"\r\n"

    def _xml(self, event: dict[str, Any]) -> bytes:
        children = [el(key, value) for key, value in event.items() if not isinstance(value, dict)]
        for key, value in event.items():
            if isinstance(value, dict):
                children.append(el(key, None, *(el(k, v) for k, v in value.items())))
        return render(el("EventNotificationAlert", None, *children), self.config.namespace)

    async def stream(self) -> AsyncIterator[bytes]:
        """The body of one alertStream answer: parts as events happen, heartbeats between."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(LISTENER_QUEUE)
        self._listeners.add(queue)
        try:
            next_beat = time.monotonic() + self.heartbeat_seconds
            while True:
                try:
                    async with asyncio.timeout(max(0.0, next_beat - time.monotonic())):
                        event = await queue.get()
                except TimeoutError:
                    event = self.heartbeat()
                    next_beat = time.monotonic() + self.heartbeat_seconds
                yield self.part(event)
        finally:
            self._listeners.discard(queue)
