"""Fault injection: what can go wrong between a client and a device, on demand.

A fault matches requests by method and path (shell-style pattern) and may be limited to a
number of matching requests. Several faults can match one request: delays add up, the
first answer-replacing fault wins, body faults apply to the device's own answer, stream
faults act while a request body (raw audio) is being read, after `nbytes` of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
import re
import socket
import time
from typing import Any

from .http import ConnectionDroppedError, Reply, RequestBody


class FaultKind(StrEnum):
    """Every fault the core knows."""

    DELAY = "delay"  # wait `seconds` before answering
    STATUS = "status"  # answer `status` (e.g. 500, 503) instead of the device
    HTML_401 = "html_401"  # refuse even good credentials with an HTML 401 page
    DROP_AFTER_RECEIVED = "drop_after_received"  # abort after `nbytes` of request body
    DROP_AFTER_SENT = "drop_after_sent"  # abort after `nbytes` of the response
    MALFORMED = "malformed"  # the XML/JSON answer is not well-formed
    TRUNCATED = "truncated"  # the XML/JSON answer stops half-way (Content-Length agrees)
    ENTITY_BOMB = "entity_bomb"  # the XML answer is a "billion laughs" document
    EXTERNAL_ENTITY = "external_entity"  # the XML answer references a local file
    # Stream faults (after `nbytes` of a request body, e.g. talk audio):
    STOP_READING = "stop_reading"  # stop reading, LAN-sized receive buffer; `seconds` later
    # (0: when the device ends the connection) the connection is dropped, never answered
    REAUTH = "reauth"  # answer 401 with a fresh nonce (stale=TRUE) mid-body, then close
    # After the body: take everything, then never answer (`seconds` later: hang up).
    SILENT_END = "silent_end"


BODY_FAULTS = frozenset(
    {FaultKind.MALFORMED, FaultKind.TRUNCATED, FaultKind.ENTITY_BOMB, FaultKind.EXTERNAL_ENTITY}
)
STREAM_FAULTS = frozenset({FaultKind.STOP_READING, FaultKind.REAUTH})
# The receive buffer of a device that stopped reading: a small embedded device's, so that
# the sender's buffers are what hide the stop (as on a LAN), not a loopback's megabytes.
STOPPED_RECEIVE_BUFFER = 4096


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault; `count` limits how many matching requests it affects (None: all).

    `reason`: for STATUS, the device's own refusal naming it (e.g. 403 "notSupport").
    """

    kind: FaultKind
    path: str = "*"
    method: str = "*"
    seconds: float = 0.0
    status: int = 500
    nbytes: int = 0
    count: int | None = None
    reason: str = ""

    def matches(self, method: str, path: str) -> bool:
        """True when the fault applies to this request."""
        return fnmatchcase(method, self.method) and fnmatchcase(path, self.path)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (the one `from_json` reads)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> Fault:
        """Build a fault from JSON, refusing unknown fields and wrong types."""
        if not isinstance(data, dict):
            raise TypeError("a fault must be a JSON object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        try:
            kind = FaultKind(data["kind"])
        except (KeyError, ValueError) as err:
            raise ValueError(f"fault kind must be one of {[k.value for k in FaultKind]}") from err
        fault = cls(
            kind=kind,
            path=_typed(data, "path", str, "*"),
            method=_typed(data, "method", str, "*"),
            seconds=float(_typed(data, "seconds", (int, float), 0.0)),
            status=_typed(data, "status", int, 500),
            nbytes=_typed(data, "nbytes", int, 0),
            count=_typed(data, "count", int, None),
            reason=_typed(data, "reason", str, ""),
        )
        if fault.seconds < 0 or fault.nbytes < 0 or (fault.count is not None and fault.count < 1):
            raise ValueError("seconds and nbytes must be >= 0 and count >= 1")
        if not 100 <= fault.status <= 599:
            raise ValueError("status must be an HTTP status code")
        return fault


def _typed(data: dict[str, Any], name: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = data.get(name, default)
    if value is default:
        return value
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(f"fault field {name!r} has the wrong type")
    return value


class FaultPlan:
    """The faults active on one device."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._remaining: list[int | None] = []

    def add(self, fault: Fault) -> None:
        """Activate one more fault."""
        self._faults.append(fault)
        self._remaining.append(fault.count)

    def replace(self, faults: list[Fault]) -> None:
        """Activate exactly these faults."""
        self.clear()
        for fault in faults:
            self.add(fault)

    def clear(self) -> None:
        """Deactivate every fault."""
        self._faults.clear()
        self._remaining.clear()

    @property
    def active(self) -> list[Fault]:
        """Faults that still apply."""
        return list(self._faults)

    def take(self, method: str, path: str) -> list[Fault]:
        """The faults this request triggers; counted ones are used up."""
        taken: list[Fault] = []
        for index, fault in enumerate(self._faults):
            if fault.matches(method, path):
                taken.append(fault)
                remaining = self._remaining[index]
                if remaining is not None:
                    self._remaining[index] = remaining - 1
        keep = [i for i, left in enumerate(self._remaining) if left is None or left > 0]
        self._faults = [self._faults[i] for i in keep]
        self._remaining = [self._remaining[i] for i in keep]
        return taken


class AnswerNow(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised inside a handler reading a body: the device answers this now and closes."""

    def __init__(self, reply: Reply) -> None:
        super().__init__("the device answers before the body ended (fault)")
        self.reply = reply


class StreamFault:
    """A stream fault attached to one request body; `check` runs before every read."""

    def __init__(self, fault: Fault, refusal: Callable[[], Reply]) -> None:
        self.fault = fault
        self._refusal = refusal

    async def check(self, body: RequestBody) -> None:
        """Act once `nbytes` of the body have arrived."""
        if body.bytes_received < self.fault.nbytes:
            return
        if self.fault.kind is FaultKind.REAUTH:
            raise AnswerNow(self._refusal())
        await stop_reading(body, self.fault.seconds)


async def stop_reading(body: RequestBody, seconds: float) -> None:
    """Stop taking data: shrink the receive buffer, pause the transport, then wait.

    Returns never: after `seconds` (or once the device ends the connection itself, e.g. a
    close of the talk session) the connection is dropped.
    """
    transport = body.transport
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, STOPPED_RECEIVE_BUFFER)
    transport.pause_reading()
    deadline = time.monotonic() + seconds if seconds else None
    while True:
        if transport.is_closing() or (deadline is not None and time.monotonic() >= deadline):
            break
        await asyncio.sleep(0.05)
    transport.abort()
    raise ConnectionDroppedError("stopped reading (fault)")


ENTITY_BOMB_LEVELS = 9


def entity_bomb(root: str) -> bytes:
    """A "billion laughs" document: a few hundred bytes that expand to gigabytes."""
    entities = ['<!ENTITY lol0 "lol">']
    entities.extend(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">'
        for level in range(1, ENTITY_BOMB_LEVELS + 1)
    )
    doctype = f"<!DOCTYPE {root} [\n" + "\n".join(entities) + "\n]>"
    document = f'<?xml version="1.0"?>\n{doctype}\n<{root}>&lol{ENTITY_BOMB_LEVELS};</{root}>\n'
    return document.encode()


def external_entity(root: str) -> bytes:
    """A document whose entity points at a local file (XXE)."""
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        f"<{root}>&secret;</{root}>\n"
    ).encode()


def _root_name(body: bytes) -> str:
    match = re.search(rb"<([A-Za-z_][\w.-]*)[\s>/]", re.sub(rb"<\?.*?\?>", b"", body))
    return match.group(1).decode() if match else "ResponseStatus"


def corrupt(kind: FaultKind, body: bytes, content_type: str) -> tuple[bytes, str]:
    """Apply a body fault to an XML or JSON answer; return the new body and content type."""
    is_json = "json" in content_type
    if kind is FaultKind.TRUNCATED:
        return body[: len(body) // 2], content_type
    if kind is FaultKind.MALFORMED:
        if is_json:
            return body.replace(b":", b"", 1) + b",}", content_type
        # The first end tag no longer matches its start tag.
        end_tag = re.search(rb"</([\w.:-]+)>", body)
        if end_tag is None:
            return body + b"<", content_type
        wrong = b"</" + end_tag.group(1) + b"-mismatch>"
        return body[: end_tag.start()] + wrong + body[end_tag.end() :], content_type
    root = _root_name(body) if not is_json else "Document"
    xml_type = "application/xml"
    if kind is FaultKind.ENTITY_BOMB:
        return entity_bomb(root), xml_type
    if kind is FaultKind.EXTERNAL_ENTITY:
        return external_entity(root), xml_type
    raise ValueError(f"{kind} is not a body fault")
