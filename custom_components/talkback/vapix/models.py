"""Typed models of the VAPIX answers: device identity, parameters and the audio relay service."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
import re
from types import MappingProxyType
from typing import Self

from ..rawhttp import normalize_mac as normalize_mac  # noqa: PLC0414 - re-exported: the one MAC rule
from .const import GAIN_MUTE, PARAM_RELAY_API_VERSION, RELAY_MIN_API_VERSION
from .exceptions import VapixResponseError
from .parsing import as_list, as_object, opt_bool, opt_int, opt_object, opt_str, req_str

_AUDIO_SOURCE_OUTPUT = re.compile(r"Properties\.Audio\.Source\.A\d+\.Output")
_SENDING_DUPLEX_MODES = frozenset({"full", "half", "post"})
_INI_SECTION = re.compile(r"\[(?P<group>[^\]]+)\]")


def parse_api_version(value: str | None) -> tuple[int, ...] | None:
    """Return "1.2" as (1, 2); None when missing or not a dotted number."""
    if value is None:
        return None
    parts = value.strip().split(".")
    if not all(part.isdecimal() for part in parts):
        return None
    return tuple(int(part) for part in parts)


def relay_api_supported(version: str | None) -> bool:
    """Whether a `Properties.API.AudioRelay.Version` value is 1.2 or later."""
    parsed = parse_api_version(version)
    return parsed is not None and parsed >= RELAY_MIN_API_VERSION


def _yes(value: str | None) -> bool:
    return value is not None and value.strip().lower() in {"yes", "true", "1"}


def _decode_text(body: bytes) -> str:
    try:
        return body.decode()
    except UnicodeDecodeError:
        # VAPIX documents ISO-8859-1 for CGI text.
        return body.decode("latin-1")


@dataclass(frozen=True, slots=True)
class AxisParameters:
    """Parameters from param.cgi (`root.A.B=v` lines) or a server report (`[A]` / `B = "v"`).

    Keys are stored without the `root.` prefix.
    """

    values: Mapping[str, str]
    errors: tuple[str, ...] = ()

    @classmethod
    def from_text(cls, body: bytes | str) -> Self:
        """Parse either listing format; lines that are neither are skipped."""
        text = _decode_text(body) if isinstance(body, bytes) else body
        values: dict[str, str] = {}
        errors: list[str] = []
        section: str | None = None
        for raw_line in text.splitlines():
            line = raw_line.strip()
            if not line:
                continue
            if line.startswith("#"):
                if line[1:].strip().lower().startswith("error"):
                    errors.append(line[1:].strip())
                continue
            if match := _INI_SECTION.fullmatch(line):
                section = match["group"].strip()
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                continue
            key, value = key.strip(), value.strip()
            if section is not None:
                key = f"{section}.{key}"
                if len(value) >= 2 and value[0] == value[-1] == '"':
                    value = value[1:-1]
            values[key.removeprefix("root.")] = value
        return cls(MappingProxyType(values), tuple(errors))

    def get(self, key: str) -> str | None:
        """Return one parameter, with or without the `root.` prefix."""
        return self.values.get(key.removeprefix("root."))

    def group(self, prefix: str) -> Iterator[tuple[str, str]]:
        """Yield the parameters below a group, e.g. `Properties.Audio`."""
        prefix = prefix.removeprefix("root.") + "."
        for key, value in self.values.items():
            if key.startswith(prefix):
                yield key, value

    @property
    def relay_api_version(self) -> str | None:
        """`Properties.API.AudioRelay.Version`, None when the device has no relay API."""
        value = self.get(PARAM_RELAY_API_VERSION)
        return value.strip() if value and value.strip() else None

    @property
    def has_audio_output(self) -> bool:
        """Whether the device can play audio sent to it (a speaker, line out)."""
        if not _yes(self.get("Properties.Audio.Audio")):
            return False
        duplex = self.get("Properties.Audio.DuplexMode")
        if duplex is not None and not _SENDING_DUPLEX_MODES & _split_list(duplex):
            return False
        outputs = [v for k, v in self.values.items() if _AUDIO_SOURCE_OUTPUT.fullmatch(k)]
        if outputs:
            return any(_yes(value) for value in outputs)
        return duplex is not None

    @property
    def audio_decoder_formats(self) -> tuple[str, ...]:
        """Formats the device can play, e.g. ("g711", "g726", "axis-mulaw-128")."""
        formats = self.get("Properties.Audio.Decoder.Format")
        return tuple(sorted(_split_list(formats))) if formats else ()


def _present(**fields: object) -> dict[str, object]:
    """The fields that are set; None means "not given" (and, in a request, "unchanged")."""
    return {key: value for key, value in fields.items() if value is not None}


def _split_list(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",") if part.strip()}


@dataclass(frozen=True, slots=True)
class AxisDeviceInfo:
    """Who the device is, whether it can play audio and whether it has the relay API."""

    serial_number: str
    mac_address: str | None
    """Lower-case colon form; on Axis devices the serial number is the MAC."""
    model: str
    product_name: str | None
    product_type: str | None
    firmware_version: str | None
    brand: str | None
    has_audio_output: bool
    relay_api_version: str | None
    audio_decoder_formats: tuple[str, ...] = ()

    @property
    def relay_api_supported(self) -> bool:
        """True when `Properties.API.AudioRelay.Version` is at least 1.2."""
        return relay_api_supported(self.relay_api_version)

    @classmethod
    def from_json(cls, data: object, parameters: AxisParameters) -> Self:
        """Build from a basicdeviceinfo getAllProperties answer plus param.cgi properties."""
        envelope = as_object(data, "basicdeviceinfo")
        payload = as_object(envelope.get("data"), "basicdeviceinfo.data")
        props = as_object(payload.get("propertyList"), "basicdeviceinfo.data.propertyList")
        what = "propertyList"
        serial = req_str(props, "SerialNumber", what).strip()
        model = opt_str(props, "ProdNbr", what) or opt_str(props, "ProdShortName", what)
        return cls(
            serial_number=serial,
            mac_address=normalize_mac(serial),
            model=model or "",
            product_name=opt_str(props, "ProdFullName", what),
            product_type=opt_str(props, "ProdType", what),
            firmware_version=opt_str(props, "Version", what),
            brand=opt_str(props, "Brand", what),
            has_audio_output=parameters.has_audio_output,
            relay_api_version=parameters.relay_api_version,
            audio_decoder_formats=parameters.audio_decoder_formats,
        )

    @classmethod
    def from_parameters(cls, parameters: AxisParameters) -> Self:
        """Build from param.cgi alone, for firmware without basicdeviceinfo.cgi."""
        serial = (parameters.get("Properties.System.SerialNumber") or "").strip()
        if not serial:
            raise VapixResponseError(
                "The device did not report its serial number (Properties.System.SerialNumber)"
            )
        model = parameters.get("Brand.ProdNbr") or parameters.get("Brand.ProdShortName")
        return cls(
            serial_number=serial,
            mac_address=normalize_mac(serial),
            model=model or "",
            product_name=parameters.get("Brand.ProdFullName"),
            product_type=parameters.get("Brand.ProdType"),
            firmware_version=parameters.get("Properties.Firmware.Version"),
            brand=parameters.get("Brand.Brand"),
            has_audio_output=parameters.has_audio_output,
            relay_api_version=parameters.relay_api_version,
            audio_decoder_formats=parameters.audio_decoder_formats,
        )


class RelayConnectionStatus(StrEnum):
    """Link state of a peer, as tracked by the leader.

    The device documents this enum as non-normative: values it adds later are kept as
    they are (`is_known` is then False), never rejected.
    """

    INITIATING = "Initiating"
    OFFLINE = "Offline"
    ONLINE = "Online"
    AUTHENTICATION_FAILED = "AuthenticationFailed"
    IN_OTHER_PEER_NETWORK = "InOtherPeerNetwork"

    @classmethod
    def _missing_(cls, value: object) -> RelayConnectionStatus | None:
        if not isinstance(value, str):
            return None
        unknown = str.__new__(cls, value)
        unknown._name_ = "UNKNOWN"
        unknown._value_ = value
        return unknown

    @property
    def is_known(self) -> bool:
        """Whether this is one of the documented values."""
        return self._value_ in type(self)._value2member_map_


class RelayRole(StrEnum):
    """A peer's role in the relay network."""

    LEADER = "leader"
    FOLLOWER = "follower"


@dataclass(frozen=True, slots=True)
class VolumeRange:
    """Valid master volume values, e.g. -57 to 6 dB."""

    min_value: int
    max_value: int
    unit: str | None = None

    def __contains__(self, value: object) -> bool:
        """Whether a volume lies within the range."""
        return isinstance(value, int) and self.min_value <= value <= self.max_value

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse a `Range` object."""
        obj = as_object(data, "Range")
        low, high = opt_int(obj, "MinValue", "Range"), opt_int(obj, "MaxValue", "Range")
        if low is None or high is None:
            raise VapixResponseError("The device sent a volume range without MinValue/MaxValue")
        return cls(min_value=low, max_value=high, unit=opt_str(obj, "Unit", "Range"))


@dataclass(frozen=True, slots=True)
class RelayCapabilities:
    """What the relay service supports (static while the device runs)."""

    master_volume_ranges: tuple[VolumeRange, ...] = ()

    @property
    def master_volume_range(self) -> VolumeRange | None:
        """The first (normally only) master volume range."""
        return self.master_volume_ranges[0] if self.master_volume_ranges else None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse a GetServiceCapabilities answer (`{"Capabilities": {...}}`)."""
        obj = as_object(data, "GetServiceCapabilities")
        caps = opt_object(obj, "Capabilities", "GetServiceCapabilities") or {}
        ranges = as_list(caps.get("MasterVolumeRanges"), "Capabilities.MasterVolumeRanges")
        return cls(master_volume_ranges=tuple(VolumeRange.from_json(item) for item in ranges))


def _same_gain(first: str, second: str) -> bool:
    first, second = first.strip(), second.strip()
    if first.lower() == second.lower():
        return True
    try:
        return int(first) == int(second)
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Gain:
    """One gain control value, e.g. `AudioSource.A0.OutputGain` = "-6" (values are text)."""

    name: str
    value: str

    @property
    def is_mute(self) -> bool:
        """Whether the value is the `Mute` step."""
        return self.value.strip().lower() == GAIN_MUTE.lower()

    def to_json(self) -> dict[str, object]:
        """Encode for a request."""
        return {"Name": self.name, "Value": self.value}

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse a `Gain` object."""
        obj = as_object(data, "Gain")
        return cls(name=req_str(obj, "Name", "Gain"), value=opt_str(obj, "Value", "Gain") or "")


@dataclass(frozen=True, slots=True)
class GainDefinition:
    """The valid values of one gain control: "Mute", "-57" ... "6"."""

    name: str
    values: tuple[str, ...]

    def allows(self, value: str) -> bool:
        """Whether `value` is one of the defined steps."""
        return any(_same_gain(value, step) for step in self.values)

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse a `GainDefinition`; Range may be a list or comma-separated text."""
        obj = as_object(data, "OutputGainDefinitions")
        raw = obj.get("Range")
        items: list[object] = (
            [part for part in raw.split(",") if part.strip()]
            if isinstance(raw, str)
            else as_list(raw, "OutputGainDefinitions.Range")
        )
        values: list[str] = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int):
                raise VapixResponseError(f"Expected text in a gain range, got {item!r:.40}")
            values.append(str(item).strip())
        return cls(name=req_str(obj, "Name", "OutputGainDefinitions"), values=tuple(values))


@dataclass(frozen=True, slots=True, kw_only=True)
class RelayPeer:
    """The configuration of one peer of an audio relay network (AudioPeerConfiguration).

    A peer is found by `mac` (matched against discovery) or `ip_address`. An empty `id`
    lets the device generate one. `leader=None` means "unchanged" when modifying and
    "follower" when adding. The password is only ever sent: devices never return it.
    """

    id: str = ""
    name: str | None = None
    ip_address: str | None = None
    mac: str | None = None
    leader: bool | None = None
    output_gain: tuple[Gain, ...] = ()
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def role(self) -> RelayRole | None:
        """Leader or follower; None when the configuration leaves it unchanged."""
        if self.leader is None:
            return None
        return RelayRole.LEADER if self.leader else RelayRole.FOLLOWER

    def to_json(self) -> dict[str, object]:
        """Encode as an AudioPeerConfiguration; unset fields are left out."""
        address: dict[str, object] = {}
        if self.ip_address:
            address["IPAddress"] = self.ip_address
        if self.mac:
            address["MAC"] = self.mac
        config: dict[str, object] = {}
        if self.id:
            config["Id"] = self.id
        if self.name is not None:
            config["Name"] = self.name
        config["Address"] = address
        if self.leader is not None:
            config["Leader"] = self.leader
        credentials: dict[str, object] = {}
        if self.username is not None:
            credentials["User"] = self.username
        if self.password is not None:
            credentials["Password"] = self.password
        if credentials:
            config["Credentials"] = credentials
        if self.output_gain:
            config["OutputGain"] = [gain.to_json() for gain in self.output_gain]
        return config

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse an AudioPeerConfiguration; a returned password is dropped on purpose."""
        what = "Configuration"
        obj = as_object(data, what)
        address = opt_object(obj, "Address", what) or {}
        credentials = opt_object(obj, "Credentials", what) or {}
        # The document spells the field both "OutputGain" and "OutPutGain".
        gains = obj.get("OutputGain", obj.get("OutPutGain"))
        return cls(
            id=opt_str(obj, "Id", what) or "",
            name=opt_str(obj, "Name", what),
            ip_address=opt_str(address, "IPAddress", "Address") or None,
            mac=opt_str(address, "MAC", "Address") or None,
            leader=opt_bool(obj, "Leader", what),
            output_gain=tuple(Gain.from_json(g) for g in as_list(gains, "OutputGain")),
            username=opt_str(credentials, "User", "Credentials"),
        )


@dataclass(frozen=True, slots=True)
class RelayNetworkPeer:
    """A peer as the device reports it (AudioPeer): configuration, type, link and gain steps."""

    configuration: RelayPeer
    product_type: str | None = None
    connection_status: RelayConnectionStatus | None = None
    output_gain_definitions: tuple[GainDefinition, ...] = ()

    @property
    def id(self) -> str:
        """The peer's id."""
        return self.configuration.id

    @property
    def leader(self) -> bool:
        """Whether this peer leads the network."""
        return bool(self.configuration.leader)

    def gain_definition(self, name: str) -> GainDefinition | None:
        """The definition of one gain control of this peer."""
        return next((d for d in self.output_gain_definitions if d.name == name), None)

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse an AudioPeer."""
        obj = as_object(data, "Peer")
        metadata = opt_object(obj, "MetaData", "Peer") or {}
        status = opt_str(obj, "ConnectionStatus", "Peer")
        definitions = as_list(obj.get("OutputGainDefinitions"), "Peer.OutputGainDefinitions")
        return cls(
            configuration=RelayPeer.from_json(obj.get("Configuration") or {}),
            product_type=opt_str(metadata, "Type", "MetaData"),
            connection_status=RelayConnectionStatus(status) if status else None,
            output_gain_definitions=tuple(GainDefinition.from_json(d) for d in definitions),
        )


@dataclass(frozen=True, slots=True)
class DiscoveredRelayPeer:
    """A relay-capable device the receiving device found on its network."""

    ip_address: str | None
    mac: str | None
    product_type: str | None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse a DiscoveredAudioPeer."""
        obj = as_object(data, "Peer")
        address = opt_object(obj, "Address", "Peer") or {}
        metadata = opt_object(obj, "MetaData", "Peer") or {}
        return cls(
            ip_address=opt_str(address, "IPAddress", "Address") or None,
            mac=opt_str(address, "MAC", "Address") or None,
            product_type=opt_str(metadata, "Type", "MetaData"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RelayNetworkConfiguration:
    """Settings of the relay network as a whole (AudioNetworkConfiguration)."""

    name: str | None = None
    description: str | None = None
    multicast_enabled: bool | None = None
    multicast_group: str | None = None
    """Group address; when multicast is enabled without one, the device generates it."""

    def to_json(self) -> dict[str, object]:
        """Encode; unset fields are left out."""
        return _present(
            Name=self.name,
            Description=self.description,
            MulticastEnabled=self.multicast_enabled,
            MulticastGroup=self.multicast_group,
        )

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse an AudioNetworkConfiguration."""
        what = "AudioNetworkConfiguration"
        obj = as_object(data, what)
        return cls(
            name=opt_str(obj, "Name", what),
            description=opt_str(obj, "Description", what),
            multicast_enabled=opt_bool(obj, "MulticastEnabled", what),
            multicast_group=opt_str(obj, "MulticastGroup", what) or None,
        )


@dataclass(frozen=True, slots=True)
class RelayNetwork:
    """A GetAudioPeers answer: the peers, and the network settings when the device sends them."""

    peers: tuple[RelayNetworkPeer, ...]
    configuration: RelayNetworkConfiguration | None = None

    @property
    def leader(self) -> RelayNetworkPeer | None:
        """The leading peer, if one is configured."""
        return next((peer for peer in self.peers if peer.leader), None)

    def peer(self, peer_id: str) -> RelayNetworkPeer | None:
        """Look a peer up by id."""
        return next((peer for peer in self.peers if peer.id == peer_id), None)

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse `{"Peer": [...], "AudioNetworkConfiguration": {...}}`."""
        obj = as_object(data, "GetAudioPeers")
        network = obj.get("AudioNetworkConfiguration")
        return cls(
            peers=tuple(RelayNetworkPeer.from_json(p) for p in as_list(obj.get("Peer"), "Peer")),
            configuration=(
                RelayNetworkConfiguration.from_json(network) if network is not None else None
            ),
        )


@dataclass(frozen=True, slots=True)
class RelayPeerStatus:
    """The leader's view of the link to one peer."""

    id: str
    connection_status: RelayConnectionStatus

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse an AudioPeerStatus."""
        obj = as_object(data, "PeerStatus")
        return cls(
            id=req_str(obj, "Id", "PeerStatus"),
            connection_status=RelayConnectionStatus(req_str(obj, "ConnectionStatus", "PeerStatus")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SoundConfiguration:
    """Master volume and mute of the whole relay network."""

    master_volume: int | None = None
    master_volume_unit: str | None = None
    master_volume_mute: bool | None = None

    def to_json(self) -> dict[str, object]:
        """Encode; unset fields are left out (an empty configuration changes nothing)."""
        return _present(
            MasterVolume=self.master_volume,
            MasterVolumeUnit=self.master_volume_unit,
            MasterVolumeMute=self.master_volume_mute,
        )

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse a GetSoundConfiguration answer (`{"Configuration": {...}}`)."""
        what = "Configuration"
        obj = opt_object(as_object(data, "GetSoundConfiguration"), what, "Sound") or {}
        return cls(
            master_volume=opt_int(obj, "MasterVolume", what),
            master_volume_unit=opt_str(obj, "MasterVolumeUnit", what),
            master_volume_mute=opt_bool(obj, "MasterVolumeMute", what),
        )


def parse_peer_ids(data: object) -> tuple[str, ...]:
    """Parse `{"AudioPeerId": "x"}` or `{"AudioPeerId": ["x", "y"]}`."""
    obj = as_object(data, "answer")
    ids: list[str] = []
    for item in as_list(obj.get("AudioPeerId"), "AudioPeerId"):
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise VapixResponseError(f"Expected a peer id, got {item!r:.40}")
        ids.append(str(item))
    return tuple(ids)


def parse_peer_statuses(data: object) -> tuple[RelayPeerStatus, ...]:
    """Parse a GetAudioPeerStatus answer (`{"PeerStatus": [...]}`)."""
    items = as_list(as_object(data, "answer").get("PeerStatus"), "PeerStatus")
    return tuple(RelayPeerStatus.from_json(item) for item in items)


def parse_discovered_peers(data: object) -> tuple[DiscoveredRelayPeer, ...]:
    """Parse a GetDiscoveredAudioPeers answer (`{"Peer": [...]}`)."""
    items = as_list(as_object(data, "answer").get("Peer"), "Peer")
    return tuple(DiscoveredRelayPeer.from_json(item) for item in items)


def parse_multicast_group(data: object) -> str | None:
    """Parse a SetAudioNetworkConfiguration answer (`{"MulticastGroup": "239.1.2.3"}`)."""
    return opt_str(as_object(data, "answer"), "MulticastGroup", "answer") or None
