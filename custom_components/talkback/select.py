"""Select entities: the codec and audio input of each talk channel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import CameraConfigEntry, ChannelCoordinator
from .entity import TalkbackChannelEntity
from .errors import device_errors_translated
from .isapi.models import TwoWayAudioCapabilities, TwoWayAudioChannel

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class TalkbackSelectDescription(SelectEntityDescription):
    """A channel setting chosen from the device's own option list."""

    value_fn: Callable[[TwoWayAudioChannel], str | None]
    options_fn: Callable[[TwoWayAudioCapabilities], tuple[str, ...]]
    set_value_fn: Callable[[ChannelCoordinator, TwoWayAudioChannel, str], Awaitable[None]]


async def _set_codec(
    coordinator: ChannelCoordinator, channel: TwoWayAudioChannel, codec: str
) -> None:
    await coordinator.client.update_two_way_audio_channel(channel, audio_compression_type=codec)


async def _set_input_type(
    coordinator: ChannelCoordinator, channel: TwoWayAudioChannel, input_type: str
) -> None:
    await coordinator.client.update_two_way_audio_channel(channel, audio_input_type=input_type)


SELECTS: tuple[TalkbackSelectDescription, ...] = (
    TalkbackSelectDescription(
        key="codec",
        translation_key="codec",
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda channel: channel.audio_compression_type,
        options_fn=lambda caps: caps.audio_compression_types,
        set_value_fn=_set_codec,
    ),
    TalkbackSelectDescription(
        key="audio_input_type",
        translation_key="audio_input_type",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        value_fn=lambda channel: channel.audio_input_type,
        options_fn=lambda caps: caps.audio_input_types,
        set_value_fn=_set_input_type,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a select per channel setting that has options to choose from."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        TalkbackSelect(coordinator, channel_id, description, options)
        for channel_id, channel in coordinator.data.items()
        for description in SELECTS
        if description.value_fn(channel) is not None
        and (caps := coordinator.capabilities.get(channel_id))
        and (options := description.options_fn(caps))
    )


class TalkbackSelect(TalkbackChannelEntity, SelectEntity):
    """A channel setting with a fixed list of values, written to the device."""

    entity_description: TalkbackSelectDescription

    def __init__(
        self,
        coordinator: ChannelCoordinator,
        channel_id: str,
        description: TalkbackSelectDescription,
        options: tuple[str, ...],
    ) -> None:
        """Initialise the select with the options the device offers."""
        super().__init__(coordinator, channel_id, description.key)
        self.entity_description = description
        self._attr_options = list(options)

    @property
    def current_option(self) -> str | None:
        """The value as last read; None when the device reports one it does not list."""
        value = self.entity_description.value_fn(self.channel)
        return value if value in self.options else None

    async def async_select_option(self, option: str) -> None:
        """Write the option, then read the channel back."""
        with device_errors_translated():
            await self.entity_description.set_value_fn(self.coordinator, self.channel, option)
            await self.coordinator.async_request_refresh()
