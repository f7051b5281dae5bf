"""Numbers of a relay network: each peer's output gain level, in dB."""

from __future__ import annotations

from homeassistant.components.number import NumberEntity, NumberMode
from homeassistant.const import EntityCategory

from ..vapix.models import RelayNetworkPeer
from ..vendor import VendorPlatform
from .data import AxisData
from .gain import RelayGainEntity, add_gain_entities, is_mute, levels, nearest_level

UNIT_DB = "dB"


def add_entities(platform: VendorPlatform[AxisData]) -> None:
    """Add a level per gain control of every peer, as peers join."""
    add_gain_entities(platform, RelayGainNumber, lambda definition: bool(levels(definition)))


class RelayGainNumber(RelayGainEntity, NumberEntity):
    """A peer's output gain in dB; its mute position is the output mute switch.

    Unknown while the peer is muted (the device keeps no level then); setting a level
    unmutes. The unique id is the one of the select this replaces.
    """

    key = "output_gain"
    _attr_translation_key = "output_gain"
    _attr_entity_category = EntityCategory.CONFIG
    _attr_native_unit_of_measurement = UNIT_DB
    _attr_native_step = 1
    _attr_mode = NumberMode.SLIDER

    def _init_gain(self, peer: RelayNetworkPeer) -> None:
        """The range: the gain control's lowest and highest steps."""
        steps = levels(self.definition)
        self._attr_native_min_value = steps[0]
        self._attr_native_max_value = steps[-1]

    @classmethod
    def named_key(cls, name: str) -> str:
        """As the select had it: the gain control's name alone."""
        return name

    @property
    def native_value(self) -> int | None:
        """The level as last read; None while muted or not reported."""
        value = self.current
        if value is None or is_mute(value):
            return None
        try:
            return int(value)
        except ValueError:
            return None

    async def async_set_native_value(self, value: float) -> None:
        """Write the nearest step the device defines."""
        await self._async_write_gain(str(nearest_level(self.definition, value)))
