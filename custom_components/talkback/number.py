"""Number entities: the speaker volume of each talk channel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.number import NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import CameraConfigEntry, ChannelCoordinator
from .entity import TalkbackChannelEntity
from .errors import device_errors_translated
from .isapi.models import TwoWayAudioCapabilities, TwoWayAudioChannel

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class TalkbackNumberDescription(NumberEntityDescription):
    """A channel setting shown as a number."""

    value_fn: Callable[[TwoWayAudioChannel], int | None]
    range_fn: Callable[[TwoWayAudioCapabilities], tuple[int, int] | None]
    set_value_fn: Callable[[ChannelCoordinator, TwoWayAudioChannel, int], Awaitable[None]]


async def _set_speaker_volume(
    coordinator: ChannelCoordinator, channel: TwoWayAudioChannel, volume: int
) -> None:
    await coordinator.client.update_two_way_audio_channel(channel, speaker_volume=volume)


NUMBERS: tuple[TalkbackNumberDescription, ...] = (
    TalkbackNumberDescription(
        key="speaker_volume",
        translation_key="speaker_volume",
        entity_category=EntityCategory.CONFIG,
        native_unit_of_measurement=PERCENTAGE,
        mode=NumberMode.SLIDER,
        value_fn=lambda channel: channel.speaker_volume,
        range_fn=lambda caps: caps.speaker_volume_range,
        set_value_fn=_set_speaker_volume,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a number per channel setting the device reports."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        TalkbackNumber(coordinator, channel_id, description)
        for channel_id, channel in coordinator.data.items()
        for description in NUMBERS
        if description.value_fn(channel) is not None
    )


class TalkbackNumber(TalkbackChannelEntity, NumberEntity):
    """A numeric channel setting, written to the device."""

    entity_description: TalkbackNumberDescription

    def __init__(
        self,
        coordinator: ChannelCoordinator,
        channel_id: str,
        description: TalkbackNumberDescription,
    ) -> None:
        """Initialise the number, with the range the device accepts."""
        super().__init__(coordinator, channel_id, description.key)
        self.entity_description = description
        if self.capabilities and (bounds := description.range_fn(self.capabilities)):
            self._attr_native_min_value, self._attr_native_max_value = bounds

    @property
    def native_value(self) -> int | None:
        """The value as last read from the device."""
        return self.entity_description.value_fn(self.channel)

    async def async_set_native_value(self, value: float) -> None:
        """Write the value, then read the channel back."""
        with device_errors_translated():
            await self.entity_description.set_value_fn(self.coordinator, self.channel, int(value))
            await self.coordinator.async_request_refresh()
