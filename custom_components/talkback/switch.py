"""Switch entities: noise reduction on each talk channel; multicast of a relay network."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .axis_entity import RelayEntity
from .const import CONF_VENDOR, VENDOR_AXIS
from .coordinator import ChannelCoordinator
from .entity import TalkbackChannelEntity
from .errors import device_errors_translated
from .isapi.models import TwoWayAudioChannel
from .relay_coordinator import RelayCoordinator
from .vapix.models import RelayNetworkConfiguration

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class TalkbackSwitchDescription(SwitchEntityDescription):
    """An on/off channel setting."""

    value_fn: Callable[[TwoWayAudioChannel], bool | None]
    set_value_fn: Callable[[ChannelCoordinator, TwoWayAudioChannel, bool], Awaitable[None]]


async def _set_noise_reduction(
    coordinator: ChannelCoordinator, channel: TwoWayAudioChannel, on: bool
) -> None:
    await coordinator.client.update_two_way_audio_channel(channel, noise_reduction=on)


SWITCHES: tuple[TalkbackSwitchDescription, ...] = (
    TalkbackSwitchDescription(
        key="noise_reduction",
        translation_key="noise_reduction",
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda channel: channel.noise_reduction,
        set_value_fn=_set_noise_reduction,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a switch per on/off setting the device reports; multicast of a relay network."""
    if entry.data.get(CONF_VENDOR) == VENDOR_AXIS:
        if entry.runtime_data.relay is not None:
            async_add_entities([MulticastSwitch(entry.runtime_data.relay)])
        return
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        TalkbackSwitch(coordinator, channel_id, description)
        for channel_id, channel in coordinator.data.items()
        for description in SWITCHES
        if description.value_fn(channel) is not None
    )


class TalkbackSwitch(TalkbackChannelEntity, SwitchEntity):
    """An on/off channel setting, written to the device."""

    entity_description: TalkbackSwitchDescription

    def __init__(
        self,
        coordinator: ChannelCoordinator,
        channel_id: str,
        description: TalkbackSwitchDescription,
    ) -> None:
        """Initialise the switch."""
        super().__init__(coordinator, channel_id, description.key)
        self.entity_description = description

    @property
    def is_on(self) -> bool | None:
        """The setting as last read."""
        return self.entity_description.value_fn(self.channel)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch the setting on."""
        with device_errors_translated():
            await self.entity_description.set_value_fn(self.coordinator, self.channel, True)
            await self.coordinator.async_request_refresh()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the setting off."""
        with device_errors_translated():
            await self.entity_description.set_value_fn(self.coordinator, self.channel, False)
            await self.coordinator.async_request_refresh()


class MulticastSwitch(RelayEntity, SwitchEntity):
    """Whether the leader sends the network's audio by multicast instead of to each peer."""

    _attr_translation_key = "multicast"
    _attr_entity_category = EntityCategory.CONFIG

    def __init__(self, coordinator: RelayCoordinator) -> None:
        """Initialise the switch of the network the device leads."""
        super().__init__(coordinator, "multicast")

    @property
    def is_on(self) -> bool | None:
        """Multicast as last read."""
        configuration = self.coordinator.data.network.configuration
        return configuration.multicast_enabled if configuration is not None else None

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Send by multicast (the device picks a group when none is set)."""
        await self._set_multicast(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Send to each peer."""
        await self._set_multicast(False)

    async def _set_multicast(self, on: bool) -> None:
        with device_errors_translated():
            await self.coordinator.client.set_audio_network_configuration(
                RelayNetworkConfiguration(multicast_enabled=on)
            )
        await self.coordinator.async_request_refresh()
