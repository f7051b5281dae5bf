"""Axis devices, relay peers as devices, and the base entities of a relay network.

Since Home Assistant 2026.8 a device belongs to one config entry. A follower is a device of
the leader's entry, linked to the leader by `via_device_id` and known by the same
identifier (its serial) and MAC as the device its own Talkback entry creates, if it has one:
Home Assistant treats the two as one physical device, and removing the peer from the
network removes only the leader's side of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .entity import device_url
from .relay_coordinator import RelayCoordinator, RelayState, SpeakerConfigEntry, peer_key
from .vapix.models import RelayNetworkPeer

MANUFACTURER = "Axis"


def axis_device_info(entry: SpeakerConfigEntry) -> DeviceInfo:
    """The speaker (or camera with audio out) itself."""
    device = entry.runtime_data.device
    info = DeviceInfo(
        identifiers={(DOMAIN, device.serial_number)},
        manufacturer=device.brand or MANUFACTURER,
        model=device.product_name or device.model,
        model_id=device.model or None,
        name=entry.title,
        serial_number=device.serial_number,
        sw_version=device.firmware_version,
        configuration_url=device_url(entry),
    )
    if device.mac_address:
        info["connections"] = {(CONNECTION_NETWORK_MAC, device.mac_address)}
    return info


def peer_identifier(entry: SpeakerConfigEntry, peer: RelayNetworkPeer) -> str:
    """A follower's device identifier: its serial (= MAC), else leader serial and peer id."""
    key = peer_key(peer)
    if ":" in key:
        return key.replace(":", "").upper()
    return f"{entry.runtime_data.device.serial_number}_{key}"


def peer_device_info(entry: SpeakerConfigEntry, peer: RelayNetworkPeer) -> DeviceInfo:
    """A follower of the network this device leads; the leader itself is its own device."""
    if peer.leader:
        return axis_device_info(entry)
    config = peer.configuration
    info = DeviceInfo(
        identifiers={(DOMAIN, peer_identifier(entry, peer))},
        manufacturer=MANUFACTURER,
        model=peer.product_type,
        name=config.name or config.ip_address or config.mac or peer.id,
        via_device_id=entry.runtime_data.main_device_id,
    )
    if ":" in (key := peer_key(peer)):
        info["connections"] = {(CONNECTION_NETWORK_MAC, key)}
    return info


@callback
def remove_departed_peers(hass: HomeAssistant, entry: SpeakerConfigEntry) -> None:
    """Remove the devices (and so the entities) of followers that left the network."""
    relay = entry.runtime_data.relay
    if relay is None or not relay.last_update_success:
        return
    state = relay.data
    current = (
        {peer_identifier(entry, peer) for peer in state.followers.values()}
        if state.is_leader
        else set()
    )
    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if device.id == entry.runtime_data.main_device_id:
            continue
        if not any(identifier in current for _, identifier in device.identifiers):
            registry.async_remove_device(device.id)


def is_departed_peer_device(entry: SpeakerConfigEntry, device: dr.DeviceEntry) -> bool:
    """Whether a device of the entry is a follower no longer in the network."""
    relay = entry.runtime_data.relay
    if relay is None or device.id == entry.runtime_data.main_device_id:
        return False
    state = relay.data
    current = {peer_identifier(entry, peer) for peer in state.followers.values()}
    return not any(identifier in current for _, identifier in device.identifiers)


class RelayEntity(CoordinatorEntity[RelayCoordinator]):
    """An entity of the relay network this device leads (on the leader's device)."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: RelayCoordinator, key: str) -> None:
        """Initialise the entity; `key` makes its unique id."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.runtime_data.device.serial_number}_{key}"
        self._attr_device_info = axis_device_info(entry)

    @property
    def available(self) -> bool:
        """Available while the device answers and leads a network."""
        return super().available and self.coordinator.data.is_leader


class RelayPeerEntity(CoordinatorEntity[RelayCoordinator]):
    """An entity about one peer of the network this device leads."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: RelayCoordinator, peer: RelayNetworkPeer, key: str) -> None:
        """Initialise the entity of a peer; `key` makes its unique id."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self.peer_key = peer_key(peer)
        self._attr_unique_id = (
            f"{entry.runtime_data.device.serial_number}_peer_{peer_identifier(entry, peer)}_{key}"
        )
        self._attr_device_info = peer_device_info(entry, peer)

    @property
    def peer(self) -> RelayNetworkPeer | None:
        """The peer as last read; None once it has left the network."""
        return next(
            (p for p in self.coordinator.data.network.peers if peer_key(p) == self.peer_key),
            None,
        )

    @property
    def available(self) -> bool:
        """Available while the device answers and the peer is in its network."""
        return super().available and self.coordinator.data.is_leader and self.peer is not None


def leader_peers(state: RelayState) -> Iterable[RelayNetworkPeer]:
    """Every peer of the network, when this device leads it (a follower shows none)."""
    return state.network.peers if state.is_leader else ()


def add_peer_entities(
    entry: SpeakerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    create: Callable[[RelayCoordinator, RelayNetworkPeer], Iterable[Entity]],
) -> None:
    """Add a peer's entities now and whenever a new peer joins the network."""
    relay = entry.runtime_data.relay
    if relay is None:
        return
    known: set[str] = set()

    @callback
    def add_new_peers() -> None:
        if not relay.last_update_success:
            return
        peers = {peer_key(p): p for p in leader_peers(relay.data)}
        known.intersection_update(peers)  # a peer that left and rejoins gets new entities
        new = [peer for key, peer in peers.items() if key not in known]
        known.update(peer_key(peer) for peer in new)
        entities = [entity for peer in new for entity in create(relay, peer)]
        if entities:
            async_add_entities(entities)

    add_new_peers()
    entry.async_on_unload(relay.async_add_listener(add_new_peers))
