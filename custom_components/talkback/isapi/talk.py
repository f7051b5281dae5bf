"""The talk session: raw G.711 to a camera's speaker on one long `PUT .../audioData`.

Cameras take `Content-Length: 0` followed by audio bytes for as long as the socket stays
open and answer only when it ends; aiohttp cannot send that (it cuts the body to the
declared length) and cameras refuse chunked bodies, so the audio goes through rawhttp.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
import logging
from types import TracebackType
from typing import Protocol, Self
from urllib.parse import quote

from ..rawhttp import (
    HttpAuth,
    Origin,
    RawHttpEarlyResponseError,
    RawHttpError,
    RawHttpUnansweredError,
    RawResponse,
    RawTimeouts,
    open_stream,
    parse_www_authenticate,
)
from .const import CONTENT_TYPE_TALK, PATH_TWO_WAY_AUDIO, TALK_AUTH_ATTEMPTS
from .exceptions import (
    IsapiBusyError,
    IsapiConnectionError,
    IsapiError,
    IsapiResponseError,
    IsapiTimeoutError,
)
from .models import IsapiTimeouts, TwoWayAudioSession
from .status import error_for_body, error_for_raw

_LOGGER = logging.getLogger(__name__)


class TalkChannels(Protocol):
    """What a talk session needs of the client that owns the channels (`IsapiClient`)."""

    host: str
    timeouts: IsapiTimeouts

    def claim_talk(self, channel_id: str) -> None: ...
    def release_talk(self, channel_id: str) -> None: ...
    async def closed(self, channel_id: str) -> None: ...
    async def close_quietly(self, channel_id: str) -> None: ...
    def close_in_background(
        self, channel_id: str, *, again_after: float = 0.0
    ) -> asyncio.Task[None]: ...
    async def open_two_way_audio(self, channel_id: str) -> TwoWayAudioSession: ...
    async def origin(self) -> Origin: ...
    async def stream_auth(self) -> HttpAuth: ...
    def raw_timeouts(self, response: float) -> RawTimeouts: ...


class TalkSession:
    """One turn of talking on a channel: `async with client.talk("1") as talk:`.

    Entering closes any stale session (best effort: many cameras refuse to open while one
    exists, some refuse to close an idle channel) and opens a new one; `send()` streams
    frames as they come (pacing is the caller's job). Leaving closes the session whatever
    happened: after an end or an error it waits for the close (bounded by its timeout),
    after a cancellation (STOP) it returns at once and the client finishes the close in
    the background. An
    open that fails, times out or is cancelled is closed in the background too: the device
    may have opened after all.
    """

    def __init__(self, client: TalkChannels, channel_id: str) -> None:
        self._client = client
        self.channel_id = channel_id
        self.session_id: str | None = None
        self.bytes_sent = 0
        self._open = False

    def __repr__(self) -> str:
        return (
            f"TalkSession(channel_id={self.channel_id!r}, session_id={self.session_id!r}, "
            f"bytes_sent={self.bytes_sent})"
        )

    async def __aenter__(self) -> Self:
        client = self._client
        client.claim_talk(self.channel_id)
        try:
            await client.closed(self.channel_id)
            await client.close_quietly(self.channel_id)
        except BaseException:
            client.release_talk(self.channel_id)
            raise
        try:
            session = await client.open_two_way_audio(self.channel_id)
        except IsapiBusyError:
            # Someone else holds the channel: closing would cut them off.
            client.release_talk(self.channel_id)
            raise
        except BaseException as err:
            # Unanswered (timeout, broken connection, cancelled): the device may still open.
            # A malformed answer is an answer: the device has carried the open out, or not.
            answered = isinstance(err, IsapiResponseError) or (
                isinstance(err, IsapiError) and err.http_status is not None
            )
            again_after = 0.0 if answered else client.timeouts.open
            client.close_in_background(self.channel_id, again_after=again_after)
            client.release_talk(self.channel_id)
            raise
        self.session_id = session.session_id
        self._open = True
        _LOGGER.debug(
            "%s: talk session %s open on channel %s", client.host, self.session_id, self.channel_id
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._open = False
        closing = self._client.close_in_background(self.channel_id)
        self._client.release_talk(self.channel_id)
        if exc is None or isinstance(exc, Exception):
            await asyncio.wait({closing})
        # Cancelled (STOP, a newer play, unload): return at once; the client finishes it.

    @property
    def target(self) -> str:
        """The request-target of the audio PUT (with the sessionId when there is one)."""
        path = f"{PATH_TWO_WAY_AUDIO}/{quote(self.channel_id, safe='')}/audioData"
        if self.session_id is None:
            return path
        return f"{path}?sessionId={quote(self.session_id, safe='')}"

    async def send(self, frames: AsyncIterable[bytes]) -> int:
        """Write every frame to the speaker as it arrives; return the audio bytes sent.

        A 401 on the audio socket (the nonce went stale) re-authenticates and goes on with
        the next frame on a new socket: what was sent is never sent again (the listener
        would hear it twice). A stale refusal that comes with the last frames, or again
        and again, ends the talk with a connection error the caller may retry, never as
        a wrong password; only refusals of the credentials themselves (not stale, on
        every attempt) are an authentication error.
        """
        if not self._open:
            raise RuntimeError("send() needs an open session: use `async with client.talk(...)`")
        client = self._client
        action = f"sending audio to channel {self.channel_id}"
        origin = await client.origin()
        auth = await client.stream_auth()
        iterator = aiter(frames)
        lost = False  # audio written after a refusal at the end: it did not play
        for attempt in range(1, TALK_AUTH_ATTEMPTS + 1):
            response, ended = await self._stream_once(origin, auth, iterator, action)
            if response is None or 200 <= response.status < 300:
                if lost:
                    raise self._retryable(action)
                return self.bytes_sent
            challenges = parse_www_authenticate(response.header_values("WWW-Authenticate"))
            stale = any(challenge.stale for challenge in challenges)
            if response.status != 401 or not challenges:
                raise error_for_body(response.status, response.body, action=action)
            if stale and (ended or attempt == TALK_AUTH_ATTEMPTS):
                raise self._retryable(action)
            if attempt == TALK_AUTH_ATTEMPTS:
                raise error_for_body(response.status, response.body, action=action)
            lost = lost or ended
            try:
                auth.update(challenges)
            except RawHttpError as err:
                raise error_for_raw(err, action=action) from err
            _LOGGER.debug(
                "%s: talk socket re-authenticating after %d bytes (stale nonce: %s)",
                client.host,
                self.bytes_sent,
                stale,
            )
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    def _retryable(self, action: str) -> IsapiConnectionError:
        # Audio written after the device's refusal was not played and cannot be sent again
        # without repeating what was: the talk ends with an error to retry.
        return IsapiConnectionError(
            f"The device asked to authenticate again after {self.bytes_sent} bytes and some "
            f"audio did not play ({action}); try again"
        )

    async def _stream_once(
        self,
        origin: Origin,
        auth: HttpAuth,
        frames: AsyncIterator[bytes],
        action: str,
    ) -> tuple[RawResponse | None, bool]:
        """One connection: the frames from where the last one stopped, then the answer.

        Also says whether every frame was written (an answer after that came at the end).
        """
        client = self._client
        try:
            stream = await open_stream(
                origin,
                "PUT",
                self.target,
                headers={
                    "Content-Type": CONTENT_TYPE_TALK,
                    "Content-Length": "0",
                    "Connection": "keep-alive",
                },
                auth=auth,
                timeouts=client.raw_timeouts(client.timeouts.talk_response),
            )
        except RawHttpError as err:
            raise error_for_raw(err, action=action) from err
        try:
            async for frame in frames:
                if not frame:
                    continue
                self.bytes_sent += len(frame)
                await stream.write(frame)
            try:
                response = await stream.finish()
            except RawHttpUnansweredError as err:
                # The ISAPI documents promise a ResponseStatus once the audio ends, and
                # cameras send it when the body ends (our half-close): without it the
                # audio may sit unplayed in the device's buffers.
                raise IsapiTimeoutError(
                    f"The device did not confirm the audio within "
                    f"{client.timeouts.talk_response:g} s ({action}); it may not have played"
                ) from err
            if response is None and origin.ssl_context is None:
                raise IsapiConnectionError(
                    f"The device closed the talk connection without confirming the audio "
                    f"({action}); it may not have played"
                )
        except RawHttpEarlyResponseError as early:
            if 200 <= early.response.status < 300:
                # A success before the audio ended: the device stopped listening.
                raise IsapiConnectionError(
                    f"The device ended the talk session after {self.bytes_sent} bytes "
                    f"({action}); another client may have taken the channel. Try again"
                ) from early
            return early.response, False
        except RawHttpError as err:
            raise error_for_raw(err, action=action) from err
        else:
            # On TLS there is no half-close: the answer cannot come before we close.
            return response, True
        finally:
            await stream.aclose()
