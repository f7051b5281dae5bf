"""The audio relay service of one simulated device (`/vapix/audiorelay`, JSON format).

Each device answers for its own view of the network. The leader checks its followers
(running? right credentials? claimed by another leader?) and tracks their status; an
Online follower adopts the leader's view. Written from the Axis document alone: nothing
here is shared with the client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
import ipaddress
import re
from typing import TYPE_CHECKING, Any

from .config import AxisAuth
from .const import DEFAULT_PASSWORD, DEFAULT_USERNAME, PEER_ID_MAX_LENGTH, RELAY_PREFIX
from .lan import mac_key

if TYPE_CHECKING:
    from .speaker import AxisSpeaker

INITIATING = "Initiating"
OFFLINE = "Offline"
ONLINE = "Online"
AUTHENTICATION_FAILED = "AuthenticationFailed"
IN_OTHER_PEER_NETWORK = "InOtherPeerNetwork"

_MAC_FORM = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}")

type Json = dict[str, Any]


class RelayFaultError(Exception):
    """A refusal, answered as a SOAP-style fault."""

    def __init__(
        self,
        reason: str,
        *,
        fault: str = "env:Sender",
        code: str = "ter:InvalidArgVal",
        subcode: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fault = fault
        self.code = code
        self.subcode = subcode


def _invalid_args(reason: str) -> RelayFaultError:
    return RelayFaultError(reason, code="ter:InvalidArgs")


@dataclass(slots=True)
class PeerEntry:
    """One AudioPeerConfiguration as the device stores it."""

    id: str
    name: str | None = None
    ip: str | None = None
    mac: str | None = None
    leader: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    gains: dict[str, str] = field(default_factory=dict)

    @property
    def credentials(self) -> tuple[str, str]:
        """What the leader logs in with; the defaults when none were configured."""
        return (
            self.user if self.user is not None else DEFAULT_USERNAME,
            self.password if self.password is not None else DEFAULT_PASSWORD,
        )


@dataclass(slots=True)
class _PeerUpdate:
    """The fields a request gave for one peer (None: not given)."""

    id: str | None = None
    name: str | None = None
    ip: str | None = None
    mac: str | None = None
    leader: bool | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    gains: dict[str, str] | None = None

    def apply(self, entry: PeerEntry) -> PeerEntry:
        """The entry with every given field changed."""
        return PeerEntry(
            id=entry.id,
            name=_given(self.name, entry.name),
            ip=_given(self.ip, entry.ip),
            mac=_given(self.mac, entry.mac),
            leader=_given(self.leader, entry.leader),
            user=_given(self.user, entry.user),
            password=_given(self.password, entry.password),
            gains={**entry.gains, **(self.gains or {})},
        )


def _given[T](new: T | None, old: T) -> T:
    return old if new is None else new


def _text(obj: Json, key: str, what: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _invalid_args(f"{what}.{key} must be a string")


def _flag(obj: Json, key: str, what: str) -> bool | None:
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise _invalid_args(f"{what}.{key} must be true or false")


def _object(obj: Json, key: str, what: str) -> Json:
    value = obj.get(key)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise _invalid_args(f"{what}.{key} must be an object")


def _items(value: object, what: str) -> list[object]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value]
    raise _invalid_args(f"{what} must be a list")


def _id_filter(params: Json) -> set[str] | None:
    ids = _items(params.get("AudioPeerId"), "AudioPeerId")
    if not ids:
        return None
    if not all(isinstance(item, str) for item in ids):
        raise _invalid_args("AudioPeerId must hold strings")
    return {str(item) for item in ids}


def _parse_update(data: object) -> _PeerUpdate:
    if not isinstance(data, dict):
        raise _invalid_args("Configuration must be an object")
    what = "Configuration"
    peer_id = _text(data, "Id", what)
    if peer_id is not None and len(peer_id) > PEER_ID_MAX_LENGTH:
        raise RelayFaultError(f"AudioPeerId is longer than {PEER_ID_MAX_LENGTH} characters")
    address = _object(data, "Address", what)
    ip = _text(address, "IPAddress", "Address") or None
    mac = _text(address, "MAC", "Address") or None
    if ip is not None:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise RelayFaultError(f"Invalid IPAddress {ip!r}") from None
    if mac is not None and not _MAC_FORM.fullmatch(mac):
        raise RelayFaultError(f"Invalid MAC {mac!r}, expected the form 00:00:00:00:00:00")
    credentials = _object(data, "Credentials", what)
    gains: dict[str, str] | None = None
    raw_gains = data.get("OutputGain", data.get("OutPutGain"))
    if raw_gains is not None:
        gains = {}
        for item in _items(raw_gains, "OutputGain"):
            if not isinstance(item, dict):
                raise _invalid_args("OutputGain must hold objects")
            name, value = _text(item, "Name", "OutputGain"), _text(item, "Value", "OutputGain")
            if name is None or value is None:
                raise _invalid_args("OutputGain needs Name and Value")
            gains[name] = value
    return _PeerUpdate(
        id=peer_id or None,
        name=_text(data, "Name", what),
        ip=ip,
        mac=mac.upper() if mac else None,
        leader=_flag(data, "Leader", what),
        user=_text(credentials, "User", "Credentials"),
        password=_text(credentials, "Password", "Credentials"),
        gains=gains,
    )


class RelayService:
    """State and commands of the relay service on one device."""

    def __init__(self, unit: AxisSpeaker) -> None:
        self.unit = unit
        self.peers: list[PeerEntry] = []
        self.network: Json = {}
        self.master_volume = 0
        self.mute = False
        self.links: dict[str, str] = {}
        """The leader's view: peer id -> connection status."""
        self.leader_of: AxisSpeaker | None = None
        """The leader that claimed this device as an Online follower."""
        self._generated = 0
        self._commands: dict[str, Callable[[Json], Json]] = {
            "GetServiceCapabilities": self._get_service_capabilities,
            "SetAudioPeerConfigurations": self._set_audio_peer_configurations,
            "SetAudioPeerConfiguration": self._set_audio_peer_configuration,
            "GetAudioPeers": self._get_audio_peers,
            "GetDiscoveredAudioPeers": self._get_discovered_audio_peers,
            "RemoveAudioPeer": self._remove_audio_peer,
            "SetAudioNetworkConfiguration": self._set_audio_network_configuration,
            "GetAudioPeerStatus": self._get_audio_peer_status,
            "SetSoundConfiguration": self._set_sound_configuration,
            "GetSoundConfiguration": self._get_sound_configuration,
        }

    # Requests -----------------------------------------------------------------------

    def handle(self, document: object) -> Json:
        """Answer one `{"axar:Command": {...}}` request; raise RelayFaultError to refuse it."""
        if not isinstance(document, dict) or len(document) != 1:
            raise _invalid_args("The request must be one object with one axar: command")
        ((key, params),) = document.items()
        handler = self._commands.get(key.removeprefix(RELAY_PREFIX))
        if not key.startswith(RELAY_PREFIX) or handler is None:
            raise RelayFaultError(
                f"Unknown action {key!r}", fault="env:Receiver", code="ter:ActionNotSupported"
            )
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise _invalid_args(f"The parameters of {key} must be an object")
        return handler(params)

    def _get_service_capabilities(self, params: Json) -> Json:
        config = self.unit.config
        volume_range = {
            "Unit": config.volume_unit,
            "MinValue": config.volume_min,
            "MaxValue": config.volume_max,
        }
        return {"Capabilities": {"MasterVolumeRanges": volume_range}}

    def _set_audio_peer_configurations(self, params: Json) -> Json:
        updates = [
            _parse_update(item) for item in _items(params.get("Configuration"), "Configuration")
        ]
        entries: list[PeerEntry] = []
        for update in updates:
            taken = {entry.id for entry in entries} | {u.id for u in updates if u.id}
            entries.append(update.apply(PeerEntry(update.id or self._new_id(taken))))
        self._check(entries)
        network = params.get("AudioNetworkConfiguration")
        self._replace(entries, self._parse_network(network) if network is not None else {})
        return {"AudioPeerId": [entry.id for entry in entries]}

    def _set_audio_peer_configuration(self, params: Json) -> Json:
        update = _parse_update(params.get("Configuration"))
        entries = list(self.peers)
        index = next((i for i, e in enumerate(entries) if update.id and e.id == update.id), None)
        if index is None:
            taken = {entry.id for entry in entries}
            entries.append(update.apply(PeerEntry(update.id or self._new_id(taken))))
            index = len(entries) - 1
        else:
            entries[index] = update.apply(entries[index])
        self._check(entries)
        self._replace(entries, self.network)
        return {"AudioPeerId": entries[index].id}

    def _get_audio_peers(self, params: Json) -> Json:
        wanted = _id_filter(params)
        statuses = self.statuses()
        answer: Json = {
            "Peer": [
                self._peer_json(entry, statuses.get(entry.id, INITIATING))
                for entry in self.peers
                if wanted is None or entry.id in wanted
            ]
        }
        if self.network:
            answer["AudioNetworkConfiguration"] = dict(self.network)
        return answer

    def _get_discovered_audio_peers(self, params: Json) -> Json:
        return {
            "Peer": [
                {
                    "Address": {"IPAddress": unit.config.address, "MAC": unit.config.mac},
                    "MetaData": {"Type": unit.config.model},
                }
                for unit in self.unit.lan.discoverable(self.unit)
            ]
        }

    def _remove_audio_peer(self, params: Json) -> Json:
        peer_id = params.get("AudioPeerId")
        entry = next((e for e in self.peers if e.id == peer_id), None)
        if entry is None:
            raise RelayFaultError("Supplied ID is invalid")
        if self._is_self(entry):
            raise RelayFaultError("The receiving device cannot remove itself")
        self._replace([e for e in self.peers if e is not entry], self.network)
        return {}

    def _set_audio_network_configuration(self, params: Json) -> Json:
        self.network = self._parse_network(params.get("AudioNetworkConfiguration"))
        self.unit.relay_changed()
        group = self.network.get("MulticastGroup")
        return {"MulticastGroup": group} if self.network.get("MulticastEnabled") else {}

    def _get_audio_peer_status(self, params: Json) -> Json:
        wanted = _id_filter(params)
        return {
            "PeerStatus": [
                {"Id": peer_id, "ConnectionStatus": status}
                for peer_id, status in self.statuses().items()
                if wanted is None or peer_id in wanted
            ]
        }

    def _set_sound_configuration(self, params: Json) -> Json:
        config = self.unit.config
        sound = _object(params, "Configuration", "SetSoundConfiguration")
        volume = sound.get("MasterVolume")
        unit = _text(sound, "MasterVolumeUnit", "Configuration")
        mute = _flag(sound, "MasterVolumeMute", "Configuration")
        if volume is not None:
            if isinstance(volume, bool) or not isinstance(volume, int):
                raise _invalid_args("MasterVolume must be an integer")
            if not config.volume_min <= volume <= config.volume_max:
                raise RelayFaultError(
                    f"MasterVolume {volume} is outside {config.volume_min}..{config.volume_max}"
                )
        if unit is not None and unit.lower() != config.volume_unit.lower():
            raise RelayFaultError(f"MasterVolumeUnit {unit!r} is not supported")
        for member in self._sound_members():
            if volume is not None:
                member.relay.master_volume = volume
            if mute is not None:
                member.relay.mute = mute
        return {}

    def _get_sound_configuration(self, params: Json) -> Json:
        return {
            "Configuration": {
                "MasterVolume": self.master_volume,
                "MasterVolumeUnit": self.unit.config.volume_unit,
                "MasterVolumeMute": self.mute,
            }
        }

    # Network state ------------------------------------------------------------------

    def is_leader(self) -> bool:
        """Whether this device leads its configured network."""
        return any(entry.leader and self._is_self(entry) for entry in self.peers)

    def statuses(self) -> dict[str, str]:
        """Connection status per peer id; the leader tracks them, followers ask it."""
        if self.is_leader():
            return {entry.id: self.links.get(entry.id, INITIATING) for entry in self.peers}
        leader = self.leader_of
        if leader is not None and leader.running:
            return {entry.id: leader.relay.links.get(entry.id, INITIATING) for entry in self.peers}
        return dict.fromkeys((entry.id for entry in self.peers), INITIATING)

    def reset_links(self) -> None:
        """A (re)configured leader starts over: itself Online, every follower Initiating."""
        self.links = (
            {entry.id: ONLINE if self._is_self(entry) else INITIATING for entry in self.peers}
            if self.is_leader()
            else {}
        )

    def check_links(self) -> None:
        """The leader contacts every follower once and records how that went."""
        if not self.is_leader():
            self.links = {}
            return
        links: dict[str, str] = {}
        for entry in self.peers:
            if self._is_self(entry):
                links[entry.id] = ONLINE
                continue
            target = self.resolve(entry)
            status = self._link_status(entry, target)
            links[entry.id] = status
            if status == ONLINE and target is not None:
                target.relay.follow(self.unit)
        self.links = links

    def online_followers(self) -> list[AxisSpeaker]:
        """Running followers this leader has Online (where relayed audio goes)."""
        if not self.is_leader():
            return []
        found = []
        for entry in self.peers:
            target = self.resolve(entry)
            if (
                target is not None
                and target is not self.unit
                and target.running
                and self.links.get(entry.id) == ONLINE
            ):
                found.append(target)
        return found

    def follow(self, leader: AxisSpeaker) -> None:
        """Join a leader's network: adopt its view (peers, network, sound)."""
        self.leader_of = leader
        self.peers = [replace(entry, gains=dict(entry.gains)) for entry in leader.relay.peers]
        self.network = dict(leader.relay.network)
        self.master_volume, self.mute = leader.relay.master_volume, leader.relay.mute

    def claims(self, unit: AxisSpeaker) -> bool:
        """Whether this device leads a network with `unit` in it."""
        return (
            self.unit.running
            and self.is_leader()
            and any(self.resolve(entry) is unit for entry in self.peers)
        )

    def resolve(self, entry: PeerEntry) -> AxisSpeaker | None:
        """The device a peer entry addresses."""
        return self.unit.lan.find(mac=entry.mac, ip=entry.ip)

    def _is_self(self, entry: PeerEntry) -> bool:
        return self.resolve(entry) is self.unit

    def _link_status(self, entry: PeerEntry, target: AxisSpeaker | None) -> str:
        if target is None or not target.running or target.config.relay_api_version is None:
            return OFFLINE
        config = target.config
        if config.auth is not AxisAuth.NONE and entry.credentials != (
            config.username,
            config.password,
        ):
            return AUTHENTICATION_FAILED
        other = target.relay.leader_of
        if other is not None and other is not self.unit and other.relay.claims(target):
            return IN_OTHER_PEER_NETWORK
        if target.relay.is_leader() and len(target.relay.peers) > 1:
            return IN_OTHER_PEER_NETWORK  # it leads a network of its own
        return ONLINE

    def _sound_members(self) -> list[AxisSpeaker]:
        """Where a sound configuration applies: the leader and its Online followers."""
        leader = self.unit if self.is_leader() else self.leader_of
        if leader is None or not leader.running:
            return [self.unit]
        return [leader, *leader.relay.online_followers()]

    def _new_id(self, taken: set[str]) -> str:
        while True:
            self._generated += 1
            candidate = f"AudioPeer_{self._generated:02d}"
            if candidate not in taken:
                return candidate

    def _check(self, entries: list[PeerEntry]) -> None:
        """The rules of the document: one leader, this device included, valid peers."""
        ids = [entry.id for entry in entries]
        if len(set(ids)) != len(ids):
            raise RelayFaultError("Duplicate AudioPeerId")
        if sum(entry.leader for entry in entries) != 1:
            raise RelayFaultError("The audio relay network must have exactly one leader")
        for entry in entries:
            if not entry.ip and not entry.mac:
                raise RelayFaultError(f"Audio peer {entry.id} has no address")
            target = self.resolve(entry)
            for name, value in entry.gains.items():
                config = target.config if target is not None else None
                if config is not None and (
                    name != config.gain_name or value not in config.gain_steps
                ):
                    raise RelayFaultError(
                        f"Invalid gain {name}={value!r} for audio peer {entry.id}"
                    )
        if not any(self._is_self(entry) for entry in entries):
            raise RelayFaultError("The configuration must contain the receiving device")

    def _replace(self, entries: list[PeerEntry], network: Json) -> None:
        """Store a new view; followers that are no longer listed leave the network."""
        kept = {self.resolve(entry) for entry in entries}
        for unit in self.unit.lan.units:
            if unit.relay.leader_of is self.unit and unit not in kept:
                unit.relay.leave()
        for entry in entries:
            # Once a peer is found, both of its addresses are known (discovery wins).
            target = self.resolve(entry)
            if target is not None:
                entry.ip, entry.mac = target.config.address, target.config.mac
                target.output_gain.update(entry.gains)
        self.peers = entries
        self.network = network
        if not any(entry.leader and self.resolve(entry) is self.leader_of for entry in entries):
            self.leader_of = None
        self.unit.relay_changed()

    def leave(self) -> None:
        """Drop out of a leader's network."""
        self.leader_of = None
        self.peers = []
        self.network = {}
        self.links = {}

    def _parse_network(self, data: object) -> Json:
        if not isinstance(data, dict):
            raise _invalid_args("AudioNetworkConfiguration must be an object")
        what = "AudioNetworkConfiguration"
        network: Json = {}
        for key in ("Name", "Description"):
            if (value := _text(data, key, what)) is not None:
                network[key] = value
        enabled = _flag(data, "MulticastEnabled", what)
        group = _text(data, "MulticastGroup", what)
        if group is not None:
            try:
                valid = ipaddress.ip_address(group).is_multicast
            except ValueError:
                valid = False
            if not valid:
                raise RelayFaultError(f"MulticastGroup {group!r} is not a multicast address")
        network["MulticastEnabled"] = bool(enabled)
        if enabled:
            network["MulticastGroup"] = group or self._generated_group()
        return network

    def _generated_group(self) -> str:
        """Like the document's example: 239 and the last three octets of the device's IPv4."""
        address = ipaddress.ip_address(self.unit.config.address)
        if address.version == 4:
            return "239." + ".".join(str(address).split(".")[1:])
        return f"ff15::{mac_key(self.unit.config.serial)[-4:].lower()}"

    def _peer_json(self, entry: PeerEntry, status: str) -> Json:
        address: Json = {}
        if entry.ip:
            address["IPAddress"] = entry.ip
        if entry.mac:
            address["MAC"] = entry.mac
        configuration: Json = {"Id": entry.id}
        if entry.name is not None:
            configuration["Name"] = entry.name
        configuration["Address"] = address
        configuration["Leader"] = entry.leader
        # The password is never returned, only whether a user is set.
        configuration["Credentials"] = {"User": entry.credentials[0], "Password": None}
        target = self.resolve(entry)
        gains = dict(target.output_gain) if target is not None else {}
        gains.update(entry.gains)
        configuration["OutputGain"] = [{"Name": n, "Value": v} for n, v in gains.items()]
        peer: Json = {"Configuration": configuration, "ConnectionStatus": status}
        if target is not None:
            peer["MetaData"] = {"Type": target.config.model}
            peer["OutputGainDefinitions"] = [
                {"Name": target.config.gain_name, "Range": list(target.config.gain_steps)}
            ]
        return peer
