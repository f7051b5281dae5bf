"""Audio output: `POST /axis-cgi/audio/transmit.cgi` with raw audio/basic bytes on one socket.

Axis devices do not understand chunked bodies, so the head declares a large
Content-Length and the audio follows as it is produced; half-closing the socket ends it.
The device answers only after it has played what it received: over plain HTTP a missing
answer is a failure (the audio may not have played). The answer is due `TRANSMIT_ANSWER_MARGIN`
after the audio should have ended, counted at real time from its first byte, so a device
that stops reading near the end fails a few seconds past the audio, whatever its buffers
took. A device that stops reading earlier fails the stream within `timeouts.stall` (rawhttp
watches the TCP acknowledgements). A 401 in the
middle (a stale nonce) re-authenticates and goes on with the next frame on a new
connection: what was sent is never sent twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
import logging
import ssl
from types import TracebackType
from typing import Final, Self

from ..rawhttp import (
    HttpAuth,
    Origin,
    RawHttpAuthenticationError,
    RawHttpBasicRefusedError,
    RawHttpConnectionError,
    RawHttpEarlyResponseError,
    RawHttpError,
    RawHttpStalledError,
    RawHttpTimeoutError,
    RawHttpUnansweredError,
    RawResponse,
    RawStream,
    RawTimeouts,
    fetch_challenge,
    open_stream,
    parse_www_authenticate,
    ssl_context_for,
)
from .const import (
    AUDIO_BYTES_PER_SECOND,
    AUDIO_CONTENT_TYPE,
    CONNECT_TIMEOUT,
    PATH_TRANSMIT,
    REQUEST_TIMEOUT,
    TRANSMIT_ANSWER_MARGIN,
    TRANSMIT_CLOSE_TIMEOUT,
    TRANSMIT_DECLARED_LENGTH,
    TRANSMIT_READ_TIMEOUT,
    TRANSMIT_REAUTH_ATTEMPTS,
    TRANSMIT_WRITE_TIMEOUT,
)
from .exceptions import (
    VapixAuthenticationError,
    VapixBasicRefusedError,
    VapixConnectionError,
    VapixError,
    VapixNotSupportedError,
    VapixResponseError,
    VapixTimeoutError,
)
from .faults import error_for_status

_LOGGER = logging.getLogger(__name__)

TRANSMIT_TIMEOUTS: Final = RawTimeouts(
    connect=CONNECT_TIMEOUT,
    write=TRANSMIT_WRITE_TIMEOUT,
    response=TRANSMIT_ANSWER_MARGIN,
    read=TRANSMIT_READ_TIMEOUT,
    close=TRANSMIT_CLOSE_TIMEOUT,
)
_WHAT: Final = "audio output (transmit.cgi)"


class TransmitSession:
    """One audio stream to a device: `async with client.talk() as talk: await talk.send(frames)`.

    Frames go out as they come (pacing is the caller's job). `send_frame()` and `finish()`
    do the same one frame at a time. Leaving the block closes the connection in every
    outcome (end, error, cancellation).
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        use_ssl: bool,
        ssl_context: ssl.SSLContext | bool | None,
        auth: HttpAuth,
        timeouts: RawTimeouts = TRANSMIT_TIMEOUTS,
    ) -> None:
        """Prepare a session; nothing is sent before `open()`."""
        self.host = host
        self._port = port
        self._use_ssl = use_ssl
        self._ssl_option = ssl_context
        self._auth = auth
        self._timeouts = timeouts
        self._stream: RawStream | None = None
        self._origin: Origin | None = None
        self._reauthentications = 0
        self._first_frame_at: float | None = None
        self.bytes_sent = 0

    def __repr__(self) -> str:
        """Where the audio goes and how much has been sent."""
        return f"TransmitSession(host={self.host!r}, bytes_sent={self.bytes_sent})"

    async def __aenter__(self) -> Self:
        """Open the stream."""
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the connection whatever happened."""
        await self.close()

    async def open(self) -> None:
        """Connect, authenticate and send the request head."""
        if self._stream is not None:
            raise RuntimeError("TransmitSession.open() called twice")
        origin = Origin(self.host, self._port, await self._tls_context())
        with self._mapped_errors():
            # A fresh challenge for every stream: a nonce gone stale between two plays
            # would otherwise cost the first words of an announcement.
            challenges = await fetch_challenge(
                origin,
                PATH_TRANSMIT,
                method="GET",
                timeouts=replace(self._timeouts, response=REQUEST_TIMEOUT),
            )
            if challenges:
                self._auth.update(challenges)
        self._origin = origin
        await self._connect()
        _LOGGER.debug("Transmitting audio to %s", self.host)

    async def _connect(self) -> None:
        assert self._origin is not None
        with self._mapped_errors():
            self._stream = await open_stream(
                self._origin,
                "POST",
                PATH_TRANSMIT,
                headers=[
                    ("Content-Type", AUDIO_CONTENT_TYPE),
                    ("Content-Length", str(TRANSMIT_DECLARED_LENGTH)),
                    ("Cache-Control", "no-cache"),
                ],
                auth=self._auth,
                timeouts=self._timeouts,
            )

    async def send_frame(self, frame: bytes) -> None:
        """Write one frame of µ-law audio (any length) as soon as it is due."""
        stream = self._require_stream()
        if not frame:
            return
        if stream.bytes_sent + len(frame) > TRANSMIT_DECLARED_LENGTH:
            raise VapixError(
                "The stream reached the length declared to the device; split long audio "
                "into several plays"
            )
        if self._first_frame_at is None:
            self._first_frame_at = asyncio.get_running_loop().time()
        with self._mapped_errors():
            try:
                await stream.write(frame)
            except RawHttpEarlyResponseError as early:
                await self._reauthenticate(early)
                await self._require_stream().write(frame)
        self.bytes_sent += len(frame)

    async def _reauthenticate(self, early: RawHttpEarlyResponseError) -> None:
        """Answer a 401 in the middle of the audio on a new connection, or re-raise."""
        response = early.response
        challenges = parse_www_authenticate(response.header_values("WWW-Authenticate"))
        if response.status != 401 or not challenges:
            raise early
        stale = any(challenge.stale for challenge in challenges)
        if self._reauthentications >= TRANSMIT_REAUTH_ATTEMPTS:
            if not stale:
                raise early
            raise VapixConnectionError(
                f"{self.host} kept calling the authentication stale after {self.bytes_sent} "
                "bytes of audio; try again"
            )
        self._reauthentications += 1
        self._auth.update(challenges)
        _LOGGER.debug(
            "%s asked to authenticate again after %d bytes (stale nonce: %s)",
            self.host,
            self.bytes_sent,
            stale,
        )
        await self._require_stream().aclose()
        await self._connect()

    async def finish(self) -> int:
        """End the audio and wait until the device has played it; return bytes sent."""
        stream = self._require_stream()
        margin = self._timeouts.response
        with self._mapped_errors():
            try:
                response = await stream.finish(self._playback_left() + margin)
            except RawHttpUnansweredError as err:
                raise VapixTimeoutError(
                    f"{self.host} did not confirm the audio {margin:g} s after it should have "
                    "finished playing; it may not have played"
                ) from err
        if response is None:
            if not self._use_ssl:
                raise VapixConnectionError(
                    f"{self.host} closed the connection without answering; the audio may "
                    "not have played"
                )
            # TLS cannot half-close: the device plays what it has when the socket closes.
            _LOGGER.debug("Audio to %s ends with the TLS connection", self.host)
            return self.bytes_sent
        challenges = parse_www_authenticate(response.header_values("WWW-Authenticate"))
        if response.status == 401 and any(challenge.stale for challenge in challenges):
            raise VapixConnectionError(
                f"{self.host} called the authentication stale at the end of the audio; its "
                "end may not have played. Try again"
            )
        if (error := _answer_error(response)) is not None:
            raise error
        return self.bytes_sent

    def _playback_left(self) -> float:
        """Seconds until the audio sent so far has played, at real time from its first byte."""
        if self._first_frame_at is None:
            return 0.0
        ends = self._first_frame_at + self.bytes_sent / AUDIO_BYTES_PER_SECOND
        return max(0.0, ends - asyncio.get_running_loop().time())

    async def send(self, frames: AsyncIterable[bytes]) -> int:
        """Send every frame as it comes, then wait until it has played; return bytes sent."""
        async for frame in frames:
            await self.send_frame(frame)
        return await self.finish()

    async def close(self) -> None:
        """Close the connection (stops playback if it is still going); safe to repeat."""
        if self._stream is not None:
            await self._stream.aclose()

    def _require_stream(self) -> RawStream:
        if self._stream is None:
            raise RuntimeError("TransmitSession used before open()")
        return self._stream

    @contextmanager
    def _mapped_errors(self) -> Iterator[None]:
        """Turn rawhttp errors, and an answer that comes before the end, into VAPIX errors."""
        try:
            yield
        except RawHttpEarlyResponseError as early:
            error = _answer_error(early.response)
            if error is None:
                error = VapixConnectionError(
                    f"{self.host} ended the audio stream before it was complete "
                    f"(HTTP {early.response.status})"
                )
            raise error from None
        except RawHttpStalledError as err:
            raise VapixTimeoutError(f"{err}; the audio did not play") from err
        except RawHttpTimeoutError as err:
            raise VapixTimeoutError(f"{err}; check that the device is on") from err
        except RawHttpConnectionError as err:
            raise VapixConnectionError(str(err)) from err
        except RawHttpBasicRefusedError as err:
            raise VapixBasicRefusedError(str(err)) from err
        except RawHttpAuthenticationError as err:
            raise VapixAuthenticationError(str(err)) from err
        except RawHttpError as err:
            raise VapixResponseError(str(err)) from err

    async def _tls_context(self) -> ssl.SSLContext | None:
        return await ssl_context_for(self._ssl_option) if self._use_ssl else None


def _answer_error(response: RawResponse) -> VapixError | None:
    """The error the device's answer stands for; None for a success."""
    if response.status == 404:
        return VapixNotSupportedError(
            "The device has no audio output (transmit.cgi is missing); choose a device "
            "with a speaker or line out"
        )
    if response.status in (400, 415):
        return VapixNotSupportedError(
            f"The device refused {AUDIO_CONTENT_TYPE} audio (HTTP {response.status}); "
            "check that its audio output and G.711 decoding are enabled"
        )
    return error_for_status(response.status, response.body, _WHAT)
