"""Binary sensors of a relay network: whether each peer leads it."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.const import EntityCategory

from ..vendor import VendorPlatform
from .data import AxisData
from .entity import RelayPeerEntity, add_peer_entities


def add_entities(platform: VendorPlatform[AxisData]) -> None:
    """Add the leader sensor of every peer, as peers join."""
    add_peer_entities(platform, lambda relay, peer: [RelayLeaderSensor(platform, relay, peer)])


class RelayLeaderSensor(RelayPeerEntity, BinarySensorEntity):
    """Whether a peer leads the relay network."""

    key = "leader"
    _attr_translation_key = "relay_leader"
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    @property
    def is_on(self) -> bool | None:
        """Whether the peer leads, as last read."""
        peer = self.peer
        return peer.leader if peer is not None else None
