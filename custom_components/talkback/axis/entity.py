"""Base entities of a relay network: the network an Axis device leads, and each of its peers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from homeassistant.core import callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..vapix.models import RelayNetworkPeer
from ..vendor import VendorPlatform
from .coordinator import RelayCoordinator, RelayState, peer_key
from .data import AxisData
from .device import device_info
from .peers import follower_device_info, peer_identifier


class RelayEntity(CoordinatorEntity[RelayCoordinator]):
    """An entity of the relay network this device leads (on the leader's device)."""

    _attr_has_entity_name = True
    key: ClassVar[str]
    """Makes the unique id."""

    def __init__(self, platform: VendorPlatform[AxisData], relay: RelayCoordinator) -> None:
        """Initialise the entity of the network."""
        super().__init__(relay)
        data = platform.data
        self._attr_unique_id = f"{data.device.serial_number}_{self.key}"
        self._attr_device_info = device_info(platform.entry, data.device)

    @property
    def available(self) -> bool:
        """Available while the device answers and leads a network."""
        return super().available and self.coordinator.data.is_leader


class RelayPeerEntity(CoordinatorEntity[RelayCoordinator]):
    """An entity about one peer of the network this device leads."""

    _attr_has_entity_name = True
    key: ClassVar[str]
    """Makes the unique id (with the peer's identifier)."""

    def __init__(
        self,
        platform: VendorPlatform[AxisData],
        relay: RelayCoordinator,
        peer: RelayNetworkPeer,
        key: str | None = None,
    ) -> None:
        """Initialise the entity of a peer; `key`, when given, replaces the class's."""
        super().__init__(relay)
        data = platform.data
        self.peer_key = peer_key(peer)
        self._attr_unique_id = (
            f"{data.device.serial_number}_peer_{peer_identifier(data, peer)}_{key or self.key}"
        )
        # The leader is a peer of its own network, and a device of its own.
        self._attr_device_info = (
            device_info(platform.entry, data.device)
            if peer.leader
            else follower_device_info(data, peer)
        )

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


type PeerEntityFactory = Callable[[RelayCoordinator, RelayNetworkPeer], Iterable[Entity]]


def leader_peers(state: RelayState) -> Iterable[RelayNetworkPeer]:
    """Every peer of the network, when this device leads it (a follower shows none)."""
    return state.network.peers if state.is_leader else ()


def add_peer_entities(platform: VendorPlatform[AxisData], create: PeerEntityFactory) -> None:
    """Add a peer's entities now and whenever a new peer joins the network."""
    relay = platform.data.relay
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
            platform.add_entities(entities)

    add_new_peers()
    platform.entry.async_on_unload(relay.async_add_listener(add_new_peers))
