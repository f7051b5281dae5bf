"""Switches of a relay network: multicast."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import EntityCategory
from homeassistant.core import callback

from ..vapix.models import RelayNetworkConfiguration, RelayNetworkPeer
from ..vendor import VendorPlatform
from .data import AxisData
from .entity import RelayEntity
from .gain import (
    DEFAULT_LEVEL_DB,
    RelayGainEntity,
    add_gain_entities,
    current_gain,
    has_mute,
    is_mute,
    nearest_level,
)


def add_entities(platform: VendorPlatform[AxisData]) -> None:
    """Add the multicast switch of a device with the relay API, a mute switch per peer."""
    if (relay := platform.data.relay) is None:
        return
    platform.add_entities([MulticastSwitch(platform, relay)])
    add_gain_entities(platform, RelayGainMuteSwitch, has_mute)


class MulticastSwitch(RelayEntity, SwitchEntity):
    """Whether the leader sends the network's audio by multicast instead of to each peer."""

    key = "multicast"
    _attr_translation_key = "multicast"
    _attr_entity_category = EntityCategory.CONFIG

    @property
    def is_on(self) -> bool:
        """Multicast as last read; a network without network settings sends to each peer."""
        configuration = self.coordinator.data.network.configuration
        return configuration is not None and bool(configuration.multicast_enabled)

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


class RelayGainMuteSwitch(RelayGainEntity, SwitchEntity):
    """A peer's output muted: the gain control's mute position.

    Turning it off returns to the level last read while unmuted (0 dB when none was).
    """

    key = "output_mute"
    _attr_translation_key = "output_mute"
    _attr_entity_category = EntityCategory.CONFIG

    _level: int | None = None

    def _init_gain(self, peer: RelayNetworkPeer) -> None:
        """The level to return to, as read when the entity is made."""
        self._remember_level(current_gain(peer, self.definition.name))

    @property
    def is_on(self) -> bool | None:
        """Whether the peer is muted, as last read."""
        value = self.current
        return None if value is None else is_mute(value)

    @callback
    def _handle_relay_update(self) -> None:
        self._remember_level(self.current)
        super()._handle_relay_update()

    def _remember_level(self, value: str | None) -> None:
        if value is not None and not is_mute(value):
            try:
                self._level = int(value)
            except ValueError:
                return

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Mute the peer."""
        muted = next(step for step in self.definition.values if is_mute(step))
        await self._async_write_gain(muted)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Unmute, at the level it had."""
        level = self._level if self._level is not None else DEFAULT_LEVEL_DB
        await self._async_write_gain(str(nearest_level(self.definition, level)))
