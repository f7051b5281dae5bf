"""Base entities of a relay network: the network an Axis device leads, and each of its peers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..vapix.models import RelayNetworkPeer
from ..vendor import VendorPlatform
from .coordinator import RelayCoordinator, RelayState, peer_key
from .data import AxisData
from .device import device_info
from .entries import loaded_axis_entries
from .index import SIGNAL_RELAY_UPDATED, claimed, is_withdrawn, leader_relay, own_mac
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


class RelayPeerEntity(Entity):
    """An entity about one peer of a relay network, read from the leader.

    On the leader's entry it is bound to the leader's coordinator: the leader's own peer
    on the leader's device, a follower without an entry of its own on a device of the
    leader's entry. A follower with its own entry shows its peer entities itself, on its
    own device; those find the leader's coordinator by the follower's MAC each time a relay
    network is read (axis/index.py), across reloads of the leader.
    """

    _attr_has_entity_name = True
    _attr_should_poll = False
    key: ClassVar[str]
    """Makes the unique id (with the leader's serial and the peer's identifier)."""

    def __init__(
        self,
        platform: VendorPlatform[AxisData],
        relay: RelayCoordinator,
        peer: RelayNetworkPeer,
        key: str | None = None,
    ) -> None:
        """Initialise the entity of a peer; `key`, when given, replaces the class's."""
        data = platform.data
        self.peer_key = peer_key(peer)
        own = self.peer_key == own_mac(data)
        # A follower's own entity finds its leader anew; the leader's are bound to it.
        self._bound: RelayCoordinator | None = None if own and not peer.leader else relay
        self._attr_unique_id = (
            f"{relay.serial}_peer_{peer_identifier(relay.serial, peer)}_{key or self.key}"
        )
        if own:
            self._attr_device_info = device_info(platform.entry, data.device)
        else:
            self._attr_device_info = follower_device_info(relay.serial, data.main_device_id, peer)

    @property
    def relay(self) -> RelayCoordinator | None:
        """The coordinator of the network's leader (None while no loaded leader lists it)."""
        if self._bound is not None:
            return self._bound
        return leader_relay(self.hass, self.peer_key)

    @property
    def peer(self) -> RelayNetworkPeer | None:
        """The peer as last read; None once it has left the network."""
        relay = self.relay
        if relay is None:
            return None
        return next((p for p in relay.data.network.peers if peer_key(p) == self.peer_key), None)

    @property
    def available(self) -> bool:
        """Available while the leader answers, leads and has the peer in its network."""
        relay = self.relay
        return (
            relay is not None
            and relay.last_update_success
            and relay.data.is_leader
            and self.peer is not None
        )

    async def async_added_to_hass(self) -> None:
        """Follow the leader's coordinator, or every relay network when not bound to one."""
        await super().async_added_to_hass()
        if is_withdrawn(self):  # the peer's own entry took it while it was being added
            self.hass.async_create_task(self.async_remove())
            return
        if self._bound is not None:
            self.async_on_remove(self._bound.async_add_listener(self._handle_relay_update))
        else:
            self.async_on_remove(
                async_dispatcher_connect(self.hass, SIGNAL_RELAY_UPDATED, self._handle_relay_update)
            )

    @callback
    def _handle_relay_update(self) -> None:
        self.async_write_ha_state()


type PeerEntityFactory = Callable[[RelayCoordinator, RelayNetworkPeer], Iterable[Entity]]


def leader_peers(state: RelayState) -> Iterable[RelayNetworkPeer]:
    """Every peer of the network, when this device leads it (a follower shows none)."""
    return state.network.peers if state.is_leader else ()


def add_peer_entities(platform: VendorPlatform[AxisData], create: PeerEntityFactory) -> None:
    """Add peer entities now and whenever the networks change.

    As a leader: the entities of every peer except followers that show their own (they
    have a Talkback entry). As a follower with the relay API: its own, read from the
    leader, once a loaded leader lists it; removed when that leader no longer does.
    """
    relay = platform.data.relay
    if relay is None:
        return
    hass, data = platform.hass, platform.data
    mac = own_mac(data)
    known: set[str] = set()
    own: list[Entity] = []
    own_leader: list[str] = []  # entry id of the leader the own entities were made from

    def add(key: str, entities: list[Entity]) -> None:
        data.peer_entities.setdefault(key, []).extend(entities)
        if entities:
            platform.add_entities(entities)

    @callback
    def update() -> None:
        if relay.last_update_success:
            others = claimed(hass)
            peers = {
                key: p
                for p in leader_peers(relay.data)
                if (key := peer_key(p)) == mac or others.get(key) in (None, platform.entry.entry_id)
            }
            # A follower that left went with its device (peers.py): it gets new entities when
            # it rejoins. The device's own peer sits on the device itself, which stays (its
            # entities wait unavailable while the device leads no network).
            known.intersection_update(peers.keys() | {mac})
            for key, peer in peers.items():
                if key not in known:
                    known.add(key)
                    add(key, list(create(relay, peer)))
        _update_own()

    @callback
    def _update_own() -> None:
        leader = leader_relay(hass, mac)
        if leader is not None and not own:
            peer = leader.data.followers[mac]
            own.extend(create(leader, peer))
            own_leader[:] = [leader.config_entry.entry_id] if leader.config_entry else []
            add(mac, own)
        elif leader is None and own and _left(hass, own_leader):
            registry = er.async_get(hass)
            for entity in own:
                if entity.registry_entry is not None:
                    registry.async_remove(entity.entity_id)
            own.clear()

    update()
    platform.entry.async_on_unload(relay.async_add_listener(update))
    platform.entry.async_on_unload(async_dispatcher_connect(hass, SIGNAL_RELAY_UPDATED, update))


def _left(hass: HomeAssistant, leader_entry: list[str]) -> bool:
    """Whether the leader the own entities came from is loaded (and so no longer lists it)."""
    return any(
        axis.entry.entry_id in leader_entry
        for axis in loaded_axis_entries(hass)
        if axis.data.relay is not None and axis.data.relay.last_update_success
    )
