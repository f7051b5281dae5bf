"""Followers of a relay network as devices of the leader's entry.

Since Home Assistant 2026.8 a device belongs to one config entry. A follower is a device of
the leader's entry, linked to the leader by `via_device_id` and known by the same
identifier (its serial) and MAC as the device its own Talkback entry creates, if it has one:
Home Assistant treats the two as one physical device, and removing the peer from the
network removes only the leader's side of it.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo

from ..const import DOMAIN
from ..entry import TalkbackConfigEntry
from ..vapix.models import RelayNetworkPeer
from .coordinator import peer_key
from .data import AxisData
from .device import MANUFACTURER


def peer_identifier(data: AxisData, peer: RelayNetworkPeer) -> str:
    """A follower's device identifier: its serial (= MAC), else leader serial and peer id."""
    key = peer_key(peer)
    if ":" in key:
        return key.replace(":", "").upper()
    return f"{data.device.serial_number}_{key}"


def follower_device_info(data: AxisData, peer: RelayNetworkPeer) -> DeviceInfo:
    """A follower of the network this device leads, linked to the leader."""
    config = peer.configuration
    info = DeviceInfo(
        identifiers={(DOMAIN, peer_identifier(data, peer))},
        manufacturer=MANUFACTURER,
        model=peer.product_type,
        name=config.name or config.ip_address or config.mac or peer.id,
        via_device_id=data.main_device_id,
    )
    if ":" in (key := peer_key(peer)):
        info["connections"] = {(CONNECTION_NETWORK_MAC, key)}
    return info


def _current_followers(data: AxisData) -> set[str] | None:
    """Identifiers of the network's followers as last read; None when not read."""
    relay = data.relay
    if relay is None or not relay.last_update_success:
        return None
    state = relay.data
    return (
        {peer_identifier(data, peer) for peer in state.followers.values()}
        if state.is_leader
        else set()
    )


def _departed(data: AxisData, device: dr.AnyDeviceEntry, current: set[str]) -> bool:
    return device.id != data.main_device_id and not any(
        identifier in current for _, identifier in device.identifiers
    )


@callback
def remove_departed_peers(hass: HomeAssistant, entry: TalkbackConfigEntry, data: AxisData) -> None:
    """Remove the devices (and so the entities) of followers that left the network."""
    if (current := _current_followers(data)) is None:
        return
    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if _departed(data, device, current):
            registry.async_remove_device(device.id)


def is_departed_peer_device(data: AxisData, device: dr.AnyDeviceEntry) -> bool:
    """Whether a device of the entry is a follower no longer in the network."""
    relay = data.relay
    if relay is None:
        return False
    current = {peer_identifier(data, peer) for peer in relay.data.followers.values()}
    return _departed(data, device, current)
