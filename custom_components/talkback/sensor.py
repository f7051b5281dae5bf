"""Sensors of a relay network: each peer's connection status and the multicast group."""

from __future__ import annotations

from homeassistant.components.sensor import SensorEntity
from homeassistant.components.sensor.const import SensorDeviceClass
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .axis_entity import RelayEntity, RelayPeerEntity, add_peer_entities
from .const import CONF_VENDOR, VENDOR_AXIS
from .relay_coordinator import RelayCoordinator
from .vapix.models import RelayConnectionStatus, RelayNetworkPeer

PARALLEL_UPDATES = 0

KNOWN_STATUSES: tuple[str, ...] = tuple(name.lower() for name in RelayConnectionStatus.__members__)


def status_state(status: RelayConnectionStatus) -> str:
    """A documented status as its translatable state; any other value exactly as sent."""
    return status.name.lower() if status.is_known else status.value


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the network's sensors and a status sensor per peer (Axis relay leaders only)."""
    if entry.data.get(CONF_VENDOR) != VENDOR_AXIS or entry.runtime_data.relay is None:
        return
    async_add_entities([MulticastGroupSensor(entry.runtime_data.relay)])
    add_peer_entities(
        entry, async_add_entities, lambda relay, peer: [ConnectionStatusSensor(relay, peer)]
    )


class ConnectionStatusSensor(RelayPeerEntity, SensorEntity):
    """The leader's view of a peer's link (Online, Offline, AuthenticationFailed ...).

    The device documents the list as open: a value it adds later is shown as sent (and
    added to the options) rather than hidden.
    """

    _attr_translation_key = "connection_status"
    _attr_device_class = SensorDeviceClass.ENUM

    def __init__(self, coordinator: RelayCoordinator, peer: RelayNetworkPeer) -> None:
        """Initialise the sensor of a peer."""
        super().__init__(coordinator, peer, "connection_status")

    @property
    def _status(self) -> RelayConnectionStatus | None:
        peer = self.peer
        return self.coordinator.data.status(peer) if peer is not None else None

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
    """The multicast group the network's audio goes to (when multicast is on)."""

    _attr_translation_key = "multicast_group"
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, coordinator: RelayCoordinator) -> None:
        """Initialise the sensor of the network the device leads."""
        super().__init__(coordinator, "multicast_group")

    @property
    def native_value(self) -> str | None:
        """The group address as last read."""
        configuration = self.coordinator.data.network.configuration
        return configuration.multicast_group if configuration is not None else None
