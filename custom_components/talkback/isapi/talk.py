"""The talk session: raw G.711 to a camera's speaker on one long `PUT .../audioData`.

Cameras take `Content-Length: 0` followed by audio bytes for as long as the socket stays
open and answer only when it ends; aiohttp cannot send that (it cuts the body to the
declared length) and cameras refuse chunked bodies, so the audio goes through rawhttp.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
import logging
from types import TracebackType
from typing import TYPE_CHECKING, Self
from urllib.parse import quote

from ..rawhttp import (
    HttpAuth,
    Origin,
    RawHttpEarlyResponseError,
    RawHttpError,
    RawHttpTimeoutError,
    RawResponse,
    open_stream,
    parse_www_authenticate,
)
from .const import CONTENT_TYPE_TALK, PATH_TWO_WAY_AUDIO, TALK_AUTH_ATTEMPTS, TALK_REPLAY_BYTES
from .exceptions import IsapiConnectionError, IsapiError
from .status import error_for_body, error_for_raw

if TYPE_CHECKING:
    from .client import IsapiClient

_LOGGER = logging.getLogger(__name__)


class _Replay:
    """The audio sent on the current attempt, kept so a re-authenticated stream starts over."""

    __slots__ = ("complete", "data", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.complete = True

    def add(self, frame: bytes) -> None:
        if not self.complete:
            return
        if len(self.data) + len(frame) > self.limit:
            # Too late for a restart to be right: the device has been playing for seconds.
            self.complete = False
            self.data.clear()
            return
        self.data += frame


class TalkSession:
    """One turn of talking on a channel: `async with client.talk("1") as talk:`.

    Entering closes any stale session (many cameras refuse to open while one exists) and
    opens a new one; `send()` streams frames as they come (pacing is the caller's job);
    leaving closes the session whatever happened (end, error, cancellation).
    """

    def __init__(self, client: IsapiClient, channel_id: str) -> None:
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
            await client.close_two_way_audio(self.channel_id)
            session = await client.open_two_way_audio(self.channel_id)
        except BaseException:
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
        try:
            await self._client.close_two_way_audio(self.channel_id)
        except IsapiError as err:
            # The camera also ends a session that gets no audio (after about 10 s).
            _LOGGER.warning(
                "%s: could not close the talk session on channel %s: %s",
                self._client.host,
                self.channel_id,
                err,
            )
        finally:
            self._client.release_talk(self.channel_id)

    @property
    def target(self) -> str:
        """The request-target of the audio PUT (with the sessionId when there is one)."""
        path = f"{PATH_TWO_WAY_AUDIO}/{quote(self.channel_id, safe='')}/audioData"
        if self.session_id is None:
            return path
        return f"{path}?sessionId={quote(self.session_id, safe='')}"

    async def send(self, frames: AsyncIterable[bytes]) -> int:
        """Write every frame to the speaker as it arrives; return the audio bytes sent.

        A 401 on the audio socket (the nonce went stale) re-authenticates and starts over
        from the first frame.
        """
        if not self._open:
            raise RuntimeError("send() needs an open session: use `async with client.talk(...)`")
        client = self._client
        action = f"sending audio to channel {self.channel_id}"
        origin = await client.origin()
        auth = await client.stream_auth()
        replay = _Replay(TALK_REPLAY_BYTES)
        iterator = aiter(frames)
        for attempt in range(1, TALK_AUTH_ATTEMPTS + 1):
            response = await self._stream_once(origin, auth, iterator, replay, action)
            if response is None or 200 <= response.status < 300:
                return self.bytes_sent
            if response.status == 401 and replay.complete and attempt < TALK_AUTH_ATTEMPTS:
                try:
                    challenge = auth.update(
                        parse_www_authenticate(response.header_values("WWW-Authenticate"))
                    )
                except RawHttpError as err:
                    raise error_for_raw(err, action=action) from err
                _LOGGER.debug(
                    "%s: talk socket re-authenticating (stale nonce: %s)",
                    client.host,
                    challenge.stale,
                )
                continue
            raise error_for_body(response.status, response.body, action=action)
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    async def _stream_once(
        self,
        origin: Origin,
        auth: HttpAuth,
        frames: AsyncIterator[bytes],
        replay: _Replay,
        action: str,
    ) -> RawResponse | None:
        """One connection: replay what an earlier attempt sent, then the rest of the frames."""
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
            if replay.data:
                await stream.write(bytes(replay.data))
            async for frame in frames:
                if not frame:
                    continue
                replay.add(frame)
                self.bytes_sent += len(frame)
                await stream.write(frame)
            try:
                return await stream.finish()
            except RawHttpTimeoutError:
                # Every byte went out; a camera that never confirms has still played them.
                _LOGGER.warning(
                    "%s did not confirm the audio on channel %s within %s s",
                    client.host,
                    self.channel_id,
                    client.timeouts.talk_response,
                )
                return None
        except RawHttpEarlyResponseError as early:
            if 200 <= early.response.status < 300:
                # A success before the audio ended: the device stopped listening.
                raise IsapiConnectionError(
                    f"The device ended the talk session after {self.bytes_sent} bytes "
                    f"({action}); another client may have taken the channel. Try again"
                ) from early
            return early.response
        except RawHttpError as err:
            raise error_for_raw(err, action=action) from err
        finally:
            await stream.aclose()
