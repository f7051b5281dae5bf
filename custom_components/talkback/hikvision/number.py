"""Numbers of a talk channel: the speaker volume."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.number import NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.const import PERCENTAGE, EntityCategory

from ..entry import TalkbackConfigEntry
from ..isapi.models import TwoWayAudioChannel
from ..vendor import VendorPlatform
from .data import HikvisionData
from .entity import ChannelEntity, ChannelSettingDescription, ChannelSettingEntity


@dataclass(frozen=True, kw_only=True)
class ChannelNumberDescription(NumberEntityDescription, ChannelSettingDescription):
    """A channel setting shown as a number."""

    value_fn: Callable[[TwoWayAudioChannel], int | None]
    range_fn: Callable[[ChannelEntity], tuple[int, int]]
    """The (min, max) the device accepts, already checked to be a range."""


NUMBERS: tuple[ChannelNumberDescription, ...] = (
    ChannelNumberDescription(
        key="speaker_volume",
        translation_key="speaker_volume",
        entity_category=EntityCategory.CONFIG,
        native_unit_of_measurement=PERCENTAGE,
        mode=NumberMode.SLIDER,
        setting="speaker_volume",
        value_fn=lambda channel: channel.speaker_volume,
        range_fn=lambda entity: entity.speaker_volume_range,
    ),
)


def add_entities(platform: VendorPlatform[HikvisionData]) -> None:
    """Add a number per channel setting the device reports."""
    ChannelNumber.add_for_channels(
        platform,
        NUMBERS,
        lambda description, channel: description.value_fn(channel) is not None,
    )


class ChannelNumber(ChannelSettingEntity[ChannelNumberDescription], NumberEntity):
    """A numeric channel setting, written to the device."""

    entity_description: ChannelNumberDescription

    def __init__(
        self,
        entry: TalkbackConfigEntry,
        data: HikvisionData,
        channel_id: str,
        description: ChannelNumberDescription,
    ) -> None:
        """Initialise the number, with the range the device accepts."""
        super().__init__(entry, data, channel_id, description)
        self._attr_native_min_value, self._attr_native_max_value = description.range_fn(self)

    @property
    def native_value(self) -> int | None:
        """The value as last read, within the range (firmware may report one outside it)."""
        value = self.entity_description.value_fn(self.channel)
        if value is None:
            return None
        return int(min(max(value, self.native_min_value), self.native_max_value))

    async def async_set_native_value(self, value: float) -> None:
        """Write the value, then read the channel back."""
        await self._async_write(int(value))
