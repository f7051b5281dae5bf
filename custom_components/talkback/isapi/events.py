"""Device events: the alert stream and a door station's call state.

`GET /ISAPI/Event/notification/alertStream` answers one endless `multipart/mixed` body; each
part is one event. Cameras send `EventNotificationAlert` XML (in any namespace, or none);
door stations send the same fields as JSON. Idle devices send heartbeats (`videoloss`
inactive, or `other` "Heartbeat" on older firmware). Some firmware omits Content-Length or
uses bare LF line ends, so parts are also delimited by the next boundary line.

A door station rings when its call button is pressed: `callStatus` reads `ring`, and the
alert stream carries an `AccessControllerEvent` with major type 5 (event) and minor type 0x25
(doorbell ringing). Not every firmware sends that event: `doorbell.DoorbellWatcher` uses both.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
import json
import logging
import re
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element

import aiohttp

from .exceptions import (
    IsapiConnectionError,
    IsapiNotSupportedError,
    IsapiResponseError,
    IsapiTimeoutError,
)
from .xml import child_text, local_name, parse_document, parse_int

if TYPE_CHECKING:
    from .client import IsapiClient

_LOGGER = logging.getLogger(__name__)

PATH_ALERT_STREAM = "/ISAPI/Event/notification/alertStream"
PATH_CALL_STATUS = "/ISAPI/VideoIntercom/callStatus?format=json"

CALL_IDLE = "idle"
CALL_RING = "ring"
CALL_ON_CALL = "onCall"

MAJOR_EVENT = 5
MINOR_DOORBELL_RINGING = 0x25

# A part larger than this (a snapshot picture) is skipped, never kept whole.
MAX_PART_BYTES = 256 * 1024
# Part headers (Content-Type, Content-Length, Content-Disposition) fit easily in this.
MAX_PART_HEAD_BYTES = 4096
# Devices send a heartbeat about every 10 s; silence this long means the stream is dead.
ALERT_STREAM_SILENCE_TIMEOUT = 60.0
ALERT_READ_BYTES = 4096
# How often a door station's call state is polled where the stream says nothing.
CALL_STATUS_POLL_INTERVAL = 1.0
MAX_JSON_BYTES = 64 * 1024

_BOUNDARY_PARAM = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_HEADER = re.compile(rb"^([A-Za-z0-9-]+):(.*)$")
_FIRST_DELIMITER = re.compile(rb"(?:^|\n)(--[^\s]+)\r?\n")


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One event of the alert stream; `fields` keeps every top-level value as text."""

    event_type: str
    state: str | None = None
    description: str | None = None
    channel_id: str | None = None
    date_time: str | None = None
    major_type: int | None = None
    minor_type: int | None = None
    door: int | None = None
    fields: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def is_heartbeat(self) -> bool:
        """The keep-alive of an idle device: `videoloss` inactive, or "Heartbeat" (older)."""
        if "heartbeat" in (self.event_type.lower(), (self.description or "").lower()):
            return True
        return self.event_type.lower() == "videoloss" and self.state == "inactive"

    @property
    def is_doorbell_ring(self) -> bool:
        """A visitor pressed a door station's call button."""
        return (
            self.event_type == "AccessControllerEvent"
            and self.major_type == MAJOR_EVENT
            and self.minor_type == MINOR_DOORBELL_RINGING
        )

    @classmethod
    def from_xml(cls, root: Element) -> AlertEvent:
        """An `EventNotificationAlert` document, by local names."""
        if local_name(root.tag) != "EventNotificationAlert":
            raise IsapiResponseError(
                f"The device sent <{local_name(root.tag)}> in its alert stream"
            )
        values = {
            local_name(item.tag): (item.text or "").strip() for item in root if len(item) == 0
        }
        access = next(
            (item for item in root if local_name(item.tag) == "AccessControllerEvent"), None
        )
        return cls._build(
            values,
            major=parse_int(child_text(access, "majorEventType")) if access is not None else None,
            minor=parse_int(child_text(access, "subEventType")) if access is not None else None,
            door=parse_int(child_text(access, "doorNo")) if access is not None else None,
        )

    @classmethod
    def from_json(cls, document: object) -> AlertEvent:
        """The JSON form door stations send."""
        if not isinstance(document, dict) or not isinstance(document.get("eventType"), str):
            raise IsapiResponseError("The device sent an alert without an eventType")
        values = {
            key: str(value)
            for key, value in document.items()
            if isinstance(value, (str, int, float)) and not isinstance(value, bool)
        }
        access = document.get("AccessControllerEvent")
        access = access if isinstance(access, dict) else {}
        return cls._build(
            values,
            major=_int(access.get("majorEventType")),
            minor=_int(access.get("subEventType")),
            door=_int(access.get("doorNo")),
        )

    @classmethod
    def _build(
        cls, values: dict[str, str], *, major: int | None, minor: int | None, door: int | None
    ) -> AlertEvent:
        event_type = values.get("eventType") or ""
        if not event_type:
            raise IsapiResponseError("The device sent an alert without an eventType")
        return cls(
            event_type=event_type,
            state=values.get("eventState") or None,
            description=values.get("eventDescription") or None,
            channel_id=values.get("channelID") or values.get("dynChannelID") or None,
            date_time=values.get("dateTime") or None,
            major_type=major,
            minor_type=minor,
            door=door,
            fields=values,
        )


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return parse_int(value) if isinstance(value, str) else None


def parse_alert(content_type: str | None, body: bytes) -> AlertEvent | None:
    """One part -> an event; None for parts that carry no event (pictures, empty parts)."""
    text = body.strip()
    kind = (content_type or "").lower()
    if not text or kind.startswith("image/"):
        return None
    if "json" in kind or (not kind and text.startswith(b"{")):
        if len(text) > MAX_JSON_BYTES:
            raise IsapiResponseError("The device sent an oversized JSON alert")
        try:
            return AlertEvent.from_json(json.loads(text))
        except (ValueError, RecursionError) as err:
            raise IsapiResponseError("The device sent an alert that is not valid JSON") from err
    if "xml" in kind or text.startswith(b"<"):
        return AlertEvent.from_xml(parse_document(text, what="an alert"))
    return None


def boundary_of(content_type: str | None) -> str | None:
    """The multipart boundary named in a Content-Type header."""
    match = _BOUNDARY_PARAM.search(content_type or "")
    return match.group(1).strip() if match else None


class MultipartSplitter:
    """Cuts an alert stream into parts as bytes arrive: `feed(data)` -> [(type, body)].

    The boundary is taken from the response header, else from the first `--` line. A part's
    body is its Content-Length bytes, or everything up to the next boundary line. Parts over
    MAX_PART_BYTES (pictures) are skipped without being kept; bytes outside parts are ignored.
    """

    def __init__(self, boundary: str | None = None) -> None:
        self._delimiter = f"--{boundary}".encode() if boundary else None
        self._buffer = bytearray()
        self._headers: dict[str, str] | None = None  # the part being read; None: between parts
        self._skip = 0

    def feed(self, data: bytes) -> list[tuple[str | None, bytes]]:
        """Add bytes; return every part now complete."""
        self._buffer += data
        parts: list[tuple[str | None, bytes]] = []
        while self._step(parts):
            pass
        return parts

    def _step(self, parts: list[tuple[str | None, bytes]]) -> bool:
        """Advance by one head or body; False when more bytes are needed."""
        buffer = self._buffer
        if self._skip:
            dropped = min(self._skip, len(buffer))
            del buffer[:dropped]
            self._skip -= dropped
            return not self._skip
        if self._headers is None:
            return self._read_head()
        content_type = self._headers.get("content-type")
        length = _content_length(self._headers)
        if length is not None and length > MAX_PART_BYTES:
            self._headers, self._skip = None, length
            return True
        if length is not None:
            if len(buffer) < length:
                return False
            body = bytes(buffer[:length])
            del buffer[:length]
        else:
            end = self._find_delimiter()
            if end is None:
                if len(buffer) > MAX_PART_BYTES:
                    buffer.clear()  # no length, no end: drop it and resynchronise
                    self._headers = None
                return False
            body = bytes(buffer[:end]).rstrip(b"\r\n")
            del buffer[:end]
        self._headers = None
        parts.append((content_type, body))
        return True

    def _read_head(self) -> bool:
        """Skip to the next boundary line and read the part headers after it."""
        buffer = self._buffer
        start = self._find_delimiter()
        if start is None:
            keep = len(self._delimiter) + 2 if self._delimiter else MAX_PART_HEAD_BYTES
            del buffer[: max(0, len(buffer) - keep)]
            return False
        del buffer[:start]
        line_end = buffer.find(b"\n")
        if line_end == -1:
            return False
        delimiter_line = bytes(buffer[:line_end]).strip()
        if self._delimiter is None:
            self._delimiter = delimiter_line.removesuffix(b"--")
        headers: dict[str, str] = {}
        index = line_end + 1
        while True:
            newline = buffer.find(b"\n", index)
            if newline == -1:
                if len(buffer) > MAX_PART_HEAD_BYTES:
                    del buffer[:line_end]  # not a real part head: look further
                    return True
                return False
            line = bytes(buffer[index:newline]).rstrip(b"\r")
            match = _HEADER.match(line)
            if match is None:
                if line:  # no blank line before the body (seen on some firmware)
                    newline = index - 1
                break
            headers[match.group(1).decode().lower()] = match.group(2).decode("latin-1").strip()
            index = newline + 1
        del buffer[: newline + 1]
        if delimiter_line.endswith(b"--") and not headers:
            return True  # the closing delimiter
        self._headers = headers
        return True

    def _find_delimiter(self) -> int | None:
        """Where the next boundary line starts: at the start of the buffer or of a line."""
        buffer = self._buffer
        if self._delimiter is None:
            match = _FIRST_DELIMITER.search(buffer)
            return None if match is None else match.start(1)
        index = 0
        while (found := buffer.find(self._delimiter, index)) != -1:
            if found == 0 or buffer[found - 1] == 0x0A:
                return found
            index = found + 1
        return None


def _content_length(headers: dict[str, str]) -> int | None:
    value = headers.get("content-length", "")
    return int(value) if value.isdigit() else None


async def alert_events(
    client: IsapiClient, *, silence_timeout: float = ALERT_STREAM_SILENCE_TIMEOUT
) -> AsyncGenerator[AlertEvent]:
    """Every event of the device's alert stream (heartbeats included) until it ends.

    Raises IsapiTimeoutError when nothing (not even a heartbeat) arrives for
    `silence_timeout` seconds. Close the iterator (`contextlib.aclosing`) to stop.
    """
    action = "reading the event stream"
    response = await client.open_get(PATH_ALERT_STREAM, action=action)
    async with response:
        splitter = MultipartSplitter(boundary_of(response.headers.get("Content-Type")))
        while True:
            try:
                async with asyncio.timeout(silence_timeout):
                    data = await response.content.read(ALERT_READ_BYTES)
            except TimeoutError as err:
                raise IsapiTimeoutError(
                    f"The device sent no event or heartbeat for {silence_timeout:g} s ({action})"
                ) from err
            except aiohttp.ClientError as err:
                raise IsapiConnectionError(
                    f"The event stream from the device broke ({action}: {err})"
                ) from err
            if not data:
                return
            for content_type, body in splitter.feed(data):
                try:
                    event = parse_alert(content_type, body)
                except IsapiResponseError as err:
                    _LOGGER.debug("%s: skipped an alert: %s", client.host, err)
                    continue
                if event is not None:
                    yield event


async def call_status(client: IsapiClient) -> str:
    """A door station's call state: `idle`, `ring` or `onCall` (other firmware words kept)."""
    action = "reading the call status"
    response = await client.open_get(PATH_CALL_STATUS, action=action)
    body = bytearray()
    async with response:
        try:
            async with asyncio.timeout(client.timeouts.request):
                async for chunk in response.content.iter_chunked(4096):
                    body += chunk
                    if len(body) > MAX_JSON_BYTES:
                        raise IsapiResponseError(f"The device sent an oversized answer ({action})")
        except TimeoutError as err:
            raise IsapiTimeoutError(f"The device did not finish its answer ({action})") from err
        except aiohttp.ClientError as err:
            raise IsapiConnectionError(f"The answer broke off ({action}: {err})") from err
    try:
        document: Any = json.loads(body)
    except ValueError as err:
        raise IsapiResponseError(f"The device sent an unreadable call status ({action})") from err
    call = document.get("CallStatus") if isinstance(document, dict) else None
    status = call.get("status") if isinstance(call, dict) else None
    if isinstance(status, str):
        return status
    # A JSON ResponseStatus instead (firmware without video intercom answers so).
    sub_status = document.get("subStatusCode") if isinstance(document, dict) else None
    if isinstance(sub_status, str) and sub_status.lower() in ("notsupport", "notsupported"):
        raise IsapiNotSupportedError(
            f"The device has no call status ({action})", sub_status_code=sub_status
        )
    raise IsapiResponseError(f"The device sent an unreadable call status ({action})")


async def doorbell_rings(
    client: IsapiClient, *, poll_interval: float = CALL_STATUS_POLL_INTERVAL
) -> AsyncGenerator[str]:
    """Yield once per ring of a door station, from polling its call status.

    A ring is a change into `ring`; a call that keeps ringing is reported once.
    """
    previous = CALL_IDLE
    while True:
        status = await call_status(client)
        if status == CALL_RING and previous != CALL_RING:
            yield status
        previous = status
        await asyncio.sleep(poll_interval)
