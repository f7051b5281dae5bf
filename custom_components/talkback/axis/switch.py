"""Switches of a relay network: multicast."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import EntityCategory

from ..vapix.models import RelayNetworkConfiguration
from ..vendor import VendorPlatform
from .data import AxisData
from .entity import RelayEntity


def add_entities(platform: VendorPlatform[AxisData]) -> None:
    """Add the multicast switch of a device with the relay API."""
    if (relay := platform.data.relay) is not None:
        platform.add_entities([MulticastSwitch(platform, relay)])


class MulticastSwitch(RelayEntity, SwitchEntity):
    """Whether the leader sends the network's audio by multicast instead of to each peer."""

    key = "multicast"
    _attr_translation_key = "multicast"
    _attr_entity_category = EntityCategory.CONFIG

    @property
    def is_on(self) -> bool | None:
        """Multicast as last read."""
        configuration = self.coordinator.data.network.configuration
        return configuration.multicast_enabled if configuration is not None else None

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Send by multicast (the device picks a group when none is set)."""
        await self._set_multicast(on=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Send to each peer."""
        await self._set_multicast(on=False)

    async def _set_multicast(self, *, on: bool) -> None:
        await self.coordinator.async_write(
            self.coordinator.client.set_audio_network_configuration(
                RelayNetworkConfiguration(multicast_enabled=on)
            )
        )
