"""Binary sensors: someone talking on a channel (Talkback or another app); a relay leader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .axis_entity import RelayPeerEntity, add_peer_entities
from .const import CONF_VENDOR, VENDOR_AXIS
from .coordinator import CameraData, ChannelCoordinator
from .entity import TalkbackChannelEntity
from .isapi.models import TwoWayAudioChannel
from .relay_coordinator import RelayCoordinator
from .vapix.models import RelayNetworkPeer

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class TalkbackBinarySensorDescription(BinarySensorEntityDescription):
    """A channel status shown as on/off."""

    value_fn: Callable[[CameraData, TwoWayAudioChannel], bool]


BINARY_SENSORS: tuple[TalkbackBinarySensorDescription, ...] = (
    TalkbackBinarySensorDescription(
        key="talk_session",
        translation_key="talk_session",
        device_class=BinarySensorDeviceClass.RUNNING,
        # Many devices read `enabled` true only while a session is open: that is another
        # app's (or an intercom's) session when Talkback has none of its own.
        value_fn=lambda data, channel: channel.enabled or channel.id in data.talking_channels,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the status sensors of every channel, or of every relay peer."""
    if entry.data.get(CONF_VENDOR) == VENDOR_AXIS:
        add_peer_entities(
            entry,
            async_add_entities,
            lambda relay, peer: [RelayLeaderSensor(relay, peer)],
        )
        return
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        TalkbackBinarySensor(coordinator, channel_id, description)
        for channel_id in coordinator.data
        for description in BINARY_SENSORS
    )


class TalkbackBinarySensor(TalkbackChannelEntity, BinarySensorEntity):
    """A channel status."""

    entity_description: TalkbackBinarySensorDescription

    def __init__(
        self,
        coordinator: ChannelCoordinator,
        channel_id: str,
        description: TalkbackBinarySensorDescription,
    ) -> None:
        """Initialise the sensor."""
        super().__init__(coordinator, channel_id, description.key)
        self.entity_description = description

    @property
    def is_on(self) -> bool:
        """Whether the status holds, as last read (or as Talkback knows it)."""
        return self.entity_description.value_fn(
            self.coordinator.config_entry.runtime_data, self.channel
        )


class RelayLeaderSensor(RelayPeerEntity, BinarySensorEntity):
    """Whether a peer leads the relay network."""

    _attr_translation_key = "relay_leader"
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, coordinator: RelayCoordinator, peer: RelayNetworkPeer) -> None:
        """Initialise the sensor of a peer."""
        super().__init__(coordinator, peer, "leader")

    @property
    def is_on(self) -> bool | None:
        """Whether the peer leads, as last read."""
        peer = self.peer
        return peer.leader if peer is not None else None
