"""Audio output: `POST /axis-cgi/audio/transmit.cgi` with raw audio/basic bytes on one socket.

Axis devices do not understand chunked bodies, so the head declares a large
Content-Length and the audio follows as it is produced; half-closing the socket ends it.
The device answers only after it has played what it received.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterator
from contextlib import contextmanager
import logging
import ssl
from types import TracebackType
from typing import Final, Self

from ..rawhttp import (
    HttpAuth,
    Origin,
    RawHttpAuthenticationError,
    RawHttpConnectionError,
    RawHttpEarlyResponseError,
    RawHttpError,
    RawHttpTimeoutError,
    RawResponse,
    RawStream,
    RawTimeouts,
    fetch_challenge,
    open_stream,
    ssl_context_for,
)
from .const import (
    AUDIO_CONTENT_TYPE,
    CONNECT_TIMEOUT,
    PATH_TRANSMIT,
    TRANSMIT_CLOSE_TIMEOUT,
    TRANSMIT_DECLARED_LENGTH,
    TRANSMIT_READ_TIMEOUT,
    TRANSMIT_RESPONSE_TIMEOUT,
    TRANSMIT_WRITE_TIMEOUT,
)
from .exceptions import (
    VapixAuthenticationError,
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
    response=TRANSMIT_RESPONSE_TIMEOUT,
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
                origin, PATH_TRANSMIT, method="GET", timeouts=self._timeouts
            )
            if challenges:
                self._auth.update(challenges)
            self._stream = await open_stream(
                origin,
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
        _LOGGER.debug("Transmitting audio to %s", self.host)

    async def send_frame(self, frame: bytes) -> None:
        """Write one frame of µ-law audio (any length) as soon as it is due."""
        stream = self._require_stream()
        if not frame:
            return
        if self.bytes_sent + len(frame) > TRANSMIT_DECLARED_LENGTH:
            raise VapixError(
                "The stream reached the length declared to the device; split long audio "
                "into several plays"
            )
        with self._mapped_errors():
            await stream.write(frame)
        self.bytes_sent += len(frame)

    async def finish(self) -> int:
        """End the audio and wait until the device has played it; return bytes sent."""
        stream = self._require_stream()
        try:
            with self._mapped_errors():
                response = await stream.finish()
        except VapixTimeoutError:
            # Every byte went out; a device that never confirms has still played them.
            _LOGGER.warning(
                "%s did not confirm the end of the audio within %s s",
                self.host,
                self._timeouts.response,
            )
            return self.bytes_sent
        if response is None:
            if not self._use_ssl:
                raise VapixConnectionError(
                    f"{self.host} closed the connection without answering; the audio may "
                    "not have played"
                )
            # TLS cannot half-close: the device plays what it has when the socket closes.
            _LOGGER.debug("Audio to %s ends with the TLS connection", self.host)
            return self.bytes_sent
        if (error := _answer_error(response)) is not None:
            raise error
        return self.bytes_sent

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
        except RawHttpTimeoutError as err:
            raise VapixTimeoutError(f"{err}; check that the device is on") from err
        except RawHttpConnectionError as err:
            raise VapixConnectionError(str(err)) from err
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
