"""Async client of one Axis device: identity, the audio relay service and audio output."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Mapping, Sequence
import json
import logging
import ssl
from typing import Any, Final
from urllib.parse import urlencode

import aiohttp
from yarl import URL

from ..rawhttp import (
    HttpAuth,
    RawHttpAuthenticationError,
    RawHttpBasicRefusedError,
    RawHttpBodyTooLargeError,
    is_ipv6_literal,
    parse_www_authenticate,
    read_bounded,
)
from . import relay
from .const import (
    BASIC_DEVICE_INFO_API_VERSION,
    DEFAULT_HTTP_PORT,
    DEFAULT_HTTPS_PORT,
    PARAM_FRIENDLY_NAME,
    PARAM_GROUP_BRAND,
    PARAM_GROUP_PROPERTIES,
    PATH_AUDIO_RELAY,
    PATH_BASIC_DEVICE_INFO,
    PATH_PARAM,
    RELAY_DEPRECATED_FROM_OS,
    REQUEST_CONTEXT,
    REQUEST_TIMEOUT,
)
from .exceptions import (
    VapixAuthenticationError,
    VapixBasicRefusedError,
    VapixConnectionError,
    VapixNotSupportedError,
    VapixResponseError,
    VapixTimeoutError,
)
from .faults import error_for_status
from .models import (
    AxisDeviceInfo,
    AxisParameters,
    DiscoveredRelayPeer,
    RelayCapabilities,
    RelayNetwork,
    RelayNetworkConfiguration,
    RelayPeer,
    RelayPeerStatus,
    SoundConfiguration,
    parse_discovered_peers,
    parse_multicast_group,
    parse_peer_ids,
    parse_peer_statuses,
    relay_api_supported,
)
from .parsing import decode_json
from .transmit import TransmitSession

_LOGGER = logging.getLogger(__name__)

MAX_RESPONSE_BYTES: Final = 1024 * 1024
"""Answers are small JSON or text documents; anything larger is not a device answering."""


class VapixClient:
    """One Axis device (camera, speaker, intercom) over VAPIX.

    The aiohttp session is injected and never closed here. `ssl_context` is used when
    `use_ssl` is set: an `SSLContext`, False to skip certificate checks, or None for
    aiohttp's default verification.

    Authentication follows one policy for every request and audio stream (see
    `rawhttp.auth`): Digest whenever offered, Basic only when nothing else is and, over
    plain HTTP, only with `allow_basic_over_http` (default True so that existing setups
    keep working; `VapixBasicRefusedError` otherwise).
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
        request_timeout: float = REQUEST_TIMEOUT,
        allow_basic_over_http: bool = True,
    ) -> None:
        """Prepare a client; nothing is sent until a method is called."""
        host = host.strip()
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        if not host or any(char in host for char in "/?#@ \t\r\n"):
            raise ValueError(f"Not a host name or address: {host!r}")
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"Not a TCP port: {port}")
        self._session = session
        self.host = host
        self.port = (
            port if port is not None else (DEFAULT_HTTPS_PORT if use_ssl else DEFAULT_HTTP_PORT)
        )
        self.use_ssl = use_ssl
        self.username = username
        self._ssl: ssl.SSLContext | bool | None = ssl_context if use_ssl else None
        self._auth = HttpAuth(
            username, password, allow_basic_over_http=allow_basic_over_http, secure=use_ssl
        )
        self._timeout = request_timeout
        self._parameters: AxisParameters | None = None
        self._device: AxisDeviceInfo | None = None
        self._capabilities: RelayCapabilities | None = None

    def __repr__(self) -> str:
        """Show where the client points, never the password."""
        return f"VapixClient(host={self.host!r}, port={self.port}, username={self.username!r})"

    @property
    def basic_worked(self) -> bool:
        """Whether the device accepted the password sent as Basic (readable without HTTPS)."""
        return self._auth.basic_worked

    # Device -------------------------------------------------------------------------

    async def device_info(self) -> AxisDeviceInfo:
        """Identity (serial = MAC, model, type, firmware), audio output and relay API version.

        Older firmware without basicdeviceinfo.cgi is identified from param.cgi instead.
        """
        parameters = await self.parameters(refresh=True)
        status, body = await self._request(
            "POST",
            PATH_BASIC_DEVICE_INFO,
            what="basic device information",
            json_body={
                "apiVersion": BASIC_DEVICE_INFO_API_VERSION,
                "context": REQUEST_CONTEXT,
                "method": "getAllProperties",
            },
            check=False,
        )
        if status == 404 or error_for_status(status, body, "basicdeviceinfo") is not None:
            _LOGGER.debug("%s has no usable basicdeviceinfo.cgi (HTTP %s)", self.host, status)
            brand = await self._parameters_of(PARAM_GROUP_BRAND, required=False)
            merged = AxisParameters({**parameters.values, **brand.values})
            info = AxisDeviceInfo.from_parameters(merged)
        else:
            info = AxisDeviceInfo.from_json(decode_json(body, "basicdeviceinfo"), parameters)
        self._device = info
        return info

    async def parameters(self, *, refresh: bool = False) -> AxisParameters:
        """The `root.Properties` parameters (capabilities, firmware, relay API version)."""
        if self._parameters is None or refresh:
            self._parameters = await self._parameters_of(PARAM_GROUP_PROPERTIES, required=True)
        return self._parameters

    async def friendly_name(self) -> str | None:
        """`Network.Bonjour.FriendlyName`: the name the device announces (the owner's, or
        the factory "AXIS <model> - <serial>"); None when the device does not have it."""
        found = await self._parameters_of(PARAM_FRIENDLY_NAME, required=False)
        return found.get(PARAM_FRIENDLY_NAME)

    async def _parameters_of(self, group: str, *, required: bool) -> AxisParameters:
        query = {"action": "list", "group": group}
        status, body = await self._request(
            "GET", PATH_PARAM, query=query, what="the parameter list", check=False
        )
        if status >= 300:
            error = error_for_status(status, b"", "the parameter list (param.cgi)")
            if required or status in (401, 403):
                assert error is not None
                raise error
            return AxisParameters({})
        parameters = AxisParameters.from_text(body)
        if required and not parameters.values:
            raise VapixResponseError(
                f"The device sent no {group} parameters; check that {self.host} is an Axis device"
            )
        return parameters

    # Audio relay service ------------------------------------------------------------

    async def get_service_capabilities(self) -> RelayCapabilities:
        """The master volume range and other static capabilities (fetched once)."""
        if self._capabilities is None:
            data = await self._relay_call(relay.GET_SERVICE_CAPABILITIES)
            self._capabilities = RelayCapabilities.from_json(data)
        return self._capabilities

    async def set_audio_peer_configurations(
        self,
        peers: Sequence[RelayPeer],
        network: RelayNetworkConfiguration | None = None,
    ) -> tuple[str, ...]:
        """Replace the whole relay network; return the peer ids (generated where empty).

        The peers must contain exactly one leader and this device itself.
        """
        await self._require_relay()
        relay.check_network(peers, await self._receiving_device(peers))
        if any(peer.output_gain for peer in peers):
            current = await self.get_audio_peers()
            for peer in peers:
                relay.check_gains(peer, relay.gain_definitions_for(peer, current))
        parameters: dict[str, object] = {"Configuration": [peer.to_json() for peer in peers]}
        if network is not None:
            parameters["AudioNetworkConfiguration"] = network.to_json()
        data = await self._relay_call(relay.SET_AUDIO_PEER_CONFIGURATIONS, parameters)
        return parse_peer_ids(data)

    async def set_audio_peer_configuration(self, peer: RelayPeer) -> str:
        """Add a peer (empty or unknown id) or modify one (known id); return its id."""
        current = await self.get_audio_peers()
        relay.check_peer_change(current, peer)
        relay.check_gains(peer, relay.gain_definitions_for(peer, current))
        data = await self._relay_call(
            relay.SET_AUDIO_PEER_CONFIGURATION, {"Configuration": peer.to_json()}
        )
        ids = parse_peer_ids(data)
        if len(ids) != 1:
            raise VapixResponseError(f"Expected one peer id in the answer, got {len(ids)}")
        return ids[0]

    async def get_audio_peers(self, peer_ids: Sequence[str] = ()) -> RelayNetwork:
        """The relay network as this device sees it (all peers when no ids are given)."""
        for peer_id in peer_ids:
            relay.check_peer_id(peer_id, required=True)
        parameters = {"AudioPeerId": list(peer_ids)} if peer_ids else {}
        return RelayNetwork.from_json(await self._relay_call(relay.GET_AUDIO_PEERS, parameters))

    async def get_discovered_audio_peers(self) -> tuple[DiscoveredRelayPeer, ...]:
        """Relay-capable devices this device has discovered (a snapshot)."""
        return parse_discovered_peers(await self._relay_call(relay.GET_DISCOVERED_AUDIO_PEERS))

    async def remove_audio_peer(self, peer_id: str) -> None:
        """Remove a peer other than this device from the network."""
        relay.check_peer_id(peer_id, required=True)
        current = await self.get_audio_peers()
        target = current.peer(peer_id)
        if target is not None:
            receiving = await self._receiving_device([target.configuration])
            relay.check_removal(current, peer_id, receiving)
        await self._relay_call(relay.REMOVE_AUDIO_PEER, {"AudioPeerId": peer_id})

    async def set_audio_network_configuration(
        self, configuration: RelayNetworkConfiguration
    ) -> str | None:
        """Switch between unicast and multicast; return the multicast group (generated if unset)."""
        data = await self._relay_call(
            relay.SET_AUDIO_NETWORK_CONFIGURATION,
            {"AudioNetworkConfiguration": configuration.to_json()},
        )
        return parse_multicast_group(data)

    async def get_audio_peer_status(
        self, peer_ids: Sequence[str] = ()
    ) -> tuple[RelayPeerStatus, ...]:
        """The leader's view of each peer's link (Initiating, Online, Offline ...)."""
        for peer_id in peer_ids:
            relay.check_peer_id(peer_id, required=True)
        parameters = {"AudioPeerId": list(peer_ids)} if peer_ids else {}
        return parse_peer_statuses(await self._relay_call(relay.GET_AUDIO_PEER_STATUS, parameters))

    async def set_sound_configuration(self, configuration: SoundConfiguration) -> None:
        """Set master volume and mute of the whole network (checked against the capabilities)."""
        if configuration.master_volume is not None:
            relay.check_sound_configuration(configuration, await self.get_service_capabilities())
        await self._relay_call(
            relay.SET_SOUND_CONFIGURATION, {"Configuration": configuration.to_json()}
        )

    async def get_sound_configuration(self) -> SoundConfiguration:
        """Master volume and mute of the network."""
        return SoundConfiguration.from_json(await self._relay_call(relay.GET_SOUND_CONFIGURATION))

    async def _require_relay(self) -> None:
        version = (await self.parameters()).relay_api_version
        if not relay_api_supported(version):
            found = f"version {version}" if version else "no Properties.API.AudioRelay.Version"
            raise VapixNotSupportedError(
                f"{self.host} has no usable audio relay API ({found}; 1.2 or later is needed). "
                f"Axis removed it from AXIS OS {RELAY_DEPRECATED_FROM_OS} on; audio output "
                "still works: play to each speaker directly"
            )

    async def _receiving_device(self, peers: Sequence[RelayPeer]) -> relay.ReceivingDevice:
        """This device as a relay peer; its MAC is looked up only when the host does not match."""
        by_host = relay.ReceivingDevice(self.host)
        if peers and any(by_host.is_peer(peer) for peer in peers):
            return by_host
        device = self._device or await self.device_info()
        return relay.ReceivingDevice(self.host, device.mac_address)

    async def _relay_call(
        self, command: str, parameters: Mapping[str, object] | None = None
    ) -> object:
        await self._require_relay()
        _LOGGER.debug("%s: axar:%s", self.host, command)
        _, body = await self._request(
            "POST",
            PATH_AUDIO_RELAY,
            what=command,
            json_body=relay.relay_request(command, parameters),
        )
        return decode_json(body, command) if body.strip() else {}

    # Audio output -------------------------------------------------------------------

    def talk(self) -> TransmitSession:
        """A session that plays audio/basic (8 kHz µ-law) frames on the device.

        On a relay leader the audio plays on the whole network.
        """
        return TransmitSession(
            host=self.host,
            port=self.port,
            use_ssl=self.use_ssl,
            ssl_context=self._ssl,
            auth=self._auth.sharing(),
        )

    async def transmit(self, frames: AsyncIterable[bytes]) -> int:
        """Play paced µ-law frames; return the bytes sent once the device has played them."""
        async with self.talk() as session:
            return await session.send(frames)

    # Transport ----------------------------------------------------------------------

    def _url(self, path: str, query: Mapping[str, str] | None) -> tuple[URL, str]:
        """The URL and the request-target exactly as sent (Digest signs the latter)."""
        target = f"{path}?{urlencode(query)}" if query else path
        host = f"[{self.host}]" if is_ipv6_literal(self.host) else self.host
        scheme = "https" if self.use_ssl else "http"
        return URL(f"{scheme}://{host}:{self.port}{target}", encoded=True), target

    async def _request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        query: Mapping[str, str] | None = None,
        json_body: object = None,
        check: bool = True,
    ) -> tuple[int, bytes]:
        """Send one request with Digest (or Basic) auth; return status and body.

        Error answers raise; with `check=False` only authentication errors do and the
        caller judges other statuses itself.
        """
        url, target = self._url(path, query)
        data = json.dumps(json_body).encode() if json_body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in range(2):
            try:
                authorization = self._auth.authorization(method, target)
            except RawHttpAuthenticationError as err:
                raise VapixAuthenticationError(str(err)) from err
            headers.pop("Authorization", None)
            if authorization is not None:
                headers["Authorization"] = authorization
            status, response_headers, body = await self._send(method, url, data, headers, what)
            self._auth.record(authorization, status)
            if status != 401:
                break
            challenges = parse_www_authenticate(response_headers.getall("WWW-Authenticate", []))
            if attempt or not challenges:
                raise VapixAuthenticationError(
                    f"{self.host} rejected the username or password for {what}; "
                    "check the credentials"
                )
            try:
                self._auth.update(challenges)
            except RawHttpBasicRefusedError as err:
                raise VapixBasicRefusedError(str(err)) from err
            except RawHttpAuthenticationError as err:
                raise VapixAuthenticationError(str(err)) from err
        if check:
            error = error_for_status(status, body, what)
            if error is not None:
                raise error
        elif status in (401, 403):
            error = error_for_status(status, b"", what)
            assert error is not None
            raise error
        return status, body

    async def _send(
        self,
        method: str,
        url: URL,
        data: bytes | None,
        headers: Mapping[str, str],
        what: str,
    ) -> tuple[int, Any, bytes]:
        ssl_option: Any = True if self._ssl is None else self._ssl
        try:
            async with asyncio.timeout(self._timeout):
                async with self._session.request(
                    method,
                    url,
                    data=data,
                    headers=dict(headers),
                    ssl=ssl_option,
                    allow_redirects=False,
                ) as response:
                    body = await _read_bounded(response)
                    return response.status, response.headers, body
        except TimeoutError as err:
            raise VapixTimeoutError(
                f"{self.host} did not answer {what} within {self._timeout:g} s; "
                "check that the device is on and reachable"
            ) from err
        except aiohttp.ClientSSLError as err:
            raise VapixConnectionError(
                f"TLS with {self.host} failed ({err.__class__.__name__}); check the "
                "certificate or turn certificate verification off"
            ) from err
        except (aiohttp.ClientError, OSError) as err:
            raise VapixConnectionError(
                f"Cannot reach {self.host}:{self.port} for {what} ({err.__class__.__name__}); "
                "check the address and that the device is on"
            ) from err


async def _read_bounded(response: aiohttp.ClientResponse) -> bytes:
    try:
        return await read_bounded(response.content.iter_chunked(64 * 1024), MAX_RESPONSE_BYTES)
    except RawHttpBodyTooLargeError as err:
        raise VapixResponseError(
            f"The device sent more than {MAX_RESPONSE_BYTES} bytes; this is not a VAPIX answer"
        ) from err
