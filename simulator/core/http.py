"""A small, strict HTTP/1.1 server on asyncio streams.

aiohttp.web cannot hand a handler the raw bytes a client writes after `Content-Length: 0`
(the ISAPI talk socket), and the simulator must not share parsing code with the client, so
the devices run on this server instead. It speaks just enough HTTP/1.1: keep-alive,
Content-Length and chunked request bodies, raw bodies read until the client half-closes,
fixed and streamed responses, bounded head and body sizes, and a shutdown that closes every
connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
import contextlib
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
import logging
import re
import socket
import time
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from .const import (
    BODY_READ_TIMEOUT,
    HEAD_READ_TIMEOUT,
    KEEPALIVE_TIMEOUT,
    LISTEN_HOST,
    MAX_BODY_BYTES,
    MAX_HEADER_BYTES,
    MAX_HEADER_COUNT,
    READ_CHUNK_BYTES,
    RECEIVE_BUFFER_BYTES,
    SHUTDOWN_TIMEOUT,
    WRITE_TIMEOUT,
)

_LOGGER = logging.getLogger(__name__)

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_METHOD = re.compile(r"^[A-Z]+$")
_CHUNK_SIZE = re.compile(rb"^([0-9A-Fa-f]{1,8})(;[^\r\n]*)?\r\n$")


class HttpError(Exception):
    """A request the server refuses at the protocol level; answered with `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ConnectionDroppedError(Exception):
    """The connection went away (or was dropped on purpose) while a handler used it."""


class Headers:
    """Case-insensitive request headers that keep every repeated field."""

    __slots__ = ("_items",)

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = items

    def get(self, name: str, default: str | None = None) -> str | None:
        """Return the first value of a header, or `default`."""
        lowered = name.lower()
        for key, value in self._items:
            if key.lower() == lowered:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        """Return every value of a header, in order."""
        lowered = name.lower()
        return [value for key, value in self._items if key.lower() == lowered]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._items)


type Arrival = tuple[float, bytes]
"""One read from a request body: monotonic arrival time and the bytes read."""


class BodyWatch(Protocol):
    """Called before every read of a body (fault injection: see faults.StreamFault)."""

    async def check(self, body: RequestBody, /) -> None:
        """Raise, wait or return; runs with the bytes received so far counted."""


class RequestBody:
    """The body of one request, read at most once, in one of three framings.

    A declared body has a Content-Length or is chunked. A raw body is what a client writes
    after the head until it half-closes, whatever the headers say; reading one ends the
    connection after the response.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        length: int | None,
        chunked: bool,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self.length = length
        self.chunked = chunked
        self.bytes_received = 0
        self.drop_after: int | None = None
        self.stream_fault: BodyWatch | None = None
        self.consumed = False
        self.raw = False

    @property
    def transport(self) -> asyncio.Transport:
        """The connection's transport (stream faults shrink buffers and pause reading)."""
        return self._writer.transport  # type: ignore[return-value]

    @property
    def declared(self) -> bool:
        """True when the head announced a body (Content-Length > 0 or chunked)."""
        return self.chunked or bool(self.length)

    async def read(self, limit: int = MAX_BODY_BYTES) -> bytes:
        """Read the whole declared body (at most `limit` bytes, else 413)."""
        if self.length is not None and self.length > limit:
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
        parts: list[bytes] = []
        size = 0
        async for _, chunk in self.iter_declared():
            size += len(chunk)
            if size > limit:
                raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
            parts.append(chunk)
        return b"".join(parts)

    async def iter_declared(self) -> AsyncGenerator[Arrival]:
        """Yield the declared body as it arrives, each read with its arrival time."""
        self._claim()
        if self.chunked:
            async for arrival in self._iter_chunked():
                yield arrival
            return
        remaining = self.length or 0
        while remaining:
            self._check_drop()
            if self.stream_fault is not None:
                await self.stream_fault.check(self)
            async with asyncio.timeout(BODY_READ_TIMEOUT):
                chunk = await self._reader.read(min(remaining, READ_CHUNK_BYTES))
            if not chunk:
                raise ConnectionDroppedError("client closed before the body was complete")
            remaining -= len(chunk)
            yield self._arrived(chunk)
        self._check_drop()  # a drop inside the last read still drops

    async def iter_raw(self) -> AsyncGenerator[Arrival]:
        """Yield every byte the client writes after the head, until it half-closes.

        There is deliberately no timeout here: the device decides how long silence may
        last (an ISAPI camera closes an idle talk session by itself).
        """
        self._claim()
        self.raw = True
        while True:
            self._check_drop()
            if self.stream_fault is not None:
                await self.stream_fault.check(self)
            try:
                chunk = await self._reader.read(READ_CHUNK_BYTES)
            except ConnectionError as err:
                raise ConnectionDroppedError(str(err)) from err
            if not chunk:
                return
            yield self._arrived(chunk)

    def abort(self) -> None:
        """Close the connection at once (a device ending a talk socket); reads see EOF."""
        self._writer.transport.abort()

    async def discard(self) -> None:
        """Skip an unread declared body so the next request on the connection parses."""
        if self.consumed or not self.declared:
            return
        async for _ in self.iter_declared():
            pass

    def _claim(self) -> None:
        if self.consumed:
            raise RuntimeError("request body already read")
        self.consumed = True

    def _arrived(self, chunk: bytes) -> Arrival:
        """Count a read; with a drop fault, cut it at the limit (the drop follows it)."""
        if self.drop_after is not None:
            chunk = chunk[: max(self.drop_after - self.bytes_received, 0)]
        self.bytes_received += len(chunk)
        return time.monotonic(), chunk

    def _check_drop(self) -> None:
        """Abort the connection once a drop fault's byte count has been delivered."""
        if self.drop_after is not None and self.bytes_received >= self.drop_after:
            self._writer.transport.abort()
            raise ConnectionDroppedError(f"dropped after {self.drop_after} bytes (fault)")

    async def _iter_chunked(self) -> AsyncGenerator[Arrival]:
        while True:
            self._check_drop()
            line = await self._readline()
            match = _CHUNK_SIZE.match(line)
            if match is None:
                raise HttpError(HTTPStatus.BAD_REQUEST, "malformed chunk size line")
            size = int(match.group(1), 16)
            if size == 0:
                self._check_drop()
                # Trailer fields are not expected; only the empty line ends the body.
                if await self._readline() != b"\r\n":
                    raise HttpError(HTTPStatus.BAD_REQUEST, "trailers are not supported")
                return
            data = await self._readexactly(size)
            if await self._readexactly(2) != b"\r\n":
                raise HttpError(HTTPStatus.BAD_REQUEST, "chunk not followed by CRLF")
            yield self._arrived(data)

    async def _readline(self) -> bytes:
        try:
            async with asyncio.timeout(BODY_READ_TIMEOUT):
                return await self._reader.readuntil(b"\r\n")
        except asyncio.IncompleteReadError as err:
            raise ConnectionDroppedError("client closed inside a chunked body") from err
        except asyncio.LimitOverrunError as err:
            raise HttpError(HTTPStatus.BAD_REQUEST, "chunk size line too long") from err

    async def _readexactly(self, size: int) -> bytes:
        try:
            async with asyncio.timeout(BODY_READ_TIMEOUT):
                return await self._reader.readexactly(size)
        except asyncio.IncompleteReadError as err:
            raise ConnectionDroppedError("client closed inside a chunked body") from err


@dataclass(slots=True)
class Request:
    """One parsed request; `target` is the request-target exactly as sent."""

    method: str
    target: str
    version: str
    headers: Headers
    body: RequestBody
    peer: tuple[str, int]
    path: str = ""
    query: dict[str, list[str]] = field(default_factory=dict)
    received_at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        parts = urlsplit(self.target)
        self.path = unquote(parts.path)
        self.query = parse_qs(parts.query, keep_blank_values=True)

    def query_value(self, name: str) -> str | None:
        """Return the first value of a query parameter, or None."""
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def keep_alive(self) -> bool:
        """What the client asked for: HTTP/1.1 keeps alive unless told to close."""
        tokens = {
            token.strip().lower()
            for value in self.headers.get_all("Connection")
            for token in value.split(",")
        }
        if self.version == "HTTP/1.1":
            return "close" not in tokens
        return "keep-alive" in tokens


@dataclass(slots=True)
class Response:
    """A response with a body of known length.

    `drop_after` writes only that many bytes of the serialised response and then aborts the
    connection (a fault); `close` ends the connection after the response.
    """

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    close: bool = False
    drop_after: int | None = None


@dataclass(slots=True)
class StreamResponse:
    """A response whose body is produced over time and ends with the connection.

    Like the cameras, it has neither Content-Length nor chunked framing.
    """

    status: int
    content_type: str
    chunks: AsyncIterator[bytes]
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class Hangup:
    """No response at all: the server closes the connection (e.g. a session timed out)."""


type Reply = Response | StreamResponse | Hangup
type Handler = Callable[[Request], Awaitable[Reply]]
type ErrorPage = Callable[[int, str], Response]


def plain_error_page(status: int, message: str) -> Response:
    """Default body for protocol errors: the reason as text."""
    return Response(status, f"{message}\n".encode(), "text/plain", close=True)


class HttpServer:
    """Serve `handler` on a loopback port until `close()`."""

    def __init__(
        self,
        handler: Handler,
        *,
        host: str = LISTEN_HOST,
        port: int = 0,
        server_header: str | None = None,
        allow_chunked: bool = True,
        error_page: ErrorPage = plain_error_page,
    ) -> None:
        self._handler = handler
        self._host = host
        self._requested_port = port
        self._server_header = server_header
        self._allow_chunked = allow_chunked
        self._error_page = error_page
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self._closing = False
        self.port = 0

    async def start(self) -> None:
        """Bind and start accepting connections; `port` is set afterwards."""
        self._server = await asyncio.start_server(
            self._serve_connection, self._host, self._requested_port, limit=MAX_HEADER_BYTES
        )
        for listening in self._server.sockets:  # accepted connections inherit it
            listening.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        self.port = self._server.sockets[0].getsockname()[1]

    @property
    def connection_count(self) -> int:
        """Connections open right now."""
        return len(self._connections)

    async def close(self) -> None:
        """Stop listening, close every connection, and wait for their tasks to end."""
        self._closing = True
        if self._server is None:
            return
        self._server.close()
        for writer in list(self._connections.values()):
            writer.close()
        tasks = list(self._connections)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_TIMEOUT)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = writer
        peer = writer.get_extra_info("peername") or ("", 0)
        try:
            head_wait = HEAD_READ_TIMEOUT
            while not self._closing:
                if not await self._serve_one(reader, writer, (peer[0], peer[1]), head_wait):
                    break
                head_wait = KEEPALIVE_TIMEOUT
        except ConnectionDroppedError, ConnectionError, TimeoutError:
            pass
        except asyncio.CancelledError:
            writer.transport.abort()
            raise
        finally:
            del self._connections[task]
            writer.close()
            with contextlib.suppress(ConnectionError, TimeoutError):
                async with asyncio.timeout(WRITE_TIMEOUT):
                    await writer.wait_closed()

    async def _serve_one(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer: tuple[str, int],
        head_wait: float,
    ) -> bool:
        """Serve one request; return whether the connection stays open."""
        try:
            async with asyncio.timeout(head_wait):
                head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False  # the client closed between requests (or mid-head)
        except asyncio.LimitOverrunError:
            await self._write(writer, self._error_page(431, "request head too large"), True)
            return False
        try:
            request = self._parse(head, reader, writer, peer)
        except HttpError as err:
            await self._write(writer, self._error_page(err.status, str(err)), True)
            return False
        try:
            reply = await self._handler(request)
        except HttpError as err:
            reply = self._error_page(err.status, str(err))
            reply.close = True  # the body may be half read: the connection is unusable
        except ConnectionDroppedError:
            return False
        except Exception:
            _LOGGER.exception("Simulator handler failed for %s %s", request.method, request.path)
            reply = self._error_page(500, "simulator handler failed")
        if isinstance(reply, Hangup):
            writer.transport.abort()
            return False
        if isinstance(reply, StreamResponse):
            await self._stream(writer, reply)
            return False
        keep = request.keep_alive and not reply.close and not request.body.raw
        if keep and not request.body.consumed:
            try:
                await request.body.discard()
            except HttpError:
                keep = False
        await self._write(writer, reply, not keep, request.version)
        return keep and reply.drop_after is None

    def _parse(
        self,
        head: bytes,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer: tuple[str, int],
    ) -> Request:
        try:
            text = head.decode("ascii")
        except UnicodeDecodeError as err:
            raise HttpError(400, "request head is not ASCII") from err
        lines = text[:-4].split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not _METHOD.match(parts[0]) or not parts[1].startswith("/"):
            raise HttpError(400, "malformed request line")
        method, target, version = parts
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            raise HttpError(505, "only HTTP/1.0 and HTTP/1.1 are supported")
        if len(lines) - 1 > MAX_HEADER_COUNT:
            raise HttpError(431, "too many header fields")
        items: list[tuple[str, str]] = []
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if not colon or not _TOKEN.match(name):
                raise HttpError(400, "malformed header field")
            items.append((name, value.strip(" \t")))
        headers = Headers(items)
        body = self._body_framing(headers, reader, writer)
        return Request(method, target, version, headers, body, peer)

    def _body_framing(
        self, headers: Headers, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> RequestBody:
        encodings = headers.get_all("Transfer-Encoding")
        lengths = set(headers.get_all("Content-Length"))
        if encodings:
            if lengths:
                raise HttpError(400, "both Transfer-Encoding and Content-Length")
            if [e.strip().lower() for e in encodings] != ["chunked"]:
                raise HttpError(501, "only chunked transfer encoding is understood")
            if not self._allow_chunked:
                raise HttpError(400, "chunked transfer encoding is not accepted")
            return RequestBody(reader, writer, length=None, chunked=True)
        if len(lengths) > 1:
            raise HttpError(400, "conflicting Content-Length values")
        length = None
        if lengths:
            value = lengths.pop()
            if not value.isdigit():
                raise HttpError(400, "malformed Content-Length")
            length = int(value)
        return RequestBody(reader, writer, length=length, chunked=False)

    def _head(
        self, status: int, headers: list[tuple[str, str]], *, close: bool, version: str
    ) -> bytes:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [f"{version} {status} {reason}", f"Date: {formatdate(usegmt=True)}"]
        if self._server_header:
            lines.append(f"Server: {self._server_header}")
        lines.extend(f"{name}: {value}" for name, value in headers)
        lines.append("Connection: close" if close else "Connection: keep-alive")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _write(
        self,
        writer: asyncio.StreamWriter,
        response: Response,
        close: bool,
        version: str = "HTTP/1.1",
    ) -> None:
        headers = list(response.headers)
        if response.content_type:
            headers.append(("Content-Type", response.content_type))
        headers.append(("Content-Length", str(len(response.body))))
        data = self._head(response.status, headers, close=close, version=version) + response.body
        if response.drop_after is not None:
            writer.write(data[: response.drop_after])
            await self._drain(writer)
            writer.transport.abort()
            return
        writer.write(data)
        await self._drain(writer)

    async def _stream(self, writer: asyncio.StreamWriter, response: StreamResponse) -> None:
        headers = [*response.headers, ("Content-Type", response.content_type)]
        writer.write(self._head(response.status, headers, close=True, version="HTTP/1.1"))
        try:
            await self._drain(writer)
            async for chunk in response.chunks:
                writer.write(chunk)
                await self._drain(writer)
        except ConnectionError, TimeoutError:
            pass
        finally:
            close = getattr(response.chunks, "aclose", None)
            if close is not None:
                await close()

    @staticmethod
    async def _drain(writer: asyncio.StreamWriter) -> None:
        async with asyncio.timeout(WRITE_TIMEOUT):
            await writer.drain()
