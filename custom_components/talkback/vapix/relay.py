"""The audio relay service (`/vapix/audiorelay`, JSON): commands and the checks made before sending.

Every rule the device enforces on a request is checked here first, so that the user
gets a message that says what to change instead of a bare `ter:InvalidArgVal`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
import ipaddress
import re
from typing import Final

from .const import GAIN_MUTE, MAC_FORM, PEER_ID_MAX_LENGTH, RELAY_NAMESPACE
from .exceptions import VapixValidationError
from .models import (
    GainDefinition,
    RelayCapabilities,
    RelayNetwork,
    RelayNetworkPeer,
    RelayPeer,
    SoundConfiguration,
    normalize_mac,
)

GET_SERVICE_CAPABILITIES: Final = "GetServiceCapabilities"
SET_AUDIO_PEER_CONFIGURATIONS: Final = "SetAudioPeerConfigurations"
SET_AUDIO_PEER_CONFIGURATION: Final = "SetAudioPeerConfiguration"
GET_AUDIO_PEERS: Final = "GetAudioPeers"
GET_DISCOVERED_AUDIO_PEERS: Final = "GetDiscoveredAudioPeers"
REMOVE_AUDIO_PEER: Final = "RemoveAudioPeer"
SET_AUDIO_NETWORK_CONFIGURATION: Final = "SetAudioNetworkConfiguration"
GET_AUDIO_PEER_STATUS: Final = "GetAudioPeerStatus"
SET_SOUND_CONFIGURATION: Final = "SetSoundConfiguration"
GET_SOUND_CONFIGURATION: Final = "GetSoundConfiguration"

_MAC = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}")


def relay_request(
    command: str, parameters: Mapping[str, object] | None = None
) -> dict[str, object]:
    """The JSON body of one command: `{"axar:Command": {...}}`."""
    return {f"{RELAY_NAMESPACE}:{command}": dict(parameters or {})}


@dataclass(frozen=True, slots=True)
class ReceivingDevice:
    """How to recognise the device a request is sent to among the peers of a network."""

    host: str
    mac_address: str | None = None

    def is_peer(self, peer: RelayPeer) -> bool:
        """Whether the peer's address is this device (by MAC, or by IP literal)."""
        if self.mac_address and peer.mac and normalize_mac(peer.mac) == self.mac_address:
            return True
        return peer.ip_address is not None and _same_ip(peer.ip_address, self.host)


def _same_ip(first: str, second: str) -> bool:
    try:
        return ipaddress.ip_address(first.strip("[]")) == ipaddress.ip_address(second.strip("[]"))
    except ValueError:
        return first.strip().lower() == second.strip().lower()


def check_peer_id(peer_id: str, *, required: bool) -> None:
    """An AudioPeerId has at most 64 characters; some commands need one."""
    if required and not peer_id:
        raise VapixValidationError("A peer id is needed; get it from get_audio_peers()")
    if len(peer_id) > PEER_ID_MAX_LENGTH:
        raise VapixValidationError(
            f"Peer id {peer_id[:PEER_ID_MAX_LENGTH]!r}... has {len(peer_id)} characters; "
            f"use at most {PEER_ID_MAX_LENGTH}"
        )


def check_peer(peer: RelayPeer, *, adding: bool) -> None:
    """Check one peer's id, MAC form and IP address; a new peer needs an address."""
    check_peer_id(peer.id, required=False)
    label = _label(peer)
    if peer.mac is not None and not _MAC.fullmatch(peer.mac):
        suggestion = normalize_mac(peer.mac)
        hint = f" such as {suggestion.upper()}" if suggestion else ""
        raise VapixValidationError(
            f"MAC address {peer.mac!r} of {label} is not in the form {MAC_FORM}; "
            f"write it as six colon-separated hex pairs{hint}"
        )
    if peer.ip_address is not None:
        try:
            ipaddress.ip_address(peer.ip_address)
        except ValueError:
            raise VapixValidationError(
                f"IP address {peer.ip_address!r} of {label} is not an IPv4 or IPv6 address"
            ) from None
    if adding and not peer.mac and not peer.ip_address:
        raise VapixValidationError(f"{label.capitalize()} needs an IP address or a MAC address")


def check_gains(peer: RelayPeer, definitions: Iterable[GainDefinition]) -> None:
    """Every gain value must be a step of its definition ("Mute", "-57" ... "6").

    Without a definition (a peer the device has not reported yet) the value must still
    look like a gain: "Mute" or a whole number of dB.
    """
    known = {definition.name: definition for definition in definitions}
    for gain in peer.output_gain:
        definition = known.get(gain.name)
        if definition is not None:
            if not definition.allows(gain.value):
                raise VapixValidationError(
                    f"Gain {gain.value!r} is not valid for {gain.name} of {_label(peer)}; "
                    f"use one of {_describe_steps(definition.values)}"
                )
            continue
        if not gain.is_mute and not _is_whole_number(gain.value):
            raise VapixValidationError(
                f"Gain {gain.value!r} for {gain.name} of {_label(peer)} is neither "
                f"{GAIN_MUTE!r} nor a whole number of dB"
            )


def check_network(peers: Sequence[RelayPeer], receiving: ReceivingDevice) -> None:
    """A whole network: valid peers, exactly one leader, the receiving device included."""
    if not peers:
        raise VapixValidationError("A relay network needs at least the receiving device")
    for peer in peers:
        check_peer(peer, adding=True)
    _check_unique(peers)
    _check_one_leader(peers)
    if not any(receiving.is_peer(peer) for peer in peers):
        raise VapixValidationError(
            f"The network must include the device it is sent to ({receiving.host}); "
            "add it by its IP address or MAC address"
        )


def network_after_change(current: RelayNetwork, change: RelayPeer) -> tuple[list[RelayPeer], bool]:
    """The peers after SetAudioPeerConfiguration, and whether the change adds a peer.

    An empty or unknown id adds a peer (a follower unless `leader` is set); a known id
    modifies that peer, keeping what the change leaves unset.
    """
    peers = [peer.configuration for peer in current.peers]
    for index, peer in enumerate(peers):
        if change.id and peer.id == change.id:
            peers[index] = replace(
                change,
                ip_address=change.ip_address or peer.ip_address,
                mac=change.mac or peer.mac,
                leader=peer.leader if change.leader is None else change.leader,
            )
            return peers, False
    peers.append(replace(change, leader=bool(change.leader)))
    return peers, True


def check_peer_change(current: RelayNetwork, change: RelayPeer) -> None:
    """SetAudioPeerConfiguration must leave exactly one leader."""
    peers, adding = network_after_change(current, change)
    check_peer(change, adding=adding)
    if adding and not current.peers and not change.leader:
        raise VapixValidationError(
            "The device has no relay network yet; create one with "
            "set_audio_peer_configurations(), including this device as the leader"
        )
    _check_unique(peers)
    _check_one_leader(peers, after_change=True)


def gain_definitions_for(peer: RelayPeer, network: RelayNetwork) -> tuple[GainDefinition, ...]:
    """The gain definitions the device reported for the peer a configuration is about."""
    match = _find(network, peer)
    return match.output_gain_definitions if match is not None else ()


def check_removal(network: RelayNetwork, peer_id: str, receiving: ReceivingDevice) -> None:
    """RemoveAudioPeer may not remove the device the request is sent to."""
    check_peer_id(peer_id, required=True)
    peer = network.peer(peer_id)
    if peer is not None and receiving.is_peer(peer.configuration):
        raise VapixValidationError(
            f"Peer {peer_id!r} is the device the request is sent to; send the removal "
            "to another peer, or replace the network with set_audio_peer_configurations()"
        )


def check_sound_configuration(
    configuration: SoundConfiguration, capabilities: RelayCapabilities
) -> None:
    """The master volume must lie within a range from GetServiceCapabilities."""
    volume = configuration.master_volume
    if volume is None or not capabilities.master_volume_ranges:
        return  # without bounds from the device, the device judges the value itself
    unit = configuration.master_volume_unit
    ranges = [
        r
        for r in capabilities.master_volume_ranges
        if unit is None or r.unit is None or r.unit.lower() == unit.lower()
    ]
    if not ranges:
        units = ", ".join(sorted({r.unit for r in capabilities.master_volume_ranges if r.unit}))
        raise VapixValidationError(
            f"The device offers no master volume in {unit!r}; use {units or 'no unit'}"
        )
    if not any(volume in r for r in ranges):
        allowed = " or ".join(
            f"{r.min_value} to {r.max_value} {r.unit or ''}".strip() for r in ranges
        )
        raise VapixValidationError(
            f"Master volume {volume}{f' {unit}' if unit else ''} is out of range; use {allowed}"
        )


def _find(network: RelayNetwork, peer: RelayPeer) -> RelayNetworkPeer | None:
    for candidate in network.peers:
        config = candidate.configuration
        if peer.id and config.id == peer.id:
            return candidate
        if peer.mac and config.mac and normalize_mac(peer.mac) == normalize_mac(config.mac):
            return candidate
        if peer.ip_address and config.ip_address and _same_ip(peer.ip_address, config.ip_address):
            return candidate
    return None


def _check_one_leader(peers: Sequence[RelayPeer], *, after_change: bool = False) -> None:
    leaders = [peer for peer in peers if peer.leader]
    if len(leaders) == 1:
        return
    context = "After this change the network would have" if after_change else "The network has"
    if not leaders:
        raise VapixValidationError(f"{context} no leader; mark exactly one peer as leader")
    names = ", ".join(_label(peer) for peer in leaders)
    raise VapixValidationError(
        f"{context} {len(leaders)} leaders ({names}); mark exactly one peer as leader"
    )


def _check_unique(peers: Sequence[RelayPeer]) -> None:
    seen: dict[str, str] = {}
    for peer in peers:
        keys = [f"id {peer.id!r}"] if peer.id else []
        if peer.mac and (mac := normalize_mac(peer.mac)):
            keys.append(f"MAC {mac.upper()}")
        if peer.ip_address:
            keys.append(f"IP address {peer.ip_address}")
        for key in keys:
            if key in seen:
                raise VapixValidationError(
                    f"{_label(peer).capitalize()} repeats the {key} of {seen[key]}; "
                    "list each device once"
                )
            seen[key] = _label(peer)


def _label(peer: RelayPeer) -> str:
    for value in (peer.id, peer.name, peer.mac, peer.ip_address):
        if value:
            return f"peer {value!r}"
    return "the new peer"


def _is_whole_number(value: str) -> bool:
    try:
        int(value.strip())
    except ValueError:
        return False
    return True


def _describe_steps(values: Sequence[str]) -> str:
    if len(values) <= 6:
        return ", ".join(repr(v) for v in values)
    return f"{values[0]!r}, {values[1]!r} ... {values[-1]!r}"
