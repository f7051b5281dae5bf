"""The ISAPI client: device identity and two-way audio of a Hikvision camera, door station or NVR."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
import logging
import ssl
from typing import Any
from urllib.parse import quote
from xml.etree.ElementTree import Element

import aiohttp
from yarl import URL

from ..rawhttp import (
    HttpAuth,
    Origin,
    RawHttpBodyTooLargeError,
    RawHttpError,
    RawTimeouts,
    fetch_challenge,
    parse_www_authenticate,
    read_bounded,
    request,
    ssl_context_for,
)
from .const import (
    CONTENT_TYPE_RECEIVE,
    CONTENT_TYPE_XML,
    MAX_XML_BYTES,
    PATH_DEVICE_INFO,
    PATH_NETWORK_INTERFACES,
    PATH_TWO_WAY_AUDIO,
    RECEIVE_CHUNK_BYTES,
)
from .exceptions import (
    IsapiBusyError,
    IsapiConnectionError,
    IsapiError,
    IsapiResponseError,
    IsapiTimeoutError,
)
from .models import (
    DeviceInfo,
    IsapiTimeouts,
    NetworkInterface,
    ResponseStatus,
    TwoWayAudioCapabilities,
    TwoWayAudioChannel,
    TwoWayAudioSession,
    parse_network_interfaces,
    parse_two_way_audio_channels,
)
from .status import STATUS_REBOOT_REQUIRED, error_for, error_for_body, error_for_raw
from .talk import TalkSession
from .xml import parse_document

_LOGGER = logging.getLogger(__name__)

_OK_STATUS_CODES = frozenset({1, STATUS_REBOOT_REQUIRED})


async def _read_capped(response: aiohttp.ClientResponse, what: str) -> bytes:
    """Read a whole answer, refusing anything larger than an ISAPI document can be."""
    try:
        return await read_bounded(
            response.content.iter_chunked(65536),
            MAX_XML_BYTES,
            declared_length=response.content_length,
        )
    except RawHttpBodyTooLargeError as err:
        raise IsapiResponseError(
            f"The device sent {what} larger than {MAX_XML_BYTES} bytes"
        ) from err


def _channel_path(channel_id: str, suffix: str = "") -> str:
    return f"{PATH_TWO_WAY_AUDIO}/{quote(channel_id, safe='')}{suffix}"


class IsapiClient:
    """Talks ISAPI to one device over an injected aiohttp session.

    `ssl_context`: an `ssl.SSLContext` to use as given; `False` to accept self-signed
    certificates; `None`/`True` to verify against the system store (built in a thread on
    first use). Only used with `use_ssl=True`. The host may be an IPv6 literal.

    Authentication (one policy for every request, the talk socket included; see
    `rawhttp.auth`): Digest whenever the device offers it, Basic only when it offers
    nothing else and, over plain HTTP, only with `allow_basic_over_http` (default True so
    that existing setups keep working; `IsapiBasicRefusedError` otherwise).

    Closes after a failed or cancelled talk run in the background (`closing_tasks`);
    `await client.close()` waits for them before the client is dropped.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        *,
        username: str,
        password: str,
        port: int | None = None,
        use_ssl: bool = False,
        ssl_context: ssl.SSLContext | bool | None = None,
        timeouts: IsapiTimeouts | None = None,
        allow_basic_over_http: bool = True,
    ) -> None:
        self._session = session
        self.host = host
        self.port = port
        self.use_ssl = use_ssl
        self._ssl_option = ssl_context
        self.timeouts = timeouts or IsapiTimeouts()
        self._auth = HttpAuth(
            username, password, allow_basic_over_http=allow_basic_over_http, secure=use_ssl
        )
        self._origin: Origin | None = None
        self._sessions: dict[str, str | None] = {}
        self._talking: set[str] = set()
        # Background closes: every one until it ends, the latest per channel, and the
        # repeats still waiting to close once more after an unanswered open.
        self._background: set[asyncio.Task[None]] = set()
        self._closing: dict[str, asyncio.Task[None]] = {}
        self._repeats: dict[str, asyncio.Task[None]] = {}

    def __repr__(self) -> str:
        return f"IsapiClient(host={self.host!r}, port={self.port!r}, use_ssl={self.use_ssl!r})"

    @property
    def basic_worked(self) -> bool:
        """Whether the device accepted the password sent as Basic (readable without HTTPS)."""
        return self._auth.basic_worked

    # Connection details -------------------------------------------------------------------

    async def origin(self) -> Origin:
        """Where the device is (with its TLS context); validated on first use."""
        if self._origin is None:
            context = await ssl_context_for(self._ssl_option) if self.use_ssl else None
            try:
                self._origin = Origin(self.host, self.port, context)
            except ValueError as err:
                raise IsapiConnectionError(
                    f"{err}; enter the device's IP address or host name (and a port 1-65535)"
                ) from err
        return self._origin

    async def stream_auth(self) -> HttpAuth:
        """Credentials for one streamed request (talk), primed with a fresh challenge.

        Same policy as every other request, its own nonce state (two counters on one nonce
        would collide, which strict devices refuse as a replay). The challenge is fetched
        for each stream: a nonce gone stale since the last play would otherwise cost the
        audio written before the device's refusal arrives.
        """
        origin = await self.origin()
        auth = self._auth.sharing()
        try:
            challenges = await fetch_challenge(
                origin, PATH_TWO_WAY_AUDIO, timeouts=self.raw_timeouts(self.timeouts.request)
            )
            if challenges:
                auth.update(challenges)
        except RawHttpError as err:
            raise error_for_raw(err, action="preparing the talk connection") from err
        return auth

    def raw_timeouts(self, response: float) -> RawTimeouts:
        """Timeouts for a raw-socket request whose answer may take `response` seconds."""
        timeouts = self.timeouts
        return RawTimeouts(
            connect=timeouts.connect,
            write=timeouts.talk_write,
            response=response,
            read=timeouts.request,
            close=timeouts.talk_socket_close,
            stall=timeouts.talk_stall,
        )

    def session_id(self, channel_id: str) -> str | None:
        """The session this client opened on a channel (None: none, or the device gave none)."""
        return self._sessions.get(channel_id)

    # HTTP ---------------------------------------------------------------------------------

    async def _url(self, path: str, params: dict[str, str] | None = None) -> URL:
        url = URL((await self.origin()).url(path), encoded=True)
        return url.with_query(params) if params else url

    async def _request(
        self, method: str, url: URL, body: bytes | None = None
    ) -> aiohttp.ClientResponse:
        """Start an authenticated request; the caller releases the response (`async with`).

        A 401 whose challenge the policy accepts is answered once (first contact, a stale
        nonce, or a device offering only Basic: Basic is never sent ahead).
        """
        origin = await self.origin()
        target = url.raw_path_qs
        for attempt in range(2):
            headers = {"Content-Type": CONTENT_TYPE_XML} if body is not None else {}
            try:
                authorization = self._auth.authorization(method, target)
            except RawHttpError as err:
                raise error_for_raw(err, action=f"authenticating {method} {url.path}") from err
            if authorization is not None:
                headers["Authorization"] = authorization
            response = await self._session.request(
                method,
                url,
                data=body if body is not None else b"",
                headers=headers,
                ssl=origin.ssl_context or True,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.timeouts.connect),
            )
            self._auth.record(authorization, response.status)
            if response.status != 401 or attempt:
                return response
            try:
                challenges = parse_www_authenticate(response.headers.getall("WWW-Authenticate", []))
                if not challenges:
                    return response
                self._auth.update(challenges)
            except RawHttpError as err:
                response.release()
                raise error_for_raw(err, action=f"authenticating {method} {url.path}") from err
            response.release()
        raise AssertionError("unreachable: the second attempt returns")  # pragma: no cover

    def _transport_error(
        self, err: TimeoutError | aiohttp.ClientError, action: str, wait: float
    ) -> IsapiError:
        """The typed error for a request that failed below HTTP (connect, TLS, timeout)."""
        authority = self._origin.authority if self._origin else self.host
        if isinstance(err, aiohttp.ConnectionTimeoutError):
            return IsapiTimeoutError(
                f"Could not connect to {authority} within {self.timeouts.connect:g} s while "
                f"{action}; check the address and that the device is online"
            )
        if isinstance(err, TimeoutError):
            return IsapiTimeoutError(
                f"The device did not answer within {wait:g} s while {action}; check that it "
                "is online"
            )
        if isinstance(err, aiohttp.ClientConnectorCertificateError):
            return IsapiConnectionError(
                f"The device's certificate is not trusted while {action} "
                f"({err.certificate_error}); turn off certificate verification for a "
                "self-signed device"
            )
        if isinstance(err, aiohttp.ClientConnectorError):
            return IsapiConnectionError(
                f"Cannot connect to {authority} while {action} ({err.strerror or err}); check "
                "the address, port and that the device is online"
            )
        return IsapiConnectionError(
            f"The connection to {authority} failed while {action} ({err}); check that the "
            "device is online"
        )

    async def _send(
        self,
        method: str,
        path: str,
        *,
        action: str,
        wait: float,
        body: bytes | None = None,
    ) -> tuple[int, bytes]:
        """One request within `wait` seconds; the status and the (bounded) body."""
        url = await self._url(path)
        try:
            async with asyncio.timeout(wait):
                response = await self._request(method, url, body)
                async with response:
                    return response.status, await _read_capped(response, "an answer")
        except (TimeoutError, aiohttp.ClientError) as err:
            raise self._transport_error(err, action, wait) from err

    async def _send_once(
        self, method: str, path: str, *, action: str, wait: float
    ) -> tuple[int, bytes]:
        """As `_send`, for a request the device must never get twice (opening a session).

        aiohttp sends an idempotent method again, by itself, when the connection breaks
        before the answer; for `open` the first one may have opened a session, which the
        second then reports as busy and nobody closes. rawhttp never sends twice on its own.
        """
        origin = await self.origin()
        try:
            async with asyncio.timeout(wait):
                response = await request(
                    origin,
                    method,
                    path,
                    auth=self._auth,
                    timeouts=self.raw_timeouts(wait),
                )
        except TimeoutError as err:
            raise self._transport_error(err, action, wait) from err
        except RawHttpError as err:
            raise error_for_raw(err, action=action) from err
        return response.status, response.body

    async def _get_xml(self, path: str, *, action: str, what: str) -> Element:
        status, body = await self._send("GET", path, action=action, wait=self.timeouts.request)
        if not 200 <= status < 300:
            raise error_for_body(status, body, action=action)
        return parse_document(body, what=what)

    async def _put(
        self, path: str, *, action: str, wait: float, body: bytes | None = None
    ) -> bytes:
        """PUT; a 2xx answer that carries a failed ResponseStatus is an error too."""
        if path.endswith("/open"):
            status, data = await self._send_once("PUT", path, action=action, wait=wait)
        else:
            status, data = await self._send("PUT", path, action=action, wait=wait, body=body)
        if not 200 <= status < 300:
            raise error_for_body(
                status, data, action=action, open_means_busy=path.endswith("/open")
            )
        answer = ResponseStatus.from_bytes(data)
        if answer is not None and answer.status_code not in _OK_STATUS_CODES and not answer.ok:
            raise error_for(status, answer, action=action, open_means_busy=path.endswith("/open"))
        if answer is not None and answer.status_code == STATUS_REBOOT_REQUIRED:
            _LOGGER.warning("%s: the change takes effect after a reboot (%s)", self.host, action)
        return data

    # Device identity ----------------------------------------------------------------------

    async def device_info(self) -> DeviceInfo:
        """Model, serial, MAC (from the network interfaces if deviceInfo lacks it), firmware."""
        action = "reading the device information"
        root = await self._get_xml(PATH_DEVICE_INFO, action=action, what="the device information")
        fallback: str | None = None
        if DeviceInfo.mac_of(root) is None:
            try:
                interfaces = await self.network_interfaces()
            except IsapiError as err:
                _LOGGER.debug("%s: no MAC from the network interfaces: %s", self.host, err)
            else:
                fallback = next((i.mac_address for i in interfaces if i.mac_address), None)
        return DeviceInfo.from_xml(root, fallback_mac=fallback)

    async def network_interfaces(self) -> tuple[NetworkInterface, ...]:
        """The device's network interfaces (id, MAC, IPv4 address)."""
        root = await self._get_xml(
            PATH_NETWORK_INTERFACES,
            action="reading the network interfaces",
            what="the network interfaces",
        )
        return parse_network_interfaces(root)

    # Two-way audio settings ---------------------------------------------------------------

    async def two_way_audio_channels(self) -> tuple[TwoWayAudioChannel, ...]:
        """Every two-way audio channel (NVRs and door stations have several)."""
        root = await self._get_xml(
            PATH_TWO_WAY_AUDIO,
            action="listing the two-way audio channels",
            what="the two-way audio channels",
        )
        return parse_two_way_audio_channels(root)

    async def two_way_audio_channel(self, channel_id: str) -> TwoWayAudioChannel:
        """One channel's settings, read fresh."""
        root = await self._get_xml(
            _channel_path(channel_id),
            action=f"reading two-way audio channel {channel_id}",
            what="a two-way audio channel",
        )
        return TwoWayAudioChannel.from_xml(root)

    async def update_two_way_audio_channel(
        self,
        channel: TwoWayAudioChannel,
        *,
        speaker_volume: int | None = None,
        audio_compression_type: str | None = None,
        audio_input_type: str | None = None,
        noise_reduction: bool | None = None,
    ) -> TwoWayAudioChannel:
        """Change settings (None leaves a field alone) and return the channel as now stored.

        Elements this client does not know are written back unchanged; `enabled` never is.
        """
        body = channel.to_xml(
            speaker_volume=speaker_volume,
            audio_compression_type=audio_compression_type,
            audio_input_type=audio_input_type,
            noise_reduction=noise_reduction,
        )
        await self._put(
            _channel_path(channel.id),
            action=f"changing two-way audio channel {channel.id}",
            wait=self.timeouts.request,
            body=body,
        )
        return await self.two_way_audio_channel(channel.id)

    async def two_way_audio_capabilities(self, channel_id: str) -> TwoWayAudioCapabilities:
        """What a channel accepts: codecs, input types, speaker volume range."""
        root = await self._get_xml(
            _channel_path(channel_id, "/capabilities"),
            action=f"reading the capabilities of two-way audio channel {channel_id}",
            what="the two-way audio capabilities",
        )
        return TwoWayAudioCapabilities.from_xml(root)

    # Two-way audio sessions ---------------------------------------------------------------

    async def open_two_way_audio(self, channel_id: str) -> TwoWayAudioSession:
        """Open a session; a channel held by someone else raises IsapiBusyError quickly."""
        action = f"opening two-way audio on channel {channel_id}"
        data = await self._put(
            _channel_path(channel_id, "/open"),
            action=action,
            wait=self.timeouts.open,
        )
        session = TwoWayAudioSession.from_xml(parse_document(data, what="the session"))
        self._sessions[channel_id] = session.session_id
        return session

    async def close_two_way_audio(self, channel_id: str) -> None:
        """Close the channel's session; closing a closed channel succeeds."""
        action = f"closing two-way audio on channel {channel_id}"
        self._sessions.pop(channel_id, None)
        try:
            await self._put(
                _channel_path(channel_id, "/close"),
                action=action,
                wait=self.timeouts.close,
            )
        except IsapiError as err:
            # Some firmware calls closing a closed channel an invalid operation: it is closed.
            if (err.sub_status_code or "").lower() != "invalidoperation":
                raise
            _LOGGER.debug("%s: channel %s was not open", self.host, channel_id)

    def talk(self, channel_id: str) -> TalkSession:
        """A talk session (async context manager): close stale, open, `send(frames)`, close."""
        return TalkSession(self, channel_id)

    def claim_talk(self, channel_id: str) -> None:
        """Mark a channel as talked on by this client; a second talk session is refused."""
        if channel_id in self._talking:
            raise IsapiBusyError(
                f"Talkback is already talking on channel {channel_id}; stop it first"
            )
        self._talking.add(channel_id)

    def release_talk(self, channel_id: str) -> None:
        """Undo `claim_talk`."""
        self._talking.discard(channel_id)

    async def open_get(self, path: str, *, action: str) -> aiohttp.ClientResponse:
        """An authenticated GET whose 2xx answer the caller reads and releases (streams)."""
        wait = self.timeouts.receive_head
        try:
            async with asyncio.timeout(wait):
                response = await self._request("GET", await self._url(path))
        except (TimeoutError, aiohttp.ClientError) as err:
            raise self._transport_error(err, action, wait) from err
        if not 200 <= response.status < 300:
            async with response:
                raise error_for_body(
                    response.status, await _read_capped(response, "an answer"), action=action
                )
        return response

    async def close_quietly(self, channel_id: str) -> None:
        """Close the channel's session, best effort: any refusal or silence is only logged.

        Bounded by the close timeout. Used before an open (a device answering 500 or 403
        notSupport to closing an idle channel must not stop the open) and after a talk.
        """
        try:
            await self.close_two_way_audio(channel_id)
        except IsapiError as err:
            _LOGGER.debug("%s: closing channel %s: %s", self.host, channel_id, err)

    def close_in_background(
        self, channel_id: str, *, again_after: float = 0.0
    ) -> asyncio.Task[None]:
        """Close the channel's session in a task this client owns; see `close()`.

        For a talk being stopped (the caller returns at once, the close follows within its
        timeout) and for a failed, timed-out or cancelled open. An open left unanswered may
        still be carried out by the device after the close: `again_after` seconds later
        the close is sent once more, unless a new talk on the channel comes first (its own
        close before opening does the same). The next talk waits for a close under way.
        """
        task = self._spawn(
            self._close_after_talk(channel_id, again_after),
            f"isapi close {self.host} channel {channel_id}",
        )
        self._closing[channel_id] = task
        task.add_done_callback(lambda done: self._forget(self._closing, channel_id, done))
        return task

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def _close_after_talk(self, channel_id: str, again_after: float) -> None:
        await self._close_or_warn(channel_id)
        if again_after:
            repeat = self._spawn(
                self._close_again(channel_id, again_after),
                f"isapi close {self.host} channel {channel_id} again",
            )
            self._repeats[channel_id] = repeat
            repeat.add_done_callback(lambda done: self._forget(self._repeats, channel_id, done))

    async def _close_again(self, channel_id: str, after: float) -> None:
        await asyncio.sleep(after)
        # The close is on its way from here: a new talk waits for it instead of cancelling it
        # (a close cut off in flight could still reach the device after the new open).
        task = asyncio.current_task()
        assert task is not None
        self._forget(self._repeats, channel_id, task)
        self._closing[channel_id] = task
        task.add_done_callback(lambda done: self._forget(self._closing, channel_id, done))
        await self._close_or_warn(channel_id)

    async def _close_or_warn(self, channel_id: str) -> None:
        try:
            await self.close_two_way_audio(channel_id)
        except IsapiError as err:
            # The camera also ends a session that gets no audio (after about 10 s).
            _LOGGER.warning(
                "%s: could not close the talk session on channel %s: %s",
                self.host,
                channel_id,
                err,
            )

    @staticmethod
    def _forget(
        tasks: dict[str, asyncio.Task[None]], channel_id: str, task: asyncio.Task[None]
    ) -> None:
        if tasks.get(channel_id) is task:
            del tasks[channel_id]

    async def closed(self, channel_id: str) -> None:
        """Wait until a background close of the channel (if any) has finished.

        A repeat still waiting for its moment is dropped: the caller, about to open, closes
        first anyway.
        """
        while True:
            if (repeat := self._repeats.pop(channel_id, None)) is not None:
                repeat.cancel()
            task = self._closing.get(channel_id)
            if task is None or task.done():
                return
            await asyncio.wait({task})  # it may leave a repeat behind: looked at again

    @property
    def closing_tasks(self) -> tuple[asyncio.Task[None], ...]:
        """The background closes still running."""
        return tuple(self._background)

    async def close(self) -> None:
        """Wait for every background close; call before dropping the client (e.g. on unload)."""
        while self._background:
            await asyncio.wait(set(self._background))

    async def receive_audio(
        self, channel_id: str, session_id: str | None = None
    ) -> AsyncIterator[bytes]:
        """The device's microphone as G.711 bytes (`audio/basic`), until the session ends.

        Open the session first (`open_two_way_audio` or a talk session); its id is used when
        `session_id` is not given. Close the iterator (`contextlib.aclosing`) to stop.
        """
        action = f"receiving audio from channel {channel_id}"
        session_id = session_id or self._sessions.get(channel_id)
        url = await self._url(
            _channel_path(channel_id, "/audioData"),
            {"sessionId": session_id} if session_id else None,
        )
        timeouts = self.timeouts
        try:
            async with asyncio.timeout(timeouts.receive_head):
                response = await self._request("GET", url)
        except (TimeoutError, aiohttp.ClientError) as err:
            raise self._transport_error(err, action, timeouts.receive_head) from err
        async with response:
            if response.status != 200:
                raise error_for_body(
                    response.status, await _read_capped(response, "an answer"), action=action
                )
            content_type = response.content_type.lower()
            if content_type != CONTENT_TYPE_RECEIVE and "xml" in content_type:
                raise error_for_body(200, await _read_capped(response, "an answer"), action=action)
            while True:
                try:
                    async with asyncio.timeout(timeouts.receive_read):
                        chunk = await response.content.read(RECEIVE_CHUNK_BYTES)
                except TimeoutError as err:
                    raise IsapiTimeoutError(
                        f"The device sent no audio for {timeouts.receive_read:g} s ({action})"
                    ) from err
                except aiohttp.ClientError as err:
                    raise IsapiConnectionError(
                        f"The audio stream from the device broke ({action}: {err})"
                    ) from err
                if not chunk:
                    return
                yield chunk
