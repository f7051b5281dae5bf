"""A simulated Hikvision ISAPI device with two-way audio channels.

It behaves like the devices in DESIGN.md, not like the guide's happy path: `open` fails while
a session is open (stale-session mode keeps one open until `close`), a held channel is busy,
the talk socket is read raw until the client closes and only then answered, a session that
gets no audio is closed after `idle_timeout`, and `enabled` reads true while a session is
open.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing
import json
from pathlib import Path
import secrets
import string
import time
from typing import Any

from simulator.core import (
    AudioEncoding,
    AuthOutcome,
    Hangup,
    Recording,
    Reply,
    Request,
    Response,
    SimulatedDevice,
    StreamResponse,
    json_response,
)
from simulator.core.routing import RouteHandler

from .channel import AudioChannel, IsapiError, TwoWayAudioSession, invalid_id
from .config import CODEC_ENCODINGS, CameraConfig, SessionIdStyle
from .const import (
    ALERT_STREAM,
    CALL_SIGNAL,
    CALL_STATUS,
    FRAME_SECONDS,
    HTTP_FOR_STATUS,
    SERVER_HEADER,
    STATUS_DEVICE_BUSY,
    STATUS_DEVICE_ERROR,
    STATUS_INVALID_OPERATION,
    STATUS_OK,
    TWO_WAY_AUDIO,
    UNAUTHORIZED_PAGE,
)
from .documents import (
    device_info,
    el,
    network_interfaces,
    render,
    response_status,
    two_way_audio_session,
)
from .events import EventSource
from .microphone import AMBIENT_SILENCE, AMBIENT_TONE, Microphone, decode_sound

XML = "application/xml"
_ALNUM = string.ascii_lowercase + string.digits


class HikvisionCamera(SimulatedDevice):
    """A camera, door station or NVR speaking ISAPI on 127.0.0.1.

    Test-facing state: `channels` (by id), `hold()`, `leave_stale_session()`,
    `idle_timeout`; plus the core's `recorder`, `faults`, `requests`.
    """

    kind = "hikvision"

    def __init__(
        self,
        config: CameraConfig | None = None,
        *,
        port: int = 0,
        name: str | None = None,
        record_dir: Path | None = None,
    ) -> None:
        self.config = config or CameraConfig()
        super().__init__(
            auth=self.config.auth_policy,
            name=name or self.config.model,
            port=port,
            server_header=SERVER_HEADER,
            allow_chunked=False,  # cameras refuse chunked request bodies with 400
            record_dir=record_dir,
        )
        self.channels = {channel.id: AudioChannel(channel) for channel in self.config.channels}
        self.idle_timeout = self.config.idle_timeout
        self.microphones = self._microphones()
        self.events = EventSource(self.config, self.host)
        self._add_routes()
        self._add_voice_routes()

    def _add_routes(self) -> None:
        def add(method: str, path: str, handler: RouteHandler) -> None:
            self.router.add(method, path, self._isapi(handler))

        add("GET", "/ISAPI/System/deviceInfo", self._get_device_info)
        add("GET", "/ISAPI/System/Network/interfaces", self._get_interfaces)
        if not self.config.two_way_audio:
            return  # every two-way audio resource is unknown: 404 notSupport
        add("GET", TWO_WAY_AUDIO, self._get_channels)
        add("GET", TWO_WAY_AUDIO + "/{channel}", self._get_channel)
        add("PUT", TWO_WAY_AUDIO + "/{channel}", self._put_channel)
        add("GET", TWO_WAY_AUDIO + "/{channel}/capabilities", self._get_capabilities)
        add("PUT", TWO_WAY_AUDIO + "/{channel}/open", self._open)
        add("PUT", TWO_WAY_AUDIO + "/{channel}/close", self._close)
        add("PUT", TWO_WAY_AUDIO + "/{channel}/audioData", self._send_audio)
        add("GET", TWO_WAY_AUDIO + "/{channel}/audioData", self._receive_audio)

    # Test controls -----------------------------------------------------------------------

    def hold(self, channel_id: int = 1, held: bool = True) -> None:
        """Hold a channel as another client would (an intercom call): `open` is busy."""
        self._channel(str(channel_id)).held = held

    def leave_stale_session(self, channel_id: int = 1) -> str:
        """Leave a session open as a crashed client would; `open` fails until `close`."""
        channel = self._channel(str(channel_id))
        self._end_session(channel, "replaced by a stale session")
        channel.session = TwoWayAudioSession(self._new_session_id(), None, orphan=True)
        return channel.session.session_id

    def state(self) -> dict[str, Any]:
        """Channels (settings, held, session) and the idle timeout, as JSON."""
        return {
            "idle_timeout": self.idle_timeout,
            "channels": [
                {
                    "id": channel.id,
                    "enabled": channel.enabled,
                    "held": channel.held,
                    "session_id": channel.session.session_id if channel.session else None,
                    "stale_session": bool(channel.session and channel.session.orphan),
                    "codec": channel.codec,
                    "speaker_volume": channel.speaker_volume,
                    "microphone_volume": channel.microphone_volume,
                    "input_type": channel.input_type,
                    "noise_reduce": channel.noise_reduce,
                }
                for channel in self.channels.values()
            ],
        }

    def apply_state(self, changes: dict[str, Any]) -> None:
        """`{"channel": 1, "held": true, "stale_session": true, "idle_timeout": 0.3}`."""
        changes = dict(changes)
        channel_id = changes.pop("channel", 1)
        if not isinstance(channel_id, int) or channel_id not in self.channels:
            raise ValueError(f"no channel {channel_id!r}")
        if "idle_timeout" in changes:
            timeout = changes.pop("idle_timeout")
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
                raise ValueError("idle_timeout must be a positive number of seconds")
            self.idle_timeout = float(timeout)
        if "held" in changes:
            self.hold(channel_id, _flag(changes.pop("held"), "held"))
        if "stale_session" in changes:
            if _flag(changes.pop("stale_session"), "stale_session"):
                self.leave_stale_session(channel_id)
            else:
                self._end_session(self.channels[channel_id], "stale session cleared")
        super().apply_state(changes)

    def reset(self) -> None:
        """Also end sessions and restore every channel's configured settings."""
        for channel in self.channels.values():
            self._end_session(channel, "reset")
            channel.restore()
        for microphone in self.microphones.values():
            microphone.restore()
        self.events.reset()
        self.idle_timeout = self.config.idle_timeout
        super().reset()

    def on_stop(self) -> None:
        """End open sessions so their recordings are complete."""
        for channel in self.channels.values():
            self._end_session(channel, "device stopped")
        self.events.stop()
        super().on_stop()

    def describe(self) -> dict[str, Any]:
        """Where the device listens and what it is (never the password)."""
        return {
            **super().describe(),
            "model": self.config.model,
            "serial": self.config.serial,
            "mac": self.config.mac,
            "namespace": self.config.namespace.value,
            "auth": self.config.auth_scheme.value,
            "username": self.config.username,
            "channels": [
                {"id": channel.id, "codec": channel.codec} for channel in self.channels.values()
            ],
        }

    # Error dialect -----------------------------------------------------------------------

    def _status(
        self,
        path: str,
        status_code: int,
        sub_status: str,
        description: str | None = None,
        http_status: int | None = None,
    ) -> Response:
        body = response_status(self.config, path, status_code, sub_status, description)
        return Response(http_status or HTTP_FOR_STATUS[status_code], body, XML)

    def _error(self, path: str, error: IsapiError) -> Response:
        return self._status(path, error.status_code, error.sub_status, error.description)

    def not_found(self, request: Request) -> Response:
        """Unknown resources: 404 with notSupport."""
        return self._status(request.path, STATUS_INVALID_OPERATION, "notSupport", http_status=404)

    def method_not_allowed(self, request: Request, allowed: tuple[str, ...]) -> Response:
        """Known resources, wrong method: 405 with methodNotAllowed."""
        response = self._status(
            request.path, STATUS_INVALID_OPERATION, "methodNotAllowed", http_status=405
        )
        response.headers.append(("Allow", ", ".join(allowed)))
        return response

    def protocol_error(self, status: int, message: str) -> Response:
        """Refused framing (chunked bodies, oversized heads) as ResponseStatus."""
        response = self._status("", STATUS_INVALID_OPERATION, "invalidOperation", message, status)
        response.close = True
        return response

    def unauthorized(self, request: Request, outcome: AuthOutcome) -> Response:
        """HTML 401; on the talk socket the connection closes (raw audio would follow)."""
        response = self.html_unauthorized(outcome)
        response.close = request.path.endswith("/audioData")
        return response

    def unauthorized_page(self) -> bytes:
        """The page of real cameras."""
        return UNAUTHORIZED_PAGE

    def fault_status(self, request: Request, status: int, reason: str = "") -> Response:
        """5xx faults look like device errors (503: busy); a `reason` names the refusal."""
        if reason:
            code = STATUS_DEVICE_ERROR if status >= 500 else STATUS_INVALID_OPERATION
            return self._status(request.path, code, reason, http_status=status)
        if status == 503:
            return self._status(request.path, STATUS_DEVICE_BUSY, "deviceBusy", http_status=status)
        return self._status(request.path, STATUS_DEVICE_ERROR, "deviceError", http_status=status)

    # Helpers -----------------------------------------------------------------------------

    def _channel(self, channel_id: str) -> AudioChannel:
        if not channel_id.isdigit() or int(channel_id) not in self.channels:
            raise invalid_id(channel_id)
        return self.channels[int(channel_id)]

    def _new_session_id(self) -> str:
        if self.config.session_id is not None:
            return self.config.session_id
        if self.config.session_id_style is SessionIdStyle.DIGITS:
            return str(secrets.randbelow(2**31 - 1) + 1)
        return "".join(secrets.choice(_ALNUM) for _ in range(32))

    def _ok(self, request: Request) -> Response:
        return self._status(request.path, STATUS_OK, "ok")

    def _xml(self, root: Any) -> Response:
        return Response(200, render(root, self.config.namespace), XML)

    def _session_for(self, request: Request, channel: AudioChannel) -> TwoWayAudioSession:
        """The caller's session: open, not an orphan, and named by sessionId when required."""
        session = channel.session
        given = request.query_value("sessionId")
        if session is None or session.orphan:
            raise IsapiError(
                STATUS_INVALID_OPERATION,
                "invalidOperation",
                "two-way audio is not open; open it first",
            )
        if given is None and self.config.session_id_required:
            raise IsapiError(STATUS_INVALID_OPERATION, "invalidSessionID", "sessionId is required")
        if given is not None and given != session.session_id:
            raise IsapiError(STATUS_INVALID_OPERATION, "invalidSessionID", "unknown sessionId")
        return session

    def _end_session(self, channel: AudioChannel, reason: str) -> None:
        session = channel.session
        if session is None:
            return
        channel.session = None
        session.closed = True
        if session.recording is not None:
            self.recorder.finish(session.recording, reason)
        if session.talk_socket is not None:
            session.talk_socket.abort()
        if session.watchdog is not None and session.watchdog is not asyncio.current_task():
            session.watchdog.cancel()

    async def _watch_idle(self, channel: AudioChannel, session: TwoWayAudioSession) -> None:
        """Close the session once it has gone `idle_timeout` seconds without audio."""
        while not session.closed:
            remaining = session.last_activity + self.idle_timeout - time.monotonic()
            if remaining <= 0:
                self._end_session(channel, "idle timeout")
                return
            await asyncio.sleep(remaining)

    # Handlers ----------------------------------------------------------------------------

    def _isapi(self, handler: RouteHandler) -> RouteHandler:
        """Answer an IsapiError raised by `handler` as ResponseStatus."""

        async def answer(request: Request, params: dict[str, str]) -> Reply:
            try:
                return await handler(request, params)
            except IsapiError as err:
                response = self._error(request.path, err)
                # On the talk socket raw audio may already follow the head.
                response.close = request.method == "PUT" and request.path.endswith("/audioData")
                return response

        return answer

    async def _get_device_info(self, request: Request, params: dict[str, str]) -> Reply:
        return Response(200, device_info(self.config), XML)

    async def _get_interfaces(self, request: Request, params: dict[str, str]) -> Reply:
        return Response(200, network_interfaces(self.config, self.host), XML)

    async def _get_channels(self, request: Request, params: dict[str, str]) -> Reply:
        items = []
        for channel in self.channels.values() if self.config.list_channels else ():
            item = channel.element()
            item.stamped = True
            items.append(item)
        return self._xml(el("TwoWayAudioChannelList", None, *items))

    async def _get_channel(self, request: Request, params: dict[str, str]) -> Reply:
        return self._xml(self._channel(params["channel"]).element())

    async def _put_channel(self, request: Request, params: dict[str, str]) -> Reply:
        channel = self._channel(params["channel"])
        channel.apply(await request.body.read())
        return self._ok(request)

    async def _get_capabilities(self, request: Request, params: dict[str, str]) -> Reply:
        return self._xml(self._channel(params["channel"]).capabilities())

    async def _open(self, request: Request, params: dict[str, str]) -> Reply:
        channel = self._channel(params["channel"])
        channel.require_free()
        session_id = self._new_session_id()
        recording = self.recorder.start(
            "talk",
            str(channel.id),
            channel.codec,
            CODEC_ENCODINGS.get(channel.codec),
            session_id=session_id,
        )
        session = TwoWayAudioSession(session_id, recording)
        channel.session = session
        session.watchdog = self.spawn(self._watch_idle(channel, session))
        return Response(200, two_way_audio_session(self.config, session_id), XML)

    async def _close(self, request: Request, params: dict[str, str]) -> Reply:
        channel = self._channel(params["channel"])
        # Closing a closed channel succeeds; a hold (someone else's call) is not ours to end.
        self._end_session(channel, "closed by client")
        return self._ok(request)

    async def _send_audio(self, request: Request, params: dict[str, str]) -> Reply:
        """The talk socket: raw audio after the head, whatever Content-Length says, until EOF."""
        channel = self._channel(params["channel"])
        session = self._session_for(request, channel)
        microphone = self.microphones[channel.id]
        if session.talk_socket is not None:
            raise IsapiError(STATUS_DEVICE_BUSY, "deviceBusy", "audio is already being sent")
        recording = session.recording
        assert recording is not None  # only orphans have none, and _session_for refuses them
        session.talk_socket = request.body
        try:
            async with aclosing(request.body.iter_raw()) as arrivals:
                async for at, chunk in arrivals:
                    if session.closed:
                        break
                    recording.add(at, chunk)
                    session.last_activity = at
                    microphone.speaker_played(at, len(chunk))
        finally:
            session.talk_socket = None
        if session.closed:
            return Hangup()  # the device ended the session (idle timeout or close)
        return self._ok(request)

    async def _receive_audio(self, request: Request, params: dict[str, str]) -> Reply:
        """The microphone in the channel's codec at 8000 bytes/s until the session ends."""
        channel = self._channel(params["channel"])
        session = self._session_for(request, channel)
        encoding = CODEC_ENCODINGS.get(channel.codec)
        if encoding is None:
            raise IsapiError(
                STATUS_INVALID_OPERATION, "notSupport", f"{channel.codec} is not streamed"
            )
        # What the camera sends is recorded like what it hears (kind "listen").
        recording = self.recorder.start(
            "listen", str(channel.id), channel.codec, encoding, session_id=session.session_id
        )
        frames = self._microphone_frames(session, self.microphones[channel.id], encoding)
        return StreamResponse(200, "audio/basic", self._recorded(frames, recording))

    async def _microphone_frames(
        self, session: TwoWayAudioSession, microphone: Microphone, encoding: AudioEncoding
    ) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        frames = 0
        while not session.closed:
            yield microphone.frame(encoding)
            # Listening keeps the session in use, as talking does.
            session.last_activity = time.monotonic()
            frames += 1
            await asyncio.sleep(max(0.0, start + frames * FRAME_SECONDS - loop.time()))

    async def _recorded(
        self, frames: AsyncIterator[bytes], recording: Recording
    ) -> AsyncIterator[bytes]:
        reason = "session ended"
        try:
            async for frame in frames:
                recording.add(time.monotonic(), frame)
                yield frame
        except GeneratorExit:
            reason = "client stopped listening"
            raise
        finally:
            self.recorder.finish(recording, reason)

    # Voice: microphone, alert stream, door station call ----------------------------------

    def _microphones(self) -> dict[int, Microphone]:
        ambient = self.config.microphone
        samples = None
        if ambient not in (AMBIENT_TONE, AMBIENT_SILENCE):
            samples = decode_sound(Path(ambient))  # once, at startup, for every channel
        return {channel_id: Microphone(ambient, samples) for channel_id in self.channels}

    def _add_voice_routes(self) -> None:
        self.router.add("GET", ALERT_STREAM, self._isapi(self._alert_stream))
        if self.events.door_station:
            self.router.add("GET", CALL_STATUS, self._isapi(self._call_status))
            self.router.add("PUT", CALL_SIGNAL, self._isapi(self._call_signal))
        self._control.add("GET", "/simulator/microphone", self._control_microphone)
        self._control.add("POST", "/simulator/microphone", self._control_microphone)
        self._control.add("GET", "/simulator/doorbell", self._control_doorbell)
        self._control.add("POST", "/simulator/doorbell", self._control_doorbell)

    async def _alert_stream(self, request: Request, params: dict[str, str]) -> Reply:
        content_type = f"multipart/mixed; boundary={self.events.boundary}"
        return StreamResponse(200, content_type, self.events.stream())

    async def _call_status(self, request: Request, params: dict[str, str]) -> Reply:
        return Response(200, self.events.call_status_document(), "application/json")

    async def _call_signal(self, request: Request, params: dict[str, str]) -> Reply:
        try:
            document = json.loads(await request.body.read())
            command = document["CallSignal"]["cmdType"]
            self.events.signal(command)
        except (ValueError, KeyError, TypeError) as err:
            raise IsapiError(STATUS_INVALID_OPERATION, "badParameters", str(err)) from err
        return self._ok(request)

    async def _control_microphone(self, request: Request, params: dict[str, str]) -> Reply:
        """GET: every microphone. POST JSON `{"channel", "play" (a path), "lead_seconds",
        "after_speaker", "ambient", "clear"}`, or POST any audio file as the body
        (`?channel=&lead_seconds=&after_speaker=`)."""
        if request.method == "POST":
            content_type = (request.headers.get("Content-Type") or "").lower()
            if content_type.startswith("application/json"):
                await self._microphone_command(json.loads(await request.body.read()))
            else:
                microphone = self._microphone_for(request.query_value("channel") or 1)
                lead = float(request.query_value("lead_seconds") or 0)
                after = request.query_value("after_speaker")
                data = await request.body.read()
                microphone.play(
                    await asyncio.to_thread(decode_sound, data),
                    lead_seconds=lead,
                    after_speaker=None if after is None else float(after),
                )
        return json_response(
            {str(key): microphone.state() for key, microphone in self.microphones.items()}
        )

    async def _microphone_command(self, command: object) -> None:
        if not isinstance(command, dict):
            raise TypeError("expected a JSON object")
        microphone = self._microphone_for(command.get("channel", 1))
        if command.get("clear") is True:
            microphone.clear()
        if isinstance(ambient := command.get("ambient"), str):
            await asyncio.to_thread(microphone.set_ambient, ambient)
        if isinstance(play := command.get("play"), str):
            lead = _seconds(command.get("lead_seconds", 0), "lead_seconds")
            after = command.get("after_speaker")
            after = None if after is None else _seconds(after, "after_speaker")
            samples = await asyncio.to_thread(decode_sound, Path(play))
            microphone.play(samples, lead_seconds=lead, after_speaker=after)

    def _microphone_for(self, channel_id: object) -> Microphone:
        text = str(channel_id)
        if not text.isdigit() or int(text) not in self.microphones:
            raise ValueError(f"no channel {channel_id!r}")
        return self.microphones[int(text)]

    async def _control_doorbell(self, request: Request, params: dict[str, str]) -> Reply:
        """POST presses the call button (`{"button": 1}` optional); GET reads the call."""
        pressed = None
        if request.method == "POST":
            body = await request.body.read()
            document = json.loads(body) if body.strip() else {}
            if not isinstance(document, dict):
                raise TypeError('expected {"button": 1} or no body')
            button = document.get("button", 1)
            if isinstance(button, bool) or not isinstance(button, int):
                raise TypeError("button must be a number")
            pressed = self.events.press(button)
        return json_response(
            {
                "call_status": self.events.call_status,
                "presses": self.events.presses,
                "alert_stream_listeners": self.events.listeners,
                "event": pressed,
            }
        )


def _seconds(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds")
    return float(value)


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be true or false")
    return value
