"""rawhttp: HTTP requests whose body is raw bytes streamed on a bare asyncio stream.

Why: some devices take audio as "a request head, then bytes for as long as you talk" and
answer only when the connection ends. Hikvision ISAPI wants `PUT .../audioData` with
`Content-Length: 0` followed by raw G.711; Axis wants `POST /axis-cgi/audio/transmit.cgi`
with a huge or absent Content-Length. aiohttp cuts a body to its declared length and
cameras refuse chunked encoding, so these requests are written by hand here. Nothing in
this package knows about either vendor; it has no Home Assistant import.

Usage::

    origin = Origin("192.0.2.10", 80)  # Origin("fe80::1", ssl_context=ctx) for https
    auth = HttpAuth("admin", password)
    auth.update(await fetch_challenge(origin, "/ISAPI/System/TwoWayAudio/channels/1"))
    stream = await open_stream(
        origin, "PUT", "/ISAPI/System/TwoWayAudio/channels/1/audioData?sessionId=abc",
        headers={"Content-Type": "application/octet-stream", "Content-Length": "0",
                 "Connection": "keep-alive"},
        auth=auth,
    )
    try:
        async for frame in frames:
            await stream.write(frame)  # RawHttpEarlyResponseError if the device answers early
        response = await stream.finish()  # half-close, then read the final answer
    finally:
        await stream.aclose()

Pieces:
- `Origin`: scheme/host/port; IPv6 literals with or without brackets (the Host header and
  URLs get brackets; the Digest uri is the request-target only); https when given an
  `ssl.SSLContext` (verification is whatever the context says).
- `HttpAuth`: Digest (MD5, SHA-256, -sess variants, qop=auth, nonce count per nonce) and
  Basic when nothing else is offered, under one policy per device (`sharing()`): never
  Basic over plain HTTP unless allowed, never Basic after Digest worked, Basic never sent
  ahead (each use answers the challenge at hand, so the choice is re-examined). `parse_www_authenticate`, `select_challenge`,
  `digest_authorization` and `basic_authorization` are public so a client that speaks to
  the same device through aiohttp can reuse a challenge.
- `open_stream` / `RawStream`: the streamed request. The answer is read in the background,
  so a 401 (stale nonce) or 503 during the body is reported, not lost in a broken pipe.
- `request`: one ordinary request with a complete body (answers one 401 by itself).
- `fetch_challenge`: the challenges a target demands, read from a credential-less request.
- `insecure_ssl_context()` for self-signed devices, `verified_ssl_context()` (built in a
  thread) when the application has no context of its own; `ssl_context_for(option)` turns
  a client's `ssl_context` option into one of them.
- Shared by the protocol clients: `normalize_mac` (the one MAC rule), `read_bounded`
  (a capped body read), `quote_device_text` (device text cut for an error line) and
  `password_from` (a command line's password: option, environment variable or prompt).
- `RawTimeouts`: connect, write, response, read and close timeouts (defaults in `const`).
- Errors: `RawHttpError` and below it `RawHttpConnectionError` (`RawHttpTimeoutError`,
  `RawHttpCutOffError`: the answer broke off),
  `RawHttpResponseError`, `RawHttpAuthenticationError` (`RawHttpBasicRefusedError`),
  `RawHttpEarlyResponseError`, `RawHttpStalledError` (the device stopped taking the body),
  `RawHttpUnansweredError` (no answer in time after the body ended).
"""

from .addresses import normalize_mac
from .auth import (
    AuthChallenge,
    HttpAuth,
    basic_authorization,
    digest_authorization,
    parse_www_authenticate,
    select_challenge,
)
from .bounded import read_bounded
from .client import RawStream, build_head, fetch_challenge, open_stream, request
from .credentials import password_from
from .exceptions import (
    RawHttpAuthenticationError,
    RawHttpBasicRefusedError,
    RawHttpBodyTooLargeError,
    RawHttpConnectionError,
    RawHttpCutOffError,
    RawHttpEarlyResponseError,
    RawHttpError,
    RawHttpResponseError,
    RawHttpStalledError,
    RawHttpTimeoutError,
    RawHttpUnansweredError,
)
from .models import Origin, RawResponse, RawTimeouts, is_ipv6_literal
from .quoting import quote_device_text
from .tls import SslOption, insecure_ssl_context, ssl_context_for, verified_ssl_context

__all__ = [
    "AuthChallenge",
    "HttpAuth",
    "Origin",
    "RawHttpAuthenticationError",
    "RawHttpBasicRefusedError",
    "RawHttpBodyTooLargeError",
    "RawHttpConnectionError",
    "RawHttpCutOffError",
    "RawHttpEarlyResponseError",
    "RawHttpError",
    "RawHttpResponseError",
    "RawHttpStalledError",
    "RawHttpTimeoutError",
    "RawHttpUnansweredError",
    "RawResponse",
    "RawStream",
    "RawTimeouts",
    "SslOption",
    "basic_authorization",
    "build_head",
    "digest_authorization",
    "fetch_challenge",
    "insecure_ssl_context",
    "is_ipv6_literal",
    "normalize_mac",
    "open_stream",
    "parse_www_authenticate",
    "password_from",
    "quote_device_text",
    "read_bounded",
    "request",
    "select_challenge",
    "ssl_context_for",
    "verified_ssl_context",
]
