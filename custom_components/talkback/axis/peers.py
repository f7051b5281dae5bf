"""Followers of a relay network: a device of the leader's entry, or their own.

Since Home Assistant 2026.8 a device belongs to one config entry. A follower without a
Talkback entry of its own is a device of the leader's entry, linked to the leader by
`via_device_id`, known by its serial and MAC. When the follower gets an entry of its own,
that entry takes the follower's peer entities (same unique ids, same entity ids) onto its
own device and the leader's copy goes: one device per piece of hardware. When the
follower's entry goes, the leader shows the follower again.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo

from ..const import DOMAIN
from ..entry import TalkbackConfigEntry
from ..vapix.models import RelayNetworkPeer
from .coordinator import peer_key
from .data import AxisData
from .device import MANUFACTURER
from .entries import loaded_axis_entries
from .index import own_mac, withdraw


def peer_identifier(leader_serial: str, peer: RelayNetworkPeer) -> str:
    """A follower's device identifier: its serial (= MAC), else leader serial and peer id."""
    key = peer_key(peer)
    if ":" in key:
        return key.replace(":", "").upper()
    return f"{leader_serial}_{key}"


def follower_device_info(
    leader_serial: str, leader_device_id: str, peer: RelayNetworkPeer
) -> DeviceInfo:
    """A follower without a Talkback entry of its own, linked to its leader."""
    config = peer.configuration
    info = DeviceInfo(
        identifiers={(DOMAIN, peer_identifier(leader_serial, peer))},
        manufacturer=MANUFACTURER,
        model=peer.product_type,
        name=config.name or config.ip_address or config.mac or peer.id,
        via_device_id=leader_device_id,
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
        {peer_identifier(data.device.serial_number, peer) for peer in state.followers.values()}
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
    current = {
        peer_identifier(data.device.serial_number, peer) for peer in relay.data.followers.values()
    }
    return _departed(data, device, current)


async def take_peer_entities(
    hass: HomeAssistant, entry: TalkbackConfigEntry, data: AxisData
) -> None:
    """Move the device's peer entities from its leader's entry onto its own device.

    Loaded leaders drop the live entities first (they stay in the registry); the registry
    entries then change entry and device, and the leader's copy of the device goes.
    """
    mac = own_mac(data)
    for axis in loaded_axis_entries(hass):
        if axis.entry.entry_id != entry.entry_id:
            for entity in axis.data.peer_entities.pop(mac, []):
                # HA types `platform` as always set; it is None until the entity is added.
                if getattr(entity, "platform", None) is None:
                    withdraw(entity)  # still being added: it leaves once it is
                else:
                    await entity.async_remove()
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    for other in hass.config_entries.async_entries(DOMAIN):
        if other.entry_id == entry.entry_id:
            continue
        copy = devices.async_get_device_by_identifier(
            (DOMAIN, data.device.serial_number), other.entry_id
        )
        if copy is None:
            continue
        for registered in er.async_entries_for_device(
            entities, copy.id, include_disabled_entities=True
        ):
            entities.async_update_entity(
                registered.entity_id,
                config_entry_id=entry.entry_id,
                device_id=data.main_device_id,
            )
        devices.async_remove_device(copy.id)
