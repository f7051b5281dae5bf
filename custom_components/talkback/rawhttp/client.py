"""Requests on a bare asyncio stream: a head, then raw bytes for as long as the caller has them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Mapping
import contextlib
import logging
import re
import ssl
from types import TracebackType
from typing import Self

from .auth import AuthChallenge, HttpAuth, parse_www_authenticate
from .const import MAX_BODY_BYTES, MAX_HEAD_BYTES, MAX_HEADER_COUNT, STREAM_WRITE_BUFFER_BYTES
from .exceptions import (
    RawHttpConnectionError,
    RawHttpCutOffError,
    RawHttpEarlyResponseError,
    RawHttpResponseError,
    RawHttpStalledError,
    RawHttpTimeoutError,
    RawHttpUnansweredError,
)
from .models import Origin, RawResponse, RawTimeouts
from .progress import AckWatch

_LOGGER = logging.getLogger(__name__)

_METHOD = re.compile(r"^[A-Z]+$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_STATUS_LINE = re.compile(r"^HTTP/1\.[01] ([0-9]{3})(?: (.*))?$")
_CHUNK_SIZE = re.compile(r"^([0-9A-Fa-f]{1,8})[ \t]*(?:;.*)?$")
_NO_BODY_STATUS = frozenset({204, 304})
_POLL = 0.25  # seconds between checks that a stuck stream's device still takes data

type HeaderFields = Mapping[str, str] | Iterable[tuple[str, str]]


def _header_items(headers: HeaderFields | None) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        return list(headers.items())
    return list(headers)


def build_head(
    origin: Origin, method: str, target: str, headers: HeaderFields | None = None
) -> bytes:
    """Serialise a request head; Host comes from the origin, nothing else is added."""
    if not _METHOD.match(method):
        raise ValueError(f"Not an HTTP method: {method!r}")
    if not target.startswith("/") or any(char in target for char in " \r\n\t"):
        raise ValueError(f"Not a request-target (path and query): {target!r}")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {origin.authority}"]
    for name, value in _header_items(headers):
        if not _HEADER_NAME.match(name) or any(char in value for char in "\r\n\0"):
            raise ValueError(f"Invalid header field {name!r}")
        if name.lower() == "host":
            continue
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _describe(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return str(err) or type(err).__name__


async def connect(
    origin: Origin, timeouts: RawTimeouts
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Open a TCP (or TLS) connection to the origin within the connect timeout."""
    tls = origin.ssl_context
    try:
        async with asyncio.timeout(timeouts.connect):
            return await asyncio.open_connection(
                origin.host,
                origin.effective_port,
                ssl=tls,
                server_hostname=origin.host if tls is not None else None,
                limit=MAX_HEAD_BYTES,
            )
    except TimeoutError as err:
        raise RawHttpTimeoutError(
            f"{origin.authority} did not accept a connection within {timeouts.connect:g} s; "
            "check the address and that the device is online"
        ) from err
    except ssl.SSLCertVerificationError as err:
        raise RawHttpConnectionError(
            f"The certificate of {origin.authority} is not trusted ({err.verify_message}); "
            "install a trusted certificate or turn off certificate verification for this device"
        ) from err
    except OSError as err:
        raise RawHttpConnectionError(
            f"Cannot connect to {origin.authority}: {_describe(err)}; "
            "check the address, the port and that the device is online"
        ) from err


async def _close_writer(writer: asyncio.StreamWriter, timeouts: RawTimeouts) -> None:
    """Close politely; a peer that never completes the (TLS) shutdown gets the socket cut."""
    writer.close()
    try:
        async with asyncio.timeout(timeouts.close):
            await writer.wait_closed()
    except TimeoutError:
        writer.transport.abort()
    except OSError:
        pass  # the peer reset the connection: it is closed either way


class _ResponseReader:
    """Reads one response from a stream, within the size limits."""

    def __init__(self, reader: asyncio.StreamReader, timeouts: RawTimeouts) -> None:
        self._reader = reader
        self._timeouts = timeouts
        self._head_bytes = 0

    async def _line(self, *, head: bool = True) -> str | None:
        """One line without its line ending; None at a clean end of stream."""
        try:
            raw = await self._reader.readline()
        except ValueError as err:  # the StreamReader limit: one line longer than the head cap
            raise RawHttpResponseError("The device sent a response line that is too long") from err
        if head:
            self._head_bytes += len(raw)
            if self._head_bytes > MAX_HEAD_BYTES:
                raise RawHttpResponseError("The device sent a response head that is too large")
        if not raw:
            return None
        if not raw.endswith(b"\n"):
            raise RawHttpCutOffError("The connection ended inside the response head")
        return raw.decode("latin-1").rstrip("\r\n")

    async def read_head(self) -> tuple[int, str, tuple[tuple[str, str], ...]] | None:
        """Status, reason and header fields of the final response; None on a silent close."""
        while True:
            status_line = await self._line()
            if status_line is None:
                return None
            match = _STATUS_LINE.match(status_line)
            if match is None:
                raise RawHttpResponseError(
                    "The device answered with something that is not HTTP; check the port"
                )
            headers = await self._header_fields()
            status = int(match.group(1))
            if not 100 <= status < 200:  # interim responses (100 Continue) are skipped
                return status, (match.group(2) or "").strip(), headers

    async def _header_fields(self) -> tuple[tuple[str, str], ...]:
        fields: list[tuple[str, str]] = []
        while True:
            line = await self._line()
            if line is None:
                raise RawHttpCutOffError("The connection ended inside the response head")
            if not line:
                return tuple(fields)
            if line[0] in " \t" and fields:  # obsolete line folding
                name, value = fields[-1]
                fields[-1] = (name, f"{value} {line.strip()}")
                continue
            name, colon, value = line.partition(":")
            if not colon or not _HEADER_NAME.match(name):
                raise RawHttpResponseError("The device sent a malformed response header field")
            fields.append((name, value.strip(" \t")))
            if len(fields) > MAX_HEADER_COUNT:
                raise RawHttpResponseError("The device sent too many response header fields")

    async def read_body(self, response: RawResponse) -> bytes:
        """The body as framed by the head (chunked, Content-Length or until close), capped."""
        if response.status in _NO_BODY_STATUS:
            return b""
        encoding = (response.header("Transfer-Encoding") or "").strip().lower()
        if encoding == "chunked":
            return await self._chunked_body()
        if encoding:
            raise RawHttpResponseError(f"The device used an unknown transfer encoding {encoding!r}")
        length = response.header("Content-Length")
        if length is not None:
            if not length.strip().isdigit():
                raise RawHttpResponseError("The device sent a malformed Content-Length")
            size = int(length)
            if size > MAX_BODY_BYTES:
                raise RawHttpResponseError("The device sent a response body that is too large")
            return await self._exactly(size)
        return await self._until_close()

    async def _timed[T](self, step: Awaitable[T]) -> T:
        """Await one read of the body within the read timeout."""
        try:
            async with asyncio.timeout(self._timeouts.read):
                return await step
        except TimeoutError as err:
            raise RawHttpTimeoutError(
                f"The device stopped sending its response for {self._timeouts.read:g} s"
            ) from err

    async def _read(self, size: int) -> bytes:
        return await self._timed(self._reader.read(size))

    async def _exactly(self, size: int) -> bytes:
        parts: list[bytes] = []
        remaining = size
        while remaining:
            data = await self._read(min(remaining, 65536))
            if not data:
                raise RawHttpCutOffError("The connection ended inside the response body")
            parts.append(data)
            remaining -= len(data)
        return b"".join(parts)

    async def _until_close(self) -> bytes:
        parts: list[bytes] = []
        size = 0
        while data := await self._read(65536):
            size += len(data)
            if size > MAX_BODY_BYTES:
                raise RawHttpResponseError("The device sent a response body that is too large")
            parts.append(data)
        return b"".join(parts)

    async def _chunked_body(self) -> bytes:
        parts: list[bytes] = []
        size = 0
        while True:
            line = await self._timed(self._line(head=False))
            match = _CHUNK_SIZE.match(line or "")
            if match is None:
                raise RawHttpResponseError("The device sent a malformed chunked body")
            chunk_size = int(match.group(1), 16)
            if chunk_size == 0:
                while await self._line(head=False):  # trailer fields, up to the empty line
                    pass
                return b"".join(parts)
            size += chunk_size
            if size > MAX_BODY_BYTES:
                raise RawHttpResponseError("The device sent a response body that is too large")
            parts.append(await self._exactly(chunk_size))
            if await self._exactly(2) != b"\r\n":
                raise RawHttpResponseError("The device sent a malformed chunked body")

    async def read(self, *, with_body: bool = True) -> RawResponse | None:
        """A whole response (the head has no timeout here: the caller decides how long)."""
        head = await self.read_head()
        if head is None:
            return None
        response = RawResponse(*head)
        if not with_body:
            return response
        body = await self.read_body(response)
        return RawResponse(response.status, response.reason, response.headers, body)


async def _read_response(
    reader: asyncio.StreamReader, timeouts: RawTimeouts, *, with_body: bool = True
) -> RawResponse | None:
    try:
        return await _ResponseReader(reader, timeouts).read(with_body=with_body)
    except OSError as err:
        raise RawHttpConnectionError(f"The connection broke: {_describe(err)}") from err
    except asyncio.IncompleteReadError as err:
        raise RawHttpCutOffError("The connection ended inside the response") from err


class RawStream:
    """A request whose body is written piece by piece after the head; see `open_stream`.

    The device's answer is read in the background from the moment the head is sent, so an
    early refusal (401 with a stale nonce, 403, 503) surfaces as `RawHttpEarlyResponseError` on
    the next `write` instead of as a broken pipe. A device that stops reading surfaces as
    `RawHttpStalledError` within `timeouts.stall` (see `progress`), whatever the buffers.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        origin: Origin,
        timeouts: RawTimeouts,
    ) -> None:
        self._writer = writer
        self._origin = origin
        self._timeouts = timeouts
        self._answer: asyncio.Task[RawResponse | None] = asyncio.create_task(
            _read_response(reader, timeouts), name=f"rawhttp response from {origin.authority}"
        )
        self._finished = False
        self._closed = False
        self.bytes_sent = 0
        writer.transport.set_write_buffer_limits(high=STREAM_WRITE_BUFFER_BYTES)
        self._acks = AckWatch(writer, timeouts.stall)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    @property
    def answered(self) -> bool:
        """True once the device has answered, failed, or closed the connection."""
        return self._answer.done()

    def _check_answer(self) -> None:
        """Raise if the device already answered or hung up while the body is still going."""
        if not self._answer.done():
            return
        if self._answer.cancelled():
            raise RawHttpConnectionError("The stream was closed")
        if (error := self._answer.exception()) is not None:
            raise error
        response = self._answer.result()
        if response is None:
            raise RawHttpConnectionError(
                f"{self._origin.authority} closed the connection while receiving data"
            )
        raise RawHttpEarlyResponseError(response)

    async def write(self, data: bytes) -> None:
        """Send body bytes as they are (no framing); wait while the device is not reading."""
        if self._finished or self._closed:
            raise RuntimeError("write() after finish() or aclose()")
        self._check_answer()
        self._check_stalled()
        try:
            self._writer.write(data)
            await self._drain()
        except TimeoutError as err:
            raise RawHttpTimeoutError(
                f"{self._origin.authority} stopped accepting data for {self._timeouts.write:g} s"
            ) from err
        except OSError as err:
            # A device that refuses mid-body usually answers, then resets: prefer the answer.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._timeouts.close):
                    await asyncio.wait({self._answer})
            self._check_answer()
            raise RawHttpConnectionError(
                f"The connection to {self._origin.authority} broke: {_describe(err)}"
            ) from err
        self.bytes_sent += len(data)

    def _check_stalled(self) -> None:
        if self._acks.stalled():
            raise RawHttpStalledError(
                f"{self._origin.authority} stopped taking data: nothing was acknowledged for "
                f"{self._acks.stall:g} s after {self.bytes_sent} bytes"
            )

    async def _drain(self) -> None:
        """Wait while the transport is full, checking that the device still takes data."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeouts.write
        while True:
            try:
                async with asyncio.timeout(min(_POLL, max(0.0, deadline - loop.time()))):
                    await self._writer.drain()
            except TimeoutError:
                self._check_answer()
                self._check_stalled()
                if loop.time() >= deadline:
                    raise
            else:
                return

    async def _delivered(self, deadline: float) -> None:
        """Wait until the device has acknowledged every byte (or raise when it stopped)."""
        if not self._acks.available:
            return
        loop = asyncio.get_running_loop()
        while self._acks.waiting() and not self._answer.done():
            self._check_stalled()
            if loop.time() >= deadline:
                raise RawHttpStalledError(
                    f"{self._origin.authority} stopped taking data: some was still not "
                    "acknowledged when its answer was due"
                )
            await asyncio.sleep(_POLL / 5)

    async def finish(self, response_timeout: float | None = None) -> RawResponse | None:
        """End the body and return the device's answer.

        On plain TCP the write side is half-closed (devices answer a raw body only when it
        ends) and the answer is awaited: `response_timeout` seconds from now (default: the
        response timeout), delivering what is still buffered included. TLS cannot
        half-close, so there the answer is returned only if it already arrived. None means
        the device closed without answering (or, on TLS, has not answered yet).
        """
        if self._closed:
            raise RuntimeError("finish() after aclose()")
        self._finished = True
        loop = asyncio.get_running_loop()
        wait = self._timeouts.response if response_timeout is None else response_timeout
        deadline = loop.time() + wait
        if not self._answer.done():
            await self._delivered(deadline)
        if not self._answer.done():
            if not self._writer.can_write_eof():
                return None
            with contextlib.suppress(OSError):
                self._writer.write_eof()
            done, _ = await asyncio.wait({self._answer}, timeout=max(0.0, deadline - loop.time()))
            if not done:
                raise RawHttpUnansweredError(
                    f"{self._origin.authority} did not answer within {wait:.3g} s after the "
                    "data ended"
                )
        if self._answer.cancelled():
            return None
        if (error := self._answer.exception()) is not None:
            raise error
        return self._answer.result()

    async def aclose(self) -> None:
        """Close the connection and stop reading; safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        answer = self._answer
        if not answer.done():
            answer.cancel()
        # wait() rather than `await answer`: a cancellation of the caller must not be
        # mistaken for (and swallowed as) the reader's own cancellation.
        await asyncio.wait({answer})
        if not answer.cancelled():
            answer.exception()  # retrieved: a failed read after closing is not an error
        await _close_writer(self._writer, self._timeouts)


async def open_stream(
    origin: Origin,
    method: str,
    target: str,
    *,
    headers: HeaderFields | None = None,
    auth: HttpAuth | None = None,
    timeouts: RawTimeouts | None = None,
) -> RawStream:
    """Connect, send the request head, and return the stream to write the body on.

    The head carries exactly the given fields plus Host and, when `auth` holds a challenge,
    Authorization (the Digest uri is `target`). Nothing else is added: no Content-Length,
    no Transfer-Encoding; a device that expects bytes after `Content-Length: 0` gets them.
    """
    timeouts = timeouts or RawTimeouts()
    fields = _header_items(headers)
    if auth is not None and (authorization := auth.authorization(method, target)):
        fields.append(("Authorization", authorization))
    head = build_head(origin, method, target, fields)
    reader, writer = await connect(origin, timeouts)
    stream = RawStream(reader, writer, origin=origin, timeouts=timeouts)
    try:
        await stream.write(head)
    except BaseException:
        await stream.aclose()
        raise
    stream.bytes_sent = 0  # count body bytes only
    return stream


async def _exchange(
    origin: Origin,
    head: bytes,
    body: bytes,
    timeouts: RawTimeouts,
    *,
    with_body: bool,
) -> RawResponse:
    reader, writer = await connect(origin, timeouts)
    try:
        try:
            writer.write(head + body)
            async with asyncio.timeout(timeouts.write):
                await writer.drain()
        except TimeoutError as err:
            raise RawHttpTimeoutError(
                f"{origin.authority} stopped accepting data for {timeouts.write:g} s"
            ) from err
        except OSError as err:
            raise RawHttpConnectionError(
                f"The connection to {origin.authority} broke: {_describe(err)}"
            ) from err
        try:
            async with asyncio.timeout(timeouts.response):
                response = await _read_response(reader, timeouts, with_body=with_body)
        except TimeoutError as err:
            raise RawHttpTimeoutError(
                f"{origin.authority} did not answer within {timeouts.response:g} s"
            ) from err
    finally:
        await _close_writer(writer, timeouts)
    if response is None:
        raise RawHttpConnectionError(f"{origin.authority} closed the connection without answering")
    return response


async def request(
    origin: Origin,
    method: str,
    target: str,
    *,
    headers: HeaderFields | None = None,
    body: bytes = b"",
    auth: HttpAuth | None = None,
    timeouts: RawTimeouts | None = None,
) -> RawResponse:
    """One ordinary request with a complete body, on its own connection.

    With `auth`, a 401 carrying a challenge is answered once (a stale nonce, or the first
    contact); the second 401 is returned to the caller.
    """
    timeouts = timeouts or RawTimeouts()
    fields = [*_header_items(headers), ("Content-Length", str(len(body)))]
    fields.append(("Connection", "close"))
    response: RawResponse | None = None
    for _ in range(2):
        attempt = list(fields)
        authorization = auth.authorization(method, target) if auth is not None else None
        if authorization:
            attempt.append(("Authorization", authorization))
        head = build_head(origin, method, target, attempt)
        response = await _exchange(origin, head, body, timeouts, with_body=True)
        if auth is not None:
            auth.record(authorization, response.status)
        challenges = parse_www_authenticate(response.header_values("WWW-Authenticate"))
        if response.status != 401 or auth is None or not challenges:
            return response
        auth.update(challenges)
    assert response is not None
    return response


async def fetch_challenge(
    origin: Origin,
    target: str,
    *,
    method: str = "GET",
    timeouts: RawTimeouts | None = None,
) -> list[AuthChallenge]:
    """Ask without credentials and return the challenges of the 401 (empty: no auth needed).

    Only the response head is read, so a target that would stream on success is safe.
    """
    timeouts = timeouts or RawTimeouts()
    head = build_head(origin, method, target, [("Connection", "close")])
    response = await _exchange(origin, head, b"", timeouts, with_body=False)
    if response.status != 401:
        return []
    return parse_www_authenticate(response.header_values("WWW-Authenticate"))
