"""Selects of a talk channel: codec and audio input, from the device's own option lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory

from ..entry import TalkbackConfigEntry
from ..isapi.models import TwoWayAudioCapabilities, TwoWayAudioChannel
from ..vendor import VendorPlatform
from .data import HikvisionData
from .entity import ChannelSettingDescription, ChannelSettingEntity, add_channel_entities
from .voice_select import add_voice_selects


@dataclass(frozen=True, kw_only=True)
class ChannelSelectDescription(SelectEntityDescription, ChannelSettingDescription):
    """A channel setting chosen from the device's own option list."""

    value_fn: Callable[[TwoWayAudioChannel], str | None]
    options_fn: Callable[[TwoWayAudioCapabilities], tuple[str, ...]]


SELECTS: tuple[ChannelSelectDescription, ...] = (
    ChannelSelectDescription(
        key="codec",
        translation_key="codec",
        setting="audio_compression_type",
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda channel: channel.audio_compression_type,
        options_fn=lambda caps: caps.audio_compression_types,
    ),
    ChannelSelectDescription(
        key="audio_input_type",
        translation_key="audio_input_type",
        setting="audio_input_type",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        value_fn=lambda channel: channel.audio_input_type,
        options_fn=lambda caps: caps.audio_input_types,
    ),
)


def add_entities(platform: VendorPlatform[HikvisionData]) -> None:
    """Add a select per channel setting that the device offers options for.

    Every voice satellite also gets Home Assistant's pipeline and VAD sensitivity selects.
    """
    entry, data = platform.entry, platform.data
    add_channel_entities(
        platform,
        lambda channel: [
            ChannelSelect(entry, data, channel.id, description, options)
            for description in SELECTS
            if description.value_fn(channel) is not None
            and (caps := data.coordinator.capabilities.get(channel.id))
            and (options := description.options_fn(caps))
        ],
    )
    add_voice_selects(platform)


class ChannelSelect(ChannelSettingEntity[ChannelSelectDescription], SelectEntity):
    """A channel setting with a fixed list of values, written to the device."""

    entity_description: ChannelSelectDescription

    def __init__(
        self,
        entry: TalkbackConfigEntry,
        data: HikvisionData,
        channel_id: str,
        description: ChannelSelectDescription,
        options: tuple[str, ...],
    ) -> None:
        """Initialise the select with the options the device offers."""
        super().__init__(entry, data, channel_id, description)
        self._attr_options = list(options)

    @property
    def current_option(self) -> str | None:
        """The value as last read; None when the device reports one it does not list."""
        value = self.entity_description.value_fn(self.channel)
        return value if value in self.options else None

    async def async_select_option(self, option: str) -> None:
        """Write the option, then read the channel back."""
        await self._async_write(option)
