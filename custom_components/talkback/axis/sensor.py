"""Sensors of a relay network: each peer's connection status and the multicast group."""

from __future__ import annotations

from homeassistant.components.sensor import SensorEntity
from homeassistant.components.sensor.const import SensorDeviceClass
from homeassistant.const import EntityCategory

from ..vapix.models import RelayConnectionStatus
from ..vendor import VendorPlatform
from .data import AxisData
from .entity import RelayEntity, RelayPeerEntity, add_peer_entities

KNOWN_STATUSES: tuple[str, ...] = tuple(name.lower() for name in RelayConnectionStatus.__members__)


def status_state(status: RelayConnectionStatus) -> str:
    """A documented status as its translatable state; any other value exactly as sent."""
    return status.name.lower() if status.is_known else status.value


def add_entities(platform: VendorPlatform[AxisData]) -> None:
    """Add the network's sensors and a status sensor per peer (devices with the relay API)."""
    if (relay := platform.data.relay) is None:
        return
    platform.add_entities([MulticastGroupSensor(platform, relay)])
    add_peer_entities(platform, lambda relay, peer: [ConnectionStatusSensor(platform, relay, peer)])


class ConnectionStatusSensor(RelayPeerEntity, SensorEntity):
    """The leader's view of a peer's link (Online, Offline, AuthenticationFailed ...).

    The device documents the list as open: a value it adds later is shown as sent (and
    added to the options) rather than hidden.
    """

    key = "connection_status"
    _attr_translation_key = "connection_status"
    _attr_device_class = SensorDeviceClass.ENUM

    @property
    def _status(self) -> RelayConnectionStatus | None:
        relay, peer = self.relay, self.peer
        return relay.data.status(peer) if relay is not None and peer is not None else None

    @property
    def options(self) -> list[str]:
        """The documented statuses, and the current one when the device sent another."""
        status = self._status
        if status is not None and not status.is_known:
            return [*KNOWN_STATUSES, status.value]
        return list(KNOWN_STATUSES)

    @property
    def native_value(self) -> str | None:
        """The status as last read."""
        status = self._status
        return status_state(status) if status is not None else None


class MulticastGroupSensor(RelayEntity, SensorEntity):
    """The multicast group the network's audio goes to; available while multicast is on."""

    key = "multicast_group"
    _attr_translation_key = "multicast_group"
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    @property
    def available(self) -> bool:
        """Only a network that sends by multicast has a group."""
        configuration = (
            self.coordinator.data.network.configuration if self.coordinator.data else None
        )
        return (
            super().available
            and configuration is not None
            and bool(configuration.multicast_enabled)
        )

    @property
    def native_value(self) -> str | None:
        """The group address as last read."""
        configuration = self.coordinator.data.network.configuration
        return configuration.multicast_group if configuration is not None else None
