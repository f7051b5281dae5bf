"""Typed views of the ISAPI documents the client reads and writes."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
import re
from typing import Literal
from xml.etree.ElementTree import Element

from ..rawhttp import normalize_mac
from .const import (
    CLOSE_TIMEOUT,
    CONNECT_TIMEOUT,
    MAX_TALK_CHANNELS,
    OPEN_TIMEOUT,
    RECEIVE_HEAD_TIMEOUT,
    RECEIVE_READ_TIMEOUT,
    REQUEST_TIMEOUT,
    TALK_RESPONSE_TIMEOUT,
    TALK_SOCKET_CLOSE_TIMEOUT,
    TALK_STALL_TIMEOUT,
    TALK_WRITE_TIMEOUT,
)
from .exceptions import IsapiResponseError, IsapiTooManyChannelsError
from .xml import (
    child,
    child_text,
    children,
    expect_root,
    local_name,
    parse_bool,
    parse_document,
    parse_int,
    serialize,
    set_child_text,
)

type G711Law = Literal["mulaw", "alaw"]

_STATUS_OK = 1


def g711_law(audio_compression_type: str | None) -> G711Law | None:
    """The G.711 law of a channel codec name, or None for anything else (G.726, AAC...).

    Devices write `G.711ulaw`, `G.711alaw`, `G.711U`, `G711_alaw`... and plain `G.711`,
    which on Hikvision means µ-law.
    """
    if audio_compression_type is None:
        return None
    name = re.sub(r"[\s._\-]", "", audio_compression_type).lower()
    if not name.startswith("g711"):
        return None
    law = name.removeprefix("g711")
    if law in ("", "u", "ulaw", "mulaw", "mu", "pcmu"):
        return "mulaw"
    if law in ("a", "alaw", "pcma"):
        return "alaw"
    return None


@dataclass(frozen=True, slots=True)
class ResponseStatus:
    """`<ResponseStatus>`: the device's verdict on a request (requestURL is often absent)."""

    status_code: int | None
    status_string: str | None = None
    sub_status_code: str | None = None
    request_url: str | None = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        """True for statusCode 1 (or subStatusCode ok when the code is missing)."""
        if self.status_code is not None:
            return self.status_code == _STATUS_OK
        return (self.sub_status_code or "").lower() == "ok"

    @classmethod
    def from_xml(cls, root: Element) -> ResponseStatus:
        """Read a parsed `<ResponseStatus>`."""
        expect_root(root, "ResponseStatus", what="a status answer")
        return cls(
            status_code=parse_int(child_text(root, "statusCode")),
            status_string=child_text(root, "statusString"),
            sub_status_code=child_text(root, "subStatusCode"),
            request_url=child_text(root, "requestURL"),
            description=child_text(root, "description"),
        )

    @classmethod
    def from_bytes(cls, body: bytes) -> ResponseStatus | None:
        """Parse a body that may be a ResponseStatus; None if it is anything else."""
        try:
            root = parse_document(body, what="a status answer")
        except IsapiResponseError:
            return None
        if local_name(root.tag) != "ResponseStatus":
            return None
        return cls.from_xml(root)


@dataclass(frozen=True, slots=True)
class NetworkInterface:
    """One entry of `/ISAPI/System/Network/interfaces` (MAC under `Link/MACAddress`)."""

    id: str | None
    mac_address: str | None
    ip_address: str | None

    @classmethod
    def from_xml(cls, element: Element) -> NetworkInterface:
        """Read a parsed `<NetworkInterface>`."""
        link = child(element, "Link")
        address = child(element, "IPAddress")
        return cls(
            id=child_text(element, "id"),
            mac_address=normalize_mac(child_text(link, "MACAddress")) if link is not None else None,
            ip_address=child_text(address, "ipAddress") if address is not None else None,
        )


def parse_network_interfaces(root: Element) -> tuple[NetworkInterface, ...]:
    """Read `<NetworkInterfaceList>` (a lone `<NetworkInterface>` is accepted too)."""
    expect_root(root, "NetworkInterfaceList", "NetworkInterface", what="the network interfaces")
    if local_name(root.tag) == "NetworkInterface":
        return (NetworkInterface.from_xml(root),)
    return tuple(NetworkInterface.from_xml(item) for item in children(root, "NetworkInterface"))


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """`/ISAPI/System/deviceInfo`: who the device is. The MAC is lower-case, colon-separated."""

    name: str | None
    model: str
    serial_number: str
    mac_address: str
    firmware_version: str | None
    device_type: str | None
    firmware_released_date: str | None = None
    device_id: str | None = None
    manufacturer: str | None = None
    sub_device_type: str | None = None

    @classmethod
    def from_xml(cls, root: Element, *, fallback_mac: str | None = None) -> DeviceInfo:
        """Read a parsed `<DeviceInfo>`; `fallback_mac` fills a missing or blank MAC."""
        expect_root(root, "DeviceInfo", what="the device information")
        model = child_text(root, "model")
        serial = child_text(root, "serialNumber")
        if model is None or serial is None:
            raise IsapiResponseError(
                "The device information has no model or serial number; the device may not "
                "be a Hikvision ISAPI device"
            )
        mac = normalize_mac(child_text(root, "macAddress")) or normalize_mac(fallback_mac)
        if mac is None:
            raise IsapiResponseError(
                "The device reports no MAC address in its device information or network "
                "interfaces; update its firmware"
            )
        return cls(
            name=child_text(root, "deviceName"),
            model=model,
            serial_number=serial,
            mac_address=mac,
            firmware_version=child_text(root, "firmwareVersion"),
            device_type=child_text(root, "deviceType"),
            firmware_released_date=child_text(root, "firmwareReleasedDate"),
            device_id=child_text(root, "deviceID"),
            manufacturer=child_text(root, "manufacturer"),
            sub_device_type=child_text(root, "subDeviceType"),
        )

    @staticmethod
    def mac_of(root: Element) -> str | None:
        """The MAC of a `<DeviceInfo>` document, if it has a valid one."""
        return normalize_mac(child_text(root, "macAddress"))


@dataclass(frozen=True, slots=True)
class TwoWayAudioChannel:
    """One two-way audio channel and its settings.

    `enabled` is status, not a setting: many devices report true while a session is open.
    The parsed element is kept so a write-back preserves every element this model does not
    know about.
    """

    id: str
    enabled: bool
    audio_compression_type: str
    audio_input_type: str | None
    speaker_volume: int | None
    noise_reduction: bool | None
    microphone_volume: int | None = None
    audio_output_type: str | None = None
    element: Element = field(
        default_factory=lambda: Element("TwoWayAudioChannel"), repr=False, compare=False
    )

    @property
    def g711_codec(self) -> G711Law | None:
        """`mulaw`/`alaw` when the channel takes G.711, else None (convert or reconfigure)."""
        return g711_law(self.audio_compression_type)

    @classmethod
    def from_xml(cls, element: Element) -> TwoWayAudioChannel:
        """Read a parsed `<TwoWayAudioChannel>`."""
        expect_root(element, "TwoWayAudioChannel", what="a two-way audio channel")
        channel_id = child_text(element, "id")
        if channel_id is None:
            raise IsapiResponseError("The device listed a two-way audio channel without an id")
        return cls(
            id=channel_id,
            enabled=parse_bool(child_text(element, "enabled")) or False,
            audio_compression_type=child_text(element, "audioCompressionType") or "",
            audio_input_type=child_text(element, "audioInputType"),
            speaker_volume=parse_int(child_text(element, "speakerVolume")),
            noise_reduction=parse_bool(child_text(element, "noisereduce")),
            microphone_volume=parse_int(child_text(element, "microphoneVolume")),
            audio_output_type=child_text(element, "audioOutputType"),
            element=deepcopy(element),
        )

    def to_xml(
        self,
        *,
        speaker_volume: int | None = None,
        audio_compression_type: str | None = None,
        audio_input_type: str | None = None,
        noise_reduction: bool | None = None,
    ) -> bytes:
        """The PUT body: the channel as read, with the given fields changed.

        `<enabled>` is left out: writing back "true" read during a session (or "false")
        would start or end sessions on some firmware.
        """
        document = deepcopy(self.element)
        for item in [item for item in document if local_name(item.tag) == "enabled"]:
            document.remove(item)
        changes = {
            "id": self.id,  # a channel built by hand has no element to copy it from
            "speakerVolume": None if speaker_volume is None else str(speaker_volume),
            "audioCompressionType": audio_compression_type,
            "audioInputType": audio_input_type,
            "noisereduce": None if noise_reduction is None else str(noise_reduction).lower(),
        }
        for name, value in changes.items():
            if value is not None:
                set_child_text(document, name, value)
        return serialize(document)


def parse_two_way_audio_channels(root: Element) -> tuple[TwoWayAudioChannel, ...]:
    """Read `<TwoWayAudioChannelList>` (a lone `<TwoWayAudioChannel>` is accepted too)."""
    expect_root(
        root, "TwoWayAudioChannelList", "TwoWayAudioChannel", what="the two-way audio channels"
    )
    if local_name(root.tag) == "TwoWayAudioChannel":
        return (TwoWayAudioChannel.from_xml(root),)
    items = children(root, "TwoWayAudioChannel")
    if len(items) > MAX_TALK_CHANNELS:
        raise IsapiTooManyChannelsError(
            f"The device lists {len(items)} two-way audio channels; Talkback takes at most "
            f"{MAX_TALK_CHANNELS}. Check that the address points at a camera, door station "
            "or recorder"
        )
    return tuple(TwoWayAudioChannel.from_xml(item) for item in items)


def _options(element: Element | None) -> tuple[str, ...]:
    if element is None:
        return ()
    raw = element.get("opt") or ""
    return tuple(option.strip() for option in raw.split(",") if option.strip())


def _bound(element: Element | None, name: str) -> int | None:
    return None if element is None else parse_int(element.get(name))


@dataclass(frozen=True, slots=True)
class TwoWayAudioCapabilities:
    """`.../capabilities`: what a channel accepts (option lists from `opt`, ranges from min/max)."""

    channel_id: str | None
    audio_compression_types: tuple[str, ...]
    audio_input_types: tuple[str, ...]
    speaker_volume_min: int | None
    speaker_volume_max: int | None
    noise_reduction_supported: bool
    microphone_volume_min: int | None = None
    microphone_volume_max: int | None = None

    @property
    def speaker_volume_range(self) -> tuple[int, int] | None:
        """(min, max) when the device states both."""
        if self.speaker_volume_min is None or self.speaker_volume_max is None:
            return None
        return self.speaker_volume_min, self.speaker_volume_max

    @property
    def g711_compression_types(self) -> tuple[str, ...]:
        """The codec options a talk session can send (to offer a switch to G.711)."""
        return tuple(name for name in self.audio_compression_types if g711_law(name))

    @classmethod
    def from_xml(cls, root: Element) -> TwoWayAudioCapabilities:
        """Read a parsed `<TwoWayAudioChannelCap>`."""
        expect_root(root, "TwoWayAudioChannelCap", what="the two-way audio capabilities")
        speaker = child(root, "speakerVolume")
        microphone = child(root, "microphoneVolume")
        noise = child(root, "noisereduce")
        noise_options = {option.lower() for option in _options(noise)}
        return cls(
            channel_id=child_text(root, "id"),
            audio_compression_types=_options(child(root, "audioCompressionType")),
            audio_input_types=_options(child(root, "audioInputType")),
            speaker_volume_min=_bound(speaker, "min"),
            speaker_volume_max=_bound(speaker, "max"),
            noise_reduction_supported=noise is not None
            and (not noise_options or "true" in noise_options),
            microphone_volume_min=_bound(microphone, "min"),
            microphone_volume_max=_bound(microphone, "max"),
        )


@dataclass(frozen=True, slots=True)
class TwoWayAudioSession:
    """The answer of `open`: an opaque session id (digits on some devices, 32 letters on others).

    None when the device answered `open` with a plain OK status and no session.
    """

    session_id: str | None

    @classmethod
    def from_xml(cls, root: Element) -> TwoWayAudioSession:
        """Read a parsed `<TwoWayAudioSession>` or an OK `<ResponseStatus>`."""
        if local_name(root.tag) == "ResponseStatus" and ResponseStatus.from_xml(root).ok:
            return cls(session_id=None)
        expect_root(root, "TwoWayAudioSession", what="a two-way audio session")
        session_id = child_text(root, "sessionId")
        if session_id is None:
            raise IsapiResponseError("The device opened two-way audio but sent no session id")
        return cls(session_id=session_id)


@dataclass(frozen=True, slots=True)
class IsapiTimeouts:
    """Seconds allowed for each step; the defaults are the named constants in `const`."""

    request: float = REQUEST_TIMEOUT
    connect: float = CONNECT_TIMEOUT
    open: float = OPEN_TIMEOUT
    close: float = CLOSE_TIMEOUT
    talk_write: float = TALK_WRITE_TIMEOUT
    talk_response: float = TALK_RESPONSE_TIMEOUT
    talk_socket_close: float = TALK_SOCKET_CLOSE_TIMEOUT
    receive_head: float = RECEIVE_HEAD_TIMEOUT
    receive_read: float = RECEIVE_READ_TIMEOUT
    talk_stall: float = TALK_STALL_TIMEOUT
