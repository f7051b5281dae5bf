"""The core HTTP server, through a minimal device that is not a camera."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from simulator.core import (
    AudioEncoding,
    AuthPolicy,
    AuthScheme,
    Fault,
    FaultKind,
    Reply,
    Request,
    Response,
    SimulatedDevice,
)

from .helpers import RawConnection


class EchoDevice(SimulatedDevice):
    """Echoes declared bodies, records raw ones; errors as plain text."""

    kind = "echo"

    def __init__(self, *, allow_chunked: bool = True) -> None:
        super().__init__(
            auth=AuthPolicy(scheme=AuthScheme.NONE), name="echo", allow_chunked=allow_chunked
        )
        self.router.add("POST", "/echo", self.echo)
        self.router.add("PUT", "/raw", self.raw)
        self.router.add("POST", "/stream", self.stream)

    async def echo(self, request: Request, params: dict[str, str]) -> Reply:
        return Response(200, await request.body.read(), "application/octet-stream")

    async def raw(self, request: Request, params: dict[str, str]) -> Reply:
        recording = self.recorder.start("transmit", "0", "pcm", AudioEncoding.PCM_S16LE)
        async for at, chunk in request.body.iter_raw():
            recording.add(at, chunk)
        self.recorder.finish(recording, "eof")
        return Response(200, b"done", "text/plain")

    async def stream(self, request: Request, params: dict[str, str]) -> Reply:
        recording = self.recorder.start("transmit", "0", "mulaw", AudioEncoding.MULAW)
        async for at, chunk in request.body.iter_declared():
            recording.add(at, chunk)
        self.recorder.finish(recording, "complete")
        return Response(200, str(len(recording.data)).encode(), "text/plain")

    def not_found(self, request: Request) -> Response:
        return Response(404, b"not here", "text/plain")

    def method_not_allowed(self, request: Request, allowed: tuple[str, ...]) -> Response:
        return Response(405, b"no", "text/plain")


@pytest.fixture
async def echo() -> AsyncIterator[EchoDevice]:
    async with EchoDevice() as device:
        yield device


async def test_keep_alive_serves_many_requests_on_one_connection(echo: EchoDevice) -> None:
    """Requests follow each other on one socket, bodies by Content-Length."""
    connection = await RawConnection.open(echo.port)
    for body in (b"one", b"", b"three" * 1000):
        await connection.request("POST", "/echo", {"Content-Length": str(len(body))}, body)
        answer = await connection.response()
        assert (answer.status, answer.body) == (200, body)
        assert answer.headers["connection"] == "keep-alive"
    await connection.close()
    assert len(echo.requests) == 3


async def test_pipelined_requests(echo: EchoDevice) -> None:
    """Two requests written at once are answered in order."""
    connection = await RawConnection.open(echo.port)
    head = b"POST /echo HTTP/1.1\r\nContent-Length: 1\r\n\r\n"
    await connection.send(head + b"a" + head + b"b")
    assert (await connection.response()).body == b"a"
    assert (await connection.response()).body == b"b"
    await connection.close()


async def test_chunked_body_when_allowed(echo: EchoDevice) -> None:
    """A device that allows chunked bodies gets them decoded."""
    connection = await RawConnection.open(echo.port)
    await connection.request(
        "POST", "/echo", {"Transfer-Encoding": "chunked"}, b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n"
    )
    assert (await connection.response()).body == b"abcde"
    await connection.close()


async def test_unread_body_is_skipped(echo: EchoDevice) -> None:
    """A handler that ignores the body does not desynchronise the connection."""
    connection = await RawConnection.open(echo.port)
    await connection.request("GET", "/missing", {"Content-Length": "4"}, b"junk")
    assert (await connection.response()).status == 404
    await connection.request("POST", "/echo", {"Content-Length": "2"}, b"ok")
    assert (await connection.response()).body == b"ok"
    await connection.close()


async def test_raw_body_until_half_close(echo: EchoDevice) -> None:
    """Raw bytes after the head are read until FIN, then answered, then the socket closes."""
    connection = await RawConnection.open(echo.port)
    await connection.request("PUT", "/raw", {"Content-Length": "0"})
    await connection.send(b"\x00\x01" * 500)
    connection.half_close()
    answer = await connection.response()
    assert (answer.status, answer.body) == (200, b"done")
    assert answer.headers["connection"] == "close"
    assert await connection.at_eof()
    await connection.close()
    assert len(echo.recorder.recordings[0].data) == 1000


@pytest.mark.parametrize("chunked", [False, True])
async def test_declared_body_streams_with_arrival_times(echo: EchoDevice, chunked: bool) -> None:
    """A long declared body (Axis transmit) is handed over read by read, then answered."""
    connection = await RawConnection.open(echo.port)
    headers = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": "1600"}
    await connection.request("POST", "/stream", headers)
    for _ in range(10):
        piece = b"\xff" * 160
        await connection.send(b"a0\r\n" + piece + b"\r\n" if chunked else piece)
        await asyncio.sleep(0.01)
    if chunked:
        await connection.send(b"0\r\n\r\n")
    answer = await connection.response()
    assert (answer.status, answer.body) == (200, b"1600")
    assert answer.headers["connection"] == "keep-alive"
    await connection.close()
    arrivals = echo.recorder.recordings[0].arrivals
    assert len(arrivals) >= 2
    assert [at for at, _ in arrivals] == sorted(at for at, _ in arrivals)


async def test_drop_after_received_on_a_declared_body(echo: EchoDevice) -> None:
    """The drop fault also cuts Content-Length bodies at exactly N bytes."""
    echo.faults.add(Fault(FaultKind.DROP_AFTER_RECEIVED, path="/stream", nbytes=300))
    connection = await RawConnection.open(echo.port)
    await connection.request("POST", "/stream", {"Content-Length": "1600"}, b"\xff" * 1600)
    assert await connection.at_eof()
    await connection.close()
    assert len(echo.recorder.recordings[0].data) == 300


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"get /echo HTTP/1.1\r\n\r\n", 400),
        (b"GET echo HTTP/1.1\r\n\r\n", 400),
        (b"GET /echo HTTP/2.0\r\n\r\n", 505),
        (b"GET /echo HTTP/1.1\r\nNo colon here\r\n\r\n", 400),
        (b"GET /echo HTTP/1.1\r\nBad Name: x\r\n\r\n", 400),
        (b"POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        (b"POST /echo HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST /echo HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        (b"GET /echo HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n", 431),
        (b"GET /echo HTTP/1.1\r\n" + b"X: 1\r\n" * 100 + b"\r\n", 431),
        (b"POST /echo HTTP/1.1\r\nContent-Length: 9999999\r\n\r\n", 413),
    ],
)
async def test_protocol_errors_close_the_connection(
    echo: EchoDevice, head: bytes, status: int
) -> None:
    """Strict parsing: malformed heads, framings and oversize requests are refused."""
    connection = await RawConnection.open(echo.port)
    await connection.send(head)
    answer = await connection.response()
    assert answer.status == status
    assert await connection.at_eof()
    await connection.close()


async def test_chunked_refused_when_not_allowed() -> None:
    """allow_chunked=False answers chunked requests 400 before any handler runs."""
    async with EchoDevice(allow_chunked=False) as device:
        connection = await RawConnection.open(device.port)
        await connection.request("POST", "/echo", {"Transfer-Encoding": "chunked"}, b"0\r\n\r\n")
        assert (await connection.response()).status == 400
        await connection.close()
        assert not device.requests


async def test_http10_closes_unless_keep_alive(echo: EchoDevice) -> None:
    """HTTP/1.0 closes after the response by default; Connection: close is honoured."""
    for head in (
        b"POST /echo HTTP/1.0\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nConnection: close\r\n\r\n",
    ):
        connection = await RawConnection.open(echo.port)
        await connection.send(head)
        answer = await connection.response()
        assert answer.headers["connection"] == "close"
        assert await connection.at_eof()
        await connection.close()


async def test_routing_not_found_and_method(echo: EchoDevice) -> None:
    """The device's own answers for unknown paths and wrong methods."""
    async with aiohttp.ClientSession(base_url=echo.base_url) as http:
        async with http.get("/nowhere") as response:
            assert (response.status, await response.read()) == (404, b"not here")
        async with http.get("/echo") as response:
            assert response.status == 405


async def test_stop_closes_every_connection() -> None:
    """Shutdown ends idle keep-alive connections and a talk socket in the middle of a body."""
    device = EchoDevice()
    await device.start()
    idle = await RawConnection.open(device.port)
    await idle.request("POST", "/echo", {"Content-Length": "1"}, b"x")
    await idle.response()
    streaming = await RawConnection.open(device.port)
    await streaming.request("PUT", "/raw", {"Content-Length": "0"})
    await streaming.send(b"\x00" * 100)
    while not device.recorder.recordings:
        await asyncio.sleep(0.01)
    await device.stop()
    assert await idle.at_eof()
    assert await streaming.at_eof()
    await idle.close()
    await streaming.close()
    assert not device.recorder.recordings[0].is_open
    with pytest.raises(ConnectionRefusedError):
        await RawConnection.open(device.port)
