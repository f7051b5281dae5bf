"""Binary sensors of a relay network: whether each peer leads it."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..entry import TalkbackConfigEntry
from .data import AxisData
from .entity import RelayPeerEntity, add_peer_entities


def add_entities(
    hass: HomeAssistant,
    entry: TalkbackConfigEntry,
    data: AxisData,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the leader sensor of every peer, as peers join."""
    add_peer_entities(
        entry,
        data,
        async_add_entities,
        lambda relay, peer: [RelayLeaderSensor(entry, data, relay, peer, "leader")],
    )


class RelayLeaderSensor(RelayPeerEntity, BinarySensorEntity):
    """Whether a peer leads the relay network."""

    _attr_translation_key = "relay_leader"
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    @property
    def is_on(self) -> bool | None:
        """Whether the peer leads, as last read."""
        peer = self.peer
        return peer.leader if peer is not None else None
