"""The base of every simulated device: server, auth, faults, recorder, control endpoints.

A device subclass registers its routes on `self.router` and answers its own errors in its
own dialect (ISAPI ResponseStatus, VAPIX JSON); everything else is shared. In a test:

    async with MyDevice(...) as device:   # 127.0.0.1, port 0
        ... device.port, device.recorder.recordings, device.faults.add(Fault(...))

From another process, the same is reachable over HTTP below `/simulator/` (no auth, no
faults): see simulator/README.md.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import asdict, dataclass
import json
import logging
from pathlib import Path
import time
from typing import Any, ClassVar, Self

from .auth import Authenticator, AuthOutcome, AuthPolicy
from .const import CONTROL_PREFIX, LISTEN_HOST, REQUEST_LOG_SIZE
from .faults import (
    BODY_FAULTS,
    STREAM_FAULTS,
    AnswerNow,
    Fault,
    FaultKind,
    FaultPlan,
    StreamFault,
    corrupt,
)
from .http import (
    Hangup,
    HttpError,
    HttpServer,
    Reply,
    Request,
    Response,
    StreamResponse,
    plain_error_page,
)
from .recorder import Recorder, Recording
from .routing import MethodNotAllowed, NotFound, RouteMatch, Router

_LOGGER = logging.getLogger(__name__)

GENERIC_401_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>401 Unauthorized</title></head>\n"
    b"<body><h1>401 Unauthorized</h1></body></html>\n"
)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the device saw it (the Authorization header is never kept)."""

    received_at: float
    answered_at: float
    method: str
    target: str
    status: int | None  # None: the connection was closed without an answer
    auth: str
    faults: tuple[str, ...]
    body_bytes: int


def json_response(data: object, status: int = 200) -> Response:
    """A JSON answer of the control endpoints."""
    return Response(status, json.dumps(data, indent=1).encode(), "application/json")


class SimulatedDevice(ABC):
    """A device on a loopback port; subclasses add routes and their error dialect."""

    kind: ClassVar[str] = "device"

    def __init__(
        self,
        *,
        auth: AuthPolicy,
        name: str,
        host: str = LISTEN_HOST,
        port: int = 0,
        server_header: str | None = None,
        allow_chunked: bool = True,
        record_dir: Path | None = None,
    ) -> None:
        self.name = name
        self.router = Router()
        self.authenticator = Authenticator(auth)
        self.faults = FaultPlan()
        self.recorder = Recorder(record_dir, prefix=name)
        self.requests: deque[RequestRecord] = deque(maxlen=REQUEST_LOG_SIZE)
        self._host = host
        self._server = HttpServer(
            self._dispatch,
            host=host,
            port=port,
            server_header=server_header,
            allow_chunked=allow_chunked,
            error_page=self.protocol_error,
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        self._control = Router()
        self._add_control_routes()

    # Lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening."""
        await self._server.start()
        _LOGGER.debug("%s %s listening on %s", self.kind, self.name, self.base_url)

    async def stop(self) -> None:
        """Close every connection and background task."""
        await self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self.on_stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The port the device listens on (known after start)."""
        return self._server.port

    @property
    def host(self) -> str:
        """The address the device listens on."""
        return self._host

    @property
    def base_url(self) -> str:
        """`http://host:port`."""
        return f"http://{self._host}:{self.port}"

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a background task that stop() cancels."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # Hooks -----------------------------------------------------------------------------

    @abstractmethod
    def not_found(self, request: Request) -> Response:
        """The answer to a path the device does not have."""

    @abstractmethod
    def method_not_allowed(self, request: Request, allowed: tuple[str, ...]) -> Response:
        """The answer to a known path with a method it does not take."""

    def protocol_error(self, status: int, message: str) -> Response:
        """The answer to a request the HTTP layer refuses (bad framing, too large...)."""
        return plain_error_page(status, message)

    def unauthorized(self, request: Request, outcome: AuthOutcome) -> Response:
        """The answer to a request without valid credentials."""
        return self.html_unauthorized(outcome)

    def html_unauthorized(self, outcome: AuthOutcome) -> Response:
        """A 401 with an HTML page, as many embedded web servers send."""
        headers = [("WWW-Authenticate", outcome.challenge)] if outcome.challenge else []
        return Response(401, self.unauthorized_page(), "text/html", headers)

    def unauthorized_page(self) -> bytes:
        """The HTML page of a 401."""
        return GENERIC_401_PAGE

    def fault_status(self, request: Request, status: int, reason: str = "") -> Response:
        """The answer of a STATUS fault (`reason`: the device's refusal, where it names one)."""
        return Response(status, f"simulated {status} {reason}\n".encode(), "text/plain")

    def _stale_refusal(self, request: Request) -> Callable[[], Reply]:
        """The 401 of a REAUTH fault: a fresh nonce, marked stale, and the connection closed."""

        def refuse() -> Reply:
            challenge = self.authenticator.challenge(stale=True)
            response = self.unauthorized(
                request, AuthOutcome(ok=False, reason="fault", challenge=challenge)
            )
            response.close = True
            return response

        return refuse

    def describe(self) -> dict[str, Any]:
        """What the CLI prints for this device (one JSON line)."""
        return {
            "kind": self.kind,
            "name": self.name,
            "host": self._host,
            "port": self.port,
            "url": self.base_url,
        }

    def state(self) -> dict[str, Any]:
        """Device state that tests may read and set (hold, stale session...)."""
        return {}

    def apply_state(self, changes: dict[str, Any]) -> None:
        """Set device state from JSON; raise ValueError for unknown keys or values."""
        if changes:
            raise ValueError(f"unknown state keys: {sorted(changes)}")

    def reset(self) -> None:
        """Forget recordings, faults, the request log and auth counters."""
        self.recorder.clear()
        self.faults.clear()
        self.requests.clear()
        self.authenticator.counts.clear()

    def on_stop(self) -> None:
        """Called once the server is closed: sessions still open end here."""
        for recording in self.recorder.recordings:
            if recording.is_open:
                self.recorder.finish(recording, "device stopped")

    # Dispatch --------------------------------------------------------------------------

    async def _dispatch(self, request: Request) -> Reply:
        if request.path.startswith(CONTROL_PREFIX):
            return await self._answer_control(request)
        faults = self.faults.take(request.method, request.path)
        auth = "skipped"
        reply: Reply | None = None
        try:
            delay = sum(f.seconds for f in faults if f.kind is FaultKind.DELAY)
            if delay:
                await asyncio.sleep(delay)
            for fault in faults:
                if fault.kind is FaultKind.DROP_AFTER_RECEIVED:
                    request.body.drop_after = fault.nbytes
                if fault.kind in STREAM_FAULTS:
                    request.body.stream_fault = StreamFault(fault, self._stale_refusal(request))
            replacing = next(
                (f for f in faults if f.kind in (FaultKind.STATUS, FaultKind.HTML_401)), None
            )
            if replacing is not None and replacing.kind is FaultKind.STATUS:
                reply = self.fault_status(request, replacing.status, replacing.reason)
            elif replacing is not None:
                reply = self.html_unauthorized(
                    AuthOutcome(ok=False, reason="fault", challenge=self.authenticator.challenge())
                )
            else:
                outcome = self.authenticator.check(
                    request.method, request.target, request.headers.get("Authorization")
                )
                auth = outcome.reason
                if outcome.ok:
                    try:
                        reply = await self._route(request)
                    except AnswerNow as early:
                        reply = early.reply
                    reply = await _silent_end(reply, faults)
                else:
                    reply = self.unauthorized(request, outcome)
            reply = self._apply_reply_faults(reply, faults)
        finally:
            status = reply.status if isinstance(reply, (Response, StreamResponse)) else None
            _LOGGER.debug(
                "%s: %s %s -> %s (auth %s)", self.name, request.method, request.target, status, auth
            )
            self.requests.append(
                RequestRecord(
                    request.received_at,
                    time.monotonic(),
                    request.method,
                    request.target,
                    status,
                    auth,
                    tuple(f.kind.value for f in faults),
                    request.body.bytes_received,
                )
            )
        return reply

    async def _route(self, request: Request) -> Reply:
        found = self.router.resolve(request.method, request.path)
        if isinstance(found, NotFound):
            return self.not_found(request)
        if isinstance(found, MethodNotAllowed):
            return self.method_not_allowed(request, found.allowed)
        return await found.handler(request, found.params)

    @staticmethod
    def _apply_reply_faults(reply: Reply, faults: list[Fault]) -> Reply:
        body_fault = next((f for f in faults if f.kind in BODY_FAULTS), None)
        if isinstance(reply, Response):
            content_type = reply.content_type or ""
            if body_fault and ("xml" in content_type or "json" in content_type):
                reply.body, reply.content_type = corrupt(body_fault.kind, reply.body, content_type)
        for fault in faults:
            if fault.kind is not FaultKind.DROP_AFTER_SENT:
                continue
            if isinstance(reply, Response):
                reply.drop_after = fault.nbytes
            elif isinstance(reply, StreamResponse):
                reply.chunks = _limited(reply.chunks, fault.nbytes)
        return reply

    # Control endpoints -----------------------------------------------------------------

    def _add_control_routes(self) -> None:
        add = self._control.add
        add("GET", "/simulator/stats", self._control_stats)
        add("GET", "/simulator/requests", self._control_requests)
        add("GET", "/simulator/recordings", self._control_recordings)
        add("GET", "/simulator/recordings/{index}", self._control_recording)
        add("GET", "/simulator/recordings/{index}/audio.{format}", self._control_audio)
        add("GET", "/simulator/faults", self._control_faults)
        add("POST", "/simulator/faults", self._control_faults)
        add("DELETE", "/simulator/faults", self._control_faults)
        add("GET", "/simulator/state", self._control_state)
        add("POST", "/simulator/state", self._control_state)
        add("POST", "/simulator/reset", self._control_reset)

    async def _answer_control(self, request: Request) -> Reply:
        found = self._control.resolve(request.method, request.path)
        if isinstance(found, NotFound):
            return json_response({"error": f"no control endpoint {request.path}"}, 404)
        if isinstance(found, MethodNotAllowed):
            return json_response({"error": f"use {', '.join(found.allowed)}"}, 405)
        assert isinstance(found, RouteMatch)
        try:
            return await found.handler(request, found.params)
        except (ValueError, TypeError) as err:
            return json_response({"error": str(err)}, 400)

    async def _control_stats(self, request: Request, params: dict[str, str]) -> Reply:
        return json_response(
            {
                "device": self.describe(),
                "state": self.state(),
                "auth": dict(self.authenticator.counts),
                "faults": [fault.to_json() for fault in self.faults.active],
                "recordings": [r.summary() for r in self.recorder.recordings],
                "requests": len(self.requests),
                "connections": self._server.connection_count,
            }
        )

    async def _control_requests(self, request: Request, params: dict[str, str]) -> Reply:
        return json_response([asdict(record) for record in self.requests])

    async def _control_recordings(self, request: Request, params: dict[str, str]) -> Reply:
        return json_response([r.summary() for r in self.recorder.recordings])

    def _recording(self, params: dict[str, str]) -> Recording:
        index = params["index"]
        recordings = self.recorder.recordings
        if not index.isdigit() or int(index) >= len(recordings):
            raise ValueError(f"no recording {index}; there are {len(recordings)}")
        return recordings[int(index)]

    async def _control_recording(self, request: Request, params: dict[str, str]) -> Reply:
        recording = self._recording(params)
        return json_response({**recording.summary(), "arrivals": recording.arrivals})

    async def _control_audio(self, request: Request, params: dict[str, str]) -> Reply:
        recording = self._recording(params)
        if params["format"] == "wav":
            return Response(200, recording.wav(), "audio/wav")
        if params["format"] == "raw":
            return Response(200, bytes(recording.data), "application/octet-stream")
        raise ValueError("ask for audio.wav or audio.raw")

    async def _control_faults(self, request: Request, params: dict[str, str]) -> Reply:
        if request.method == "DELETE":
            self.faults.clear()
        elif request.method == "POST":
            document = await _read_json(request)
            if not isinstance(document, dict) or not isinstance(document.get("faults"), list):
                raise TypeError('expected {"faults": [...], "mode": "replace" | "add"}')
            faults = [Fault.from_json(item) for item in document["faults"]]
            mode = document.get("mode", "replace")
            if mode == "replace":
                self.faults.replace(faults)
            elif mode == "add":
                for fault in faults:
                    self.faults.add(fault)
            else:
                raise ValueError('mode must be "replace" or "add"')
        return json_response({"faults": [fault.to_json() for fault in self.faults.active]})

    async def _control_state(self, request: Request, params: dict[str, str]) -> Reply:
        if request.method == "POST":
            changes = await _read_json(request)
            if not isinstance(changes, dict):
                raise TypeError("expected a JSON object of state changes")
            if changes.pop("expire_nonces", False) is True:
                self.authenticator.expire_nonces()
            self.apply_state(changes)
        return json_response(self.state())

    async def _control_reset(self, request: Request, params: dict[str, str]) -> Reply:
        self.reset()
        return json_response({"reset": True})


async def _read_json(request: Request) -> Any:
    try:
        return json.loads(await request.body.read())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"body is not JSON: {err}") from err
    except HttpError as err:
        raise ValueError(str(err)) from err


async def _limited(chunks: AsyncIterator[bytes], nbytes: int) -> AsyncIterator[bytes]:
    """Pass on at most `nbytes` of a stream, then end it (the connection closes)."""
    sent = 0
    try:
        async for chunk in chunks:
            part = chunk[: nbytes - sent]
            sent += len(part)
            if part:
                yield part
            if sent >= nbytes:
                return
    finally:
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()


async def _silent_end(reply: Reply, faults: list[Fault]) -> Reply:
    """SILENT_END: the body was taken; the answer never comes (hang up after `seconds`)."""
    silent = next((f for f in faults if f.kind is FaultKind.SILENT_END), None)
    if silent is None:
        return reply
    await asyncio.sleep(silent.seconds)
    return Hangup()
