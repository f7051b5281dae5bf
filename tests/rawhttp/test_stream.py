"""The streamed request against scripted loopback peers: bytes, answers, refusals, timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
import socket
import ssl
from typing import Any

import pytest

from custom_components.talkback.rawhttp import (
    HttpAuth,
    Origin,
    RawHttpConnectionError,
    RawHttpCutOffError,
    RawHttpEarlyResponseError,
    RawHttpError,
    RawHttpResponseError,
    RawHttpTimeoutError,
    RawHttpUnansweredError,
    RawStream,
    RawTimeouts,
    build_head,
    fetch_challenge,
    insecure_ssl_context,
    open_stream,
    parse_www_authenticate,
    request,
)

from .scripted import Peer, ServeFactory, response
from .tls import server_context

TALK_HEADERS = {"Content-Type": "application/octet-stream", "Content-Length": "0"}
FAST = RawTimeouts(connect=2, write=0.5, response=0.5, read=0.5, close=0.5)
CHALLENGE = 'Digest realm="cam", nonce="n1", qop="auth", opaque="o"'


async def keep_writing(stream: RawStream, data: bytes, times: int, pause: float = 0.0) -> None:
    """Write until the stream fails (the test expects it to, long before `times`)."""
    for _ in range(times):
        await stream.write(data)
        await asyncio.sleep(pause)


@contextmanager
def quiet_handshake_failures() -> Iterator[None]:
    """The server side of a refused TLS handshake is logged by asyncio; it is expected here."""
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if "transport creation" not in str(context.get("message")):
            loop.default_exception_handler(context) if previous is None else previous(loop, context)

    loop.set_exception_handler(handler)
    try:
        yield
    finally:
        loop.set_exception_handler(previous)


def test_build_head_brackets_ipv6_and_refuses_injection() -> None:
    """Host carries brackets (and the port when not default); nothing else is added."""
    head = build_head(Origin("[fe80::1]", 8080), "PUT", "/a?b=c", {"X": "1"}).decode()
    assert head == "PUT /a?b=c HTTP/1.1\r\nHost: [fe80::1]:8080\r\nX: 1\r\n\r\n"
    assert "Host: [::1]\r\n" in build_head(Origin("::1"), "GET", "/").decode()
    assert Origin("::1", 443, insecure_ssl_context()).url("/x") == "https://[::1]/x"
    assert Origin("fe80::1%eth0").authority == "[fe80::1%25eth0]"
    assert Origin("cam.local", 80).authority == "cam.local"
    with pytest.raises(ValueError, match="header"):
        build_head(Origin("h"), "GET", "/", {"X": "a\r\nEvil: 1"})
    with pytest.raises(ValueError, match="request-target"):
        build_head(Origin("h"), "GET", "http://h/")
    with pytest.raises(ValueError, match="host"):
        Origin("a/b")
    with pytest.raises(ValueError, match="port"):
        Origin("h", 70000)


async def test_raw_bytes_follow_content_length_zero(serve: ServeFactory) -> None:
    """Every byte written after the head arrives; the answer comes after the half-close."""
    received: list[bytes] = []

    async def camera(peer: Peer) -> None:
        await peer.read_head()
        received.append(await peer.read_to_eof())
        await peer.send(response(200, b"<ok/>", "Content-Type: application/xml"))

    async with serve(camera) as (server, origin):
        stream = await open_stream(
            origin, "PUT", "/audio?sessionId=x", headers=TALK_HEADERS, timeouts=FAST
        )
        async with stream:
            for index in range(50):
                await stream.write(bytes([index]) * 160)
            answer = await stream.finish()
        assert stream.bytes_sent == 50 * 160
    assert answer is not None
    assert answer.status == 200
    assert answer.body == b"<ok/>"
    assert answer.content_type == "application/xml"
    assert received == [b"".join(bytes([index]) * 160 for index in range(50))]
    head = server.peers[0].heads[0]
    assert head[":line"] == "PUT /audio?sessionId=x HTTP/1.1"
    assert head["content-length"] == "0"
    assert "transfer-encoding" not in head
    assert head["host"] == f"127.0.0.1:{server.port}"


async def test_early_401_surfaces_on_write(serve: ServeFactory) -> None:
    """A refusal sent right after the head is reported as the response, not a broken pipe."""

    async def camera(peer: Peer) -> None:
        await peer.read_head()
        await peer.send(
            response(
                401, b"<html>no</html>", f"WWW-Authenticate: {CHALLENGE}", reason="Unauthorized"
            )
        )

    async with serve(camera) as (_, origin):
        stream = await open_stream(origin, "PUT", "/audio", headers=TALK_HEADERS, timeouts=FAST)
        async with stream:
            with pytest.raises(RawHttpEarlyResponseError) as caught:
                await keep_writing(stream, b"\xff" * 160, 1000, 0.001)
    early = caught.value.response
    assert early.status == 401
    assert early.reason == "Unauthorized"
    (challenge,) = parse_www_authenticate(early.header_values("www-authenticate"))
    assert challenge.param("nonce") == "n1"


async def test_digest_header_on_stream_and_nonce_count(serve: ServeFactory) -> None:
    """A primed HttpAuth signs the streamed request with the target as the digest uri."""

    async def camera(peer: Peer) -> None:
        await peer.read_head()
        await peer.read_to_eof()
        await peer.send(response(200))

    auth = HttpAuth("admin", "pw")
    auth.update(parse_www_authenticate([CHALLENGE]))
    async with serve(camera) as (server, origin):
        for _ in range(2):
            async with await open_stream(
                origin, "PUT", "/a/audioData?sessionId=s", headers=TALK_HEADERS, auth=auth
            ) as stream:
                await stream.write(b"x")
                assert (await stream.finish()) is not None
    first, second = (peer.heads[0]["authorization"] for peer in server.peers)
    assert 'uri="/a/audioData?sessionId=s"' in first
    assert "nc=00000001" in first
    assert "nc=00000002" in second


async def test_hangup_without_answer(serve: ServeFactory) -> None:
    """A device that closes mid-stream without answering is a connection error."""

    async def camera(peer: Peer) -> None:
        await peer.read_head()
        await peer.reader.read(100)

    async with serve(camera) as (_, origin):
        stream = await open_stream(origin, "PUT", "/audio", headers=TALK_HEADERS, timeouts=FAST)
        async with stream:
            with pytest.raises(RawHttpConnectionError, match="closed the connection"):
                await keep_writing(stream, b"\xff" * 160, 2000, 0.001)
            assert stream.answered


async def test_finish_returns_none_when_closed_silently(serve: ServeFactory) -> None:
    """Some cameras close the talk socket after the audio without any answer."""

    async def camera(peer: Peer) -> None:
        await peer.read_head()
        await peer.read_to_eof()

    async with (
        serve(camera) as (_, origin),
        await open_stream(origin, "PUT", "/a", timeouts=FAST) as stream,
    ):
        await stream.write(b"abc")
        assert await stream.finish() is None
        with pytest.raises(RuntimeError):
            await stream.write(b"late")


async def test_write_timeout_when_peer_stops_reading(serve: ServeFactory) -> None:
    """A device that stops reading fills the socket; the write gives up after its timeout."""
    stop = asyncio.Event()

    async def camera(peer: Peer) -> None:
        await peer.read_head()
        await stop.wait()

    async with serve(camera) as (_, origin):
        async with await open_stream(origin, "PUT", "/a", timeouts=FAST) as stream:
            # At most 1 GB; the socket buffers fill long before.
            with pytest.raises(RawHttpTimeoutError, match="stopped accepting data"):
                await keep_writing(stream, b"\0" * (1 << 20), 1000)
        stop.set()


async def test_response_timeout_after_finish(serve: ServeFactory) -> None:
    """A device that reads to the end but never answers: finish gives up after its timeout."""
    stop = asyncio.Event()

    async def camera(peer: Peer) -> None:
        await peer.read_head()
        await peer.read_to_eof()
        await stop.wait()

    async with serve(camera) as (_, origin):
        async with await open_stream(origin, "PUT", "/a", timeouts=FAST) as stream:
            await stream.write(b"abc")
            with pytest.raises(RawHttpUnansweredError, match="did not answer"):
                await stream.finish()
        stop.set()


async def test_answer_that_stalls_after_finish_is_no_missing_answer(serve: ServeFactory) -> None:
    """The answer starts, then its body stops coming: a read timeout, not "did not answer"
    (the clients word the two differently: only the second means "may not have played")."""
    stop = asyncio.Event()

    async def camera(peer: Peer) -> None:
        await peer.read_head()
        await peer.read_to_eof()
        await peer.send(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab")
        await stop.wait()

    async with serve(camera) as (_, origin):
        timeouts = replace(FAST, response=5.0)  # the body's read timeout (0.5 s) comes first
        async with await open_stream(origin, "PUT", "/a", timeouts=timeouts) as stream:
            await stream.write(b"abc")
            with pytest.raises(RawHttpTimeoutError, match="stopped sending") as caught:
                await stream.finish()
        stop.set()
    assert not isinstance(caught.value, RawHttpUnansweredError)


async def test_connect_refused_and_connect_timeout(serve: ServeFactory) -> None:
    """A closed port is a connection error; a TLS handshake nobody answers times out."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(RawHttpConnectionError, match="Cannot connect"):
        await open_stream(Origin("127.0.0.1", closed_port), "PUT", "/a", timeouts=FAST)

    stop = asyncio.Event()

    async def silent(peer: Peer) -> None:
        await stop.wait()

    async with serve(silent) as (_, origin):
        tls_origin = Origin(origin.host, origin.port, insecure_ssl_context())
        short = RawTimeouts(connect=0.3)
        with pytest.raises(RawHttpTimeoutError, match="did not accept a connection"):
            await open_stream(tls_origin, "PUT", "/a", timeouts=short)
        stop.set()


async def test_tls_self_signed(serve: ServeFactory, tmp_path: Path) -> None:
    """Verification is on by default; the insecure context talks to a self-signed device."""
    received: list[bytes] = []

    async def camera(peer: Peer) -> None:
        await peer.read_head()
        received.append(await peer.reader.read(3))

    with quiet_handshake_failures():
        async with serve(camera, tls=server_context(tmp_path)) as (_, origin):
            verified = Origin(origin.host, origin.port, ssl_context=ssl.create_default_context())
            with pytest.raises(RawHttpConnectionError, match="not trusted"):
                await open_stream(verified, "PUT", "/a", timeouts=FAST)
            await asyncio.sleep(0.1)  # the server's side of the failed handshake
    async with serve(camera, tls=server_context(tmp_path)) as (server, origin):
        insecure = Origin(origin.host, origin.port, insecure_ssl_context())
        async with await open_stream(insecure, "PUT", "/a", timeouts=FAST) as stream:
            await stream.write(b"abc")
            # TLS cannot half-close: finish returns at once; closing ends the body.
            assert await stream.finish() is None
    assert received == [b"abc"]
    assert server.peers[-1].heads[0]["host"] == f"127.0.0.1:{server.port}"


@pytest.mark.parametrize(
    ("reply", "body"),
    [
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
            b"abcde",
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nxyz", b"xyz"),
        (b"HTTP/1.1 200 OK\r\n\r\nuntil close", b"until close"),
        (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 204 No Content\n\n", b""),
        (b"HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n", b""),
    ],
)
async def test_response_framings(serve: ServeFactory, reply: bytes, body: bytes) -> None:
    """Chunked, sized, until-close, interim and folded responses are read correctly."""

    async def device(peer: Peer) -> None:
        await peer.read_head()
        await peer.send(reply)

    async with serve(device) as (_, origin):
        answer = await request(origin, "GET", "/x", timeouts=FAST)
    assert answer.body == body
    if b"Folded" in reply:
        assert answer.header("x-folded") == "a b"


MALFORMED = RawHttpResponseError
CUT_OFF = RawHttpCutOffError  # a broken connection (try again), not a malformed answer


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (b"SSH-2.0-OpenSSH\r\n\r\n", MALFORMED, "not HTTP"),
        (b"HTTP/1.1 200 OK\r\nBad header\r\n\r\n", MALFORMED, "malformed response header"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n", MALFORMED, "too large"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", MALFORMED, "Content-Length"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", MALFORMED, "transfer encoding"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", MALFORMED, "chunked"),
        (b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 200 + b"\r\n", MALFORMED, "too many"),
        (b"HTTP/1.1 200 OK\r\nX: " + b"y" * 20000 + b"\r\n\r\n", MALFORMED, "too"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", CUT_OFF, "inside the response body"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", CUT_OFF, "ended inside"),
        (b"HTTP/1.1 200 OK\r\nX: y", CUT_OFF, "ended inside the response head"),
        (b"HTTP/1.1 200 OK\r\nX: y\r\n", CUT_OFF, "ended inside the response head"),
    ],
)
async def test_malformed_and_cut_off_responses_are_typed(
    serve: ServeFactory, reply: bytes, error: type[RawHttpError], message: str
) -> None:
    """Garbage or oversized answers are RawHttpResponseError; answers that break off are
    RawHttpCutOffError, a RawHttpConnectionError. Never a hang."""

    async def device(peer: Peer) -> None:
        await peer.read_head()
        await peer.send(reply)

    async with serve(device) as (_, origin):
        with pytest.raises(error, match=message) as caught:
            await request(origin, "GET", "/x", timeouts=FAST)
    cut_off = isinstance(caught.value, RawHttpConnectionError)
    assert cut_off == (error is CUT_OFF)
    assert cut_off != isinstance(caught.value, RawHttpResponseError)


async def test_request_answers_one_401_and_fetch_challenge(serve: ServeFactory) -> None:
    """`request` retries once with Digest; `fetch_challenge` returns the 401's challenges."""

    async def device(peer: Peer) -> None:
        head = await peer.read_head()
        if "authorization" not in head:
            await peer.send(
                response(
                    401, b"", f"WWW-Authenticate: {CHALLENGE}", 'WWW-Authenticate: Basic realm="c"'
                )
            )
            return
        body = await peer.reader.readexactly(int(head["content-length"]))
        await peer.send(response(200, body))

    async with serve(device) as (server, origin):
        auth = HttpAuth("admin", "pw")
        answer = await request(origin, "PUT", "/cfg", body=b"<x/>", auth=auth, timeouts=FAST)
        challenges = await fetch_challenge(origin, "/cfg", timeouts=FAST)
        no_auth = await request(origin, "GET", "/cfg", timeouts=FAST)
    assert answer.status == 200
    assert answer.body == b"<x/>"
    assert [c.scheme for c in challenges] == ["digest", "basic"]
    assert no_auth.status == 401
    assert server.peers[1].heads[0]["authorization"].startswith("Digest ")
    assert server.peers[1].heads[0]["content-length"] == "4"


async def test_fetch_challenge_without_auth_and_response_timeout(serve: ServeFactory) -> None:
    """No 401: no challenges (only the head is read); a silent device times out."""
    stop = asyncio.Event()

    async def device(peer: Peer) -> None:
        head = await peer.read_head()
        if head[":line"].startswith("GET /open"):
            await peer.send(
                b"HTTP/1.1 200 OK\r\nContent-Type: audio/basic\r\n\r\n" + b"\xff" * 4096
            )
            await stop.wait()
        await stop.wait()

    async with serve(device) as (_, origin):
        assert await fetch_challenge(origin, "/open", timeouts=FAST) == []
        with pytest.raises(RawHttpTimeoutError, match="did not answer"):
            await request(origin, "GET", "/silent", timeouts=FAST)
        stop.set()


async def test_close_timeout_cuts_a_stuck_tls_shutdown(serve: ServeFactory, tmp_path: Path) -> None:
    """CLOSE_TIMEOUT: a TLS peer that stops reading never answers close_notify; we abort.

    asyncio would otherwise wait its own 30 s TLS shutdown timeout.
    """
    stop = asyncio.Event()

    async def stuck(peer: Peer) -> None:
        await peer.read_head()
        await stop.wait()  # never reads again: the close_notify stays unread

    async with serve(stuck, tls=server_context(tmp_path)) as (_, origin):
        insecure = Origin(origin.host, origin.port, insecure_ssl_context())
        stream = await open_stream(insecure, "PUT", "/a", timeouts=replace(FAST, write=5.0))
        for _ in range(16):
            await stream.write(b"\0" * 65536)
        async with asyncio.timeout(10):  # far below asyncio's own 30 s, far above FAST.close
            await stream.aclose()
        stop.set()
