"""A simulated Axis device: param.cgi, basicdeviceinfo.cgi, the relay service and transmit.cgi.

`AxisSpeaker` is the device itself (configuration, relay state, recordings); it survives
being switched off and on, which is how a test makes a follower Offline. Each time it is
switched on, a fresh `AxisSpeakerServer` (the core's SimulatedDevice) serves it.
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from dataclasses import replace
import json
from pathlib import Path
import time
from typing import Any, Self
from xml.sax.saxutils import escape

from simulator.core import (
    AudioEncoding,
    Authenticator,
    AuthOutcome,
    AuthPolicy,
    FaultPlan,
    Recorder,
    Recording,
    Reply,
    Request,
    Response,
    SimulatedDevice,
)
from simulator.core.const import LISTEN_HOST

from .config import AxisAuth, AxisSpeakerConfig, FaultStyle
from .const import (
    AUDIO_BYTES_PER_SECOND,
    BASIC_DEVICE_INFO_VERSION,
    JSON_INVALID_JSON,
    JSON_METHOD_NOT_SUPPORTED,
    JSON_UNSUPPORTED_VERSION,
    NOT_FOUND_PAGE,
    PATH_AUDIO_RELAY,
    PATH_BASIC_DEVICE_INFO,
    PATH_PARAM,
    PATH_TRANSMIT,
    PLAYBACK_WAIT_MAX,
    TRANSMIT_CONTENT_TYPES,
    UNAUTHORIZED_PAGE,
)
from .lan import RelayLan
from .relay import RelayFaultError, RelayService

TEXT = "text/plain"
JSON = "application/json"
HTML = "text/html"
MULAW_CODEC = "G.711ulaw"


class AxisAuthenticator(Authenticator):
    """The core's checks, plus Basic next to Digest when the device offers both."""

    def __init__(self, policy: AuthPolicy, *, basic_too: bool) -> None:
        super().__init__(policy)
        self.basic_too = basic_too

    def check(self, method: str, target: str, authorization: str | None) -> AuthOutcome:
        """Accept Basic credentials too on a basic_digest device.

        basicdeviceinfo.cgi lets anyone in (AXIS OS 8.40 on); its handler answers only the
        unrestricted properties to a request without credentials.
        """
        if authorization is None and target.split("?", maxsplit=1)[0] == PATH_BASIC_DEVICE_INFO:
            return AuthOutcome(ok=True, reason="anonymous")
        scheme, _, token = (authorization or "").strip().partition(" ")
        if self.basic_too and scheme.lower() == "basic":
            return self._check_basic(token.strip())
        return super().check(method, target, authorization)


class AxisSpeaker:
    """One Axis device on the simulated LAN; `start()`/`stop()` switch it on and off."""

    def __init__(
        self,
        config: AxisSpeakerConfig | None = None,
        *,
        lan: RelayLan | None = None,
        port: int = 0,
        name: str | None = None,
        record_dir: Path | None = None,
    ) -> None:
        self.config = config or AxisSpeakerConfig()
        self.lan = lan if lan is not None else RelayLan()
        self.name = name or f"axis-{self.config.serial[-6:].lower()}"
        self.relay = RelayService(self)
        self.recorder = Recorder(record_dir, prefix=self.name)
        self.faults = FaultPlan()
        self.output_gain: dict[str, str] = {self.config.gain_name: "0"}
        self.server: AxisSpeakerServer | None = None
        self.transmitting = False
        self._port = port
        self._supervisor: asyncio.Task[None] | None = None
        self.lan.join(self)

    def __repr__(self) -> str:
        """Identity and whether it runs (never the password)."""
        state = f"port {self.port}" if self.running else "off"
        return f"AxisSpeaker({self.config.serial}, {self.config.address}, {state})"

    # Identity -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while switched on."""
        return self.server is not None

    @property
    def host(self) -> str:
        """Where a client connects (the LAN `address` is what peers use)."""
        return LISTEN_HOST

    @property
    def port(self) -> int:
        """The loopback port; kept across restarts."""
        return self._port

    @property
    def serial(self) -> str:
        """The serial number (the MAC without colons)."""
        return self.config.serial

    @property
    def mac(self) -> str:
        """The MAC, 00:40:8C:18:00:00 style."""
        return self.config.mac

    @property
    def address(self) -> str:
        """The device's address on the simulated LAN."""
        return self.config.address

    @property
    def recordings(self) -> list[Recording]:
        """Everything played: `transmit` sessions and `relay` audio from a leader."""
        return self.recorder.recordings

    # Power --------------------------------------------------------------------------

    def power_on(self) -> AxisSpeakerServer:
        """A server for the next run, on the same port as before (any free port at first)."""
        return AxisSpeakerServer(self, port=self._port)

    async def start(self) -> None:
        """Switch on."""
        if self.server is None:
            await self.power_on().start()

    async def stop(self) -> None:
        """Switch off: connections close, a leader stops checking its followers."""
        if self.server is not None:
            await self.server.stop()

    def attach(self, server: AxisSpeakerServer) -> None:
        """Called by a server once it listens: the device is on."""
        self.server = server
        self._port = server.port
        self.relay_changed()

    def detach(self) -> None:
        """Called by a server as it stops: the device is off."""
        self.server = None
        self._supervisor = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def install_firmware(self, version: str, *, relay_api_version: str | None) -> None:
        """Another AXIS OS, as after an upgrade: from 10.12 on the relay API may be gone."""
        self.config = replace(
            self.config, firmware_version=version, relay_api_version=relay_api_version
        )

    # Relay network ------------------------------------------------------------------

    def relay_changed(self) -> None:
        """The relay view changed: a leader starts checking its followers again."""
        if self._supervisor is not None and self._supervisor is not asyncio.current_task():
            self._supervisor.cancel()
        self._supervisor = None
        self.relay.reset_links()
        if self.server is not None and self.relay.is_leader():
            self._supervisor = self.server.spawn(self._supervise())

    async def _supervise(self) -> None:
        await asyncio.sleep(self.config.link_delay)
        while self.relay.is_leader():
            self.relay.check_links()
            await asyncio.sleep(self.config.link_interval)

    def parameters(self) -> dict[str, str]:
        """Every parameter param.cgi lists, `root.` keys in order."""
        config = self.config
        output = "yes" if config.audio_output else "no"
        values = {
            "root.Audio.DuplexMode": "post" if config.audio_output else "get",
            "root.Audio.MaxListeners": "20",
            "root.AudioSource.NbrOfSources": "1",
            "root.AudioSource.A0.AudioSupport": "yes",
            "root.Brand.Brand": "AXIS",
            "root.Brand.ProdFullName": config.product_name,
            "root.Brand.ProdNbr": config.model,
            "root.Brand.ProdShortName": f"AXIS {config.model}",
            "root.Brand.ProdType": config.product_type,
            "root.Network.Bonjour.Enabled": "yes",
            "root.Network.Bonjour.FriendlyName": config.announced_name,
            "root.Network.HostName": f"axis-{config.serial.lower()}",
            "root.Network.UPnP.Enabled": "yes",
            "root.Network.UPnP.FriendlyName": config.announced_name,
            "root.Network.eth0.IPAddress": config.address,
            "root.Network.eth0.MACAddress": config.mac,
            "root.Properties.API.HTTP.Version": "3",
            "root.Properties.Audio.Audio": "yes",
            "root.Properties.Audio.Decoder.Format": "g711,g726,axis-mulaw-128,opus",
            "root.Properties.Audio.DuplexMode": "full,half,post,get"
            if config.audio_output
            else "get",
            "root.Properties.Audio.Format": "g711,g726,aac,opus",
            "root.Properties.Audio.Source.A0.Input": "yes",
            "root.Properties.Audio.Source.A0.Output": output,
            "root.Properties.Firmware.Version": config.firmware_version,
            "root.Properties.System.SerialNumber": config.serial,
        }
        for name, value in self.output_gain.items():
            values[f"root.{name}"] = value
        if config.relay_api_version is not None:
            values["root.Properties.API.AudioRelay.Version"] = config.relay_api_version
        return dict(sorted(values.items()))


class AxisSpeakerServer(SimulatedDevice):
    """One power-on of an AxisSpeaker on 127.0.0.1 (recordings and faults live on)."""

    kind = "axis"

    def __init__(self, unit: AxisSpeaker, *, port: int = 0) -> None:
        self.unit = unit
        config = unit.config
        super().__init__(
            auth=config.auth_policy,
            name=unit.name,
            port=port,
            allow_chunked=False,  # Axis devices do not understand chunked bodies
        )
        self.authenticator = AxisAuthenticator(
            config.auth_policy, basic_too=config.auth is AxisAuth.BASIC_DIGEST
        )
        self.recorder = unit.recorder
        self.faults = unit.faults
        self.router.add("GET", PATH_PARAM, self._param)
        self.router.add("POST", PATH_PARAM, self._param)
        self.router.add("POST", PATH_BASIC_DEVICE_INFO, self._basic_device_info)
        self.router.add("POST", PATH_AUDIO_RELAY, self._audio_relay)
        self.router.add("POST", PATH_TRANSMIT, self._transmit)

    async def start(self) -> None:
        """Listen, then switch the device on."""
        await super().start()
        self.unit.attach(self)

    async def stop(self) -> None:
        """Switch the device off, then close every connection and task."""
        self.unit.detach()
        await super().stop()

    # Test-facing --------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """Where the device listens and what it is (never the password)."""
        config = self.unit.config
        return {
            **super().describe(),
            "model": config.model,
            "serial": config.serial,
            "mac": config.mac,
            "address": config.address,
            "relay_api_version": config.relay_api_version,
            "audio_output": config.audio_output,
            "auth": config.auth.value,
            "username": config.username,
        }

    def state(self) -> dict[str, Any]:
        """The relay view, link statuses, sound and whether audio is playing."""
        relay = self.unit.relay
        return {
            "leader": relay.is_leader(),
            "leader_of": relay.leader_of.config.mac if relay.leader_of else None,
            "peers": [
                {"id": e.id, "ip": e.ip, "mac": e.mac, "leader": e.leader} for e in relay.peers
            ],
            "statuses": relay.statuses(),
            "network": relay.network,
            "master_volume": relay.master_volume,
            "mute": relay.mute,
            "output_gain": dict(self.unit.output_gain),
            "transmitting": self.unit.transmitting,
        }

    # Error dialect ------------------------------------------------------------------

    def not_found(self, request: Request) -> Response:
        """Missing CGI: the web server's HTML page."""
        return Response(404, NOT_FOUND_PAGE, HTML)

    def method_not_allowed(self, request: Request, allowed: tuple[str, ...]) -> Response:
        """Known CGI, wrong method."""
        return Response(
            405, b"Method Not Allowed\n", TEXT, [("Allow", ", ".join(allowed))], close=True
        )

    def html_unauthorized(self, outcome: AuthOutcome) -> Response:
        """401 with the challenges the device offers (Basic listed first on basic_digest)."""
        headers = []
        if self.unit.config.auth is AxisAuth.BASIC_DIGEST:
            headers.append(("WWW-Authenticate", f'Basic realm="{self.unit.config.realm}"'))
        if outcome.challenge:
            headers.append(("WWW-Authenticate", outcome.challenge))
        return Response(401, UNAUTHORIZED_PAGE, HTML, headers, close=True)

    def fault_status(self, request: Request, status: int, reason: str = "") -> Response:
        """Injected statuses answer as plain text, like the CGIs."""
        text = f"Error {status} {reason}".rstrip()
        return Response(status, f"{text}\n".encode(), TEXT, close=True)

    def _relay_fault(self, fault: RelayFaultError) -> Response:
        status = 500 if fault.fault.endswith("Receiver") else 400
        if self.unit.config.fault_style is FaultStyle.SOAP:
            subcode = (
                f"<env:Subcode><env:Value>{escape(fault.subcode)}</env:Value></env:Subcode>"
                if fault.subcode
                else ""
            )
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
                'xmlns:ter="http://www.onvif.org/ver10/error">'
                "<env:Body><env:Fault><env:Code>"
                f"<env:Value>{escape(fault.fault)}</env:Value>"
                f"<env:Subcode><env:Value>{escape(fault.code)}</env:Value>{subcode}</env:Subcode>"
                "</env:Code><env:Reason>"
                f'<env:Text xml:lang="en">{escape(fault.reason)}</env:Text>'
                "</env:Reason></env:Fault></env:Body></env:Envelope>\n"
            )
            return Response(status, body.encode(), "application/soap+xml")
        document = {
            "Fault": fault.fault,
            "FaultCode": fault.code,
            "FaultSubCode": fault.subcode,
            "FaultReason": fault.reason,
            "FaultMsg": None,
        }
        return Response(status, json.dumps(document).encode(), JSON)

    # Handlers -----------------------------------------------------------------------

    async def _param(self, request: Request, params: dict[str, str]) -> Reply:
        action = (request.query_value("action") or "").lower()
        if action != "list":
            return Response(200, f"# Error: Unsupported action '{action}'\n".encode(), TEXT)
        everything = self.unit.parameters()
        lines: list[str] = []
        for group in (request.query_value("group") or "root").split(","):
            name = group.strip()
            prefix = name if name == "root" or name.startswith("root.") else f"root.{name}"
            found = [
                f"{key}={value}"
                for key, value in everything.items()
                if key == prefix or key.startswith(prefix + ".")
            ]
            lines.extend(found or [f"# Error: Error -1 getting param in group '{name}'"])
        return Response(200, ("\n".join(lines) + "\n").encode(), TEXT)

    async def _basic_device_info(self, request: Request, params: dict[str, str]) -> Reply:
        if not self.unit.config.basic_device_info:
            return self.not_found(request)
        try:
            document = json.loads(await request.body.read())
        except UnicodeDecodeError, json.JSONDecodeError:
            document = None
        if not isinstance(document, dict):
            return _json_error(None, JSON_INVALID_JSON, "Malformed JSON")
        version = document.get("apiVersion")
        if not isinstance(version, str) or version.split(".")[0] != "1":
            return _json_error(document, JSON_UNSUPPORTED_VERSION, "Unsupported API version")
        method = document.get("method")
        config = self.unit.config
        anonymous = request.headers.get("Authorization") is None
        if anonymous and method not in ("getAllUnrestrictedProperties", "getSupportedVersions"):
            return self.html_unauthorized(self.authenticator.refuse_missing())
        if method in ("getAllProperties", "getAllUnrestrictedProperties"):
            properties = {
                "Architecture": "aarch64",
                "Brand": "AXIS",
                "BuildDate": "Mar 01 2024 10:00",
                "HardwareID": "9A1",
                "ProdFullName": config.product_name,
                "ProdNbr": config.model,
                "ProdShortName": f"AXIS {config.model}",
                "ProdType": config.product_type,
                "ProdVariant": "",
                "SerialNumber": config.serial,
                "Soc": "Axis Artpec-7",
                "SocSerialNumber": "",
                "Version": config.firmware_version,
                "WebURL": "http://www.axis.com",
            }
            if method == "getAllUnrestrictedProperties":  # no chip details to strangers
                for restricted in ("Architecture", "Soc", "SocSerialNumber"):
                    del properties[restricted]
            return _json_answer(document, {"propertyList": properties})
        if method == "getSupportedVersions":
            return _json_answer(document, {"apiVersions": [BASIC_DEVICE_INFO_VERSION]})
        return _json_error(document, JSON_METHOD_NOT_SUPPORTED, f"Method {method!r} not supported")

    async def _audio_relay(self, request: Request, params: dict[str, str]) -> Reply:
        if self.unit.config.relay_api_version is None:
            return self.not_found(request)
        try:
            document = json.loads(await request.body.read())
        except UnicodeDecodeError, json.JSONDecodeError:
            return self._relay_fault(RelayFaultError("Malformed JSON", code="ter:InvalidArgs"))
        try:
            answer = self.unit.relay.handle(document)
        except RelayFaultError as fault:
            return self._relay_fault(fault)
        return Response(200, json.dumps(answer).encode(), JSON)

    async def _transmit(self, request: Request, params: dict[str, str]) -> Reply:
        """Play raw audio until the client half-closes; answer once it has played."""
        unit = self.unit
        if not unit.config.audio_output:
            # Audio may already follow the head: answer now and close.
            return Response(404, NOT_FOUND_PAGE, HTML, close=True)
        content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type not in TRANSMIT_CONTENT_TYPES:
            return Response(415, b"Unsupported audio format\n", TEXT, close=True)
        if unit.transmitting:
            return Response(503, b"Audio output is busy\n", TEXT, close=True)
        unit.transmitting = True
        recording = self.recorder.start("transmit", "A0", MULAW_CODEC, AudioEncoding.MULAW)
        relayed: dict[AxisSpeaker, Recording] = {}
        reason = "connection lost"
        try:
            async with aclosing(request.body.iter_raw()) as arrivals:
                async for at, chunk in arrivals:
                    recording.add(at, chunk)
                    for follower in unit.relay.online_followers():
                        if follower not in relayed:
                            relayed[follower] = follower.recorder.start(
                                "relay", unit.config.mac, MULAW_CODEC, AudioEncoding.MULAW
                            )
                        relayed[follower].add(at, chunk)
            await self._play_out(recording)
            reason = "played"
        finally:
            unit.transmitting = False
            self.recorder.finish(recording, reason)
            for follower, copy in relayed.items():
                follower.recorder.finish(copy, reason)
        return Response(200, b"", TEXT, close=True)

    async def _play_out(self, recording: Recording) -> None:
        """Wait until the audio received so far would have finished playing."""
        if not self.unit.config.playback_wait or not recording.arrivals:
            return
        ends_at = recording.arrivals[0][0] + len(recording.data) / AUDIO_BYTES_PER_SECOND
        remaining = min(ends_at - time.monotonic(), PLAYBACK_WAIT_MAX)
        if remaining > 0:
            await asyncio.sleep(remaining)

    def on_stop(self) -> None:
        """Leave recordings closed when switched off."""
        self.unit.transmitting = False
        super().on_stop()


def _json_answer(request: dict[str, Any], data: dict[str, Any]) -> Response:
    document: dict[str, Any] = {"apiVersion": BASIC_DEVICE_INFO_VERSION}
    if "context" in request:
        document["context"] = request["context"]
    document["method"] = request.get("method")
    document["data"] = data
    return Response(200, json.dumps(document).encode(), JSON)


def _json_error(request: dict[str, Any] | None, code: str, message: str) -> Response:
    document: dict[str, Any] = {"apiVersion": BASIC_DEVICE_INFO_VERSION}
    if request is not None and "context" in request:
        document["context"] = request["context"]
    document["error"] = {"code": code, "message": message}
    return Response(200, json.dumps(document).encode(), JSON)
