"""Switches of a talk channel: noise reduction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..entry import TalkbackConfigEntry
from ..isapi.models import TwoWayAudioChannel
from .data import HikvisionData
from .entity import ChannelEntity


@dataclass(frozen=True, kw_only=True)
class ChannelSwitchDescription(SwitchEntityDescription):
    """An on/off channel setting."""

    setting: str
    """The keyword of `IsapiClient.update_two_way_audio_channel` that writes it."""
    value_fn: Callable[[TwoWayAudioChannel], bool | None]


SWITCHES: tuple[ChannelSwitchDescription, ...] = (
    ChannelSwitchDescription(
        key="noise_reduction",
        translation_key="noise_reduction",
        entity_category=EntityCategory.CONFIG,
        setting="noise_reduction",
        value_fn=lambda channel: channel.noise_reduction,
    ),
)


def add_entities(
    hass: HomeAssistant,
    entry: TalkbackConfigEntry,
    data: HikvisionData,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a switch per on/off setting the device reports."""
    async_add_entities(
        ChannelSwitch(entry, data, channel_id, description)
        for channel_id, channel in data.coordinator.data.items()
        for description in SWITCHES
        if description.value_fn(channel) is not None
    )


class ChannelSwitch(ChannelEntity, SwitchEntity):
    """An on/off channel setting, written to the device."""

    entity_description: ChannelSwitchDescription

    def __init__(
        self,
        entry: TalkbackConfigEntry,
        data: HikvisionData,
        channel_id: str,
        description: ChannelSwitchDescription,
    ) -> None:
        """Initialise the switch."""
        super().__init__(entry, data, channel_id, description.key)
        self.entity_description = description

    @property
    def is_on(self) -> bool | None:
        """The setting as last read."""
        return self.entity_description.value_fn(self.channel)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch the setting on."""
        await self._write(on=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the setting off."""
        await self._write(on=False)

    async def _write(self, *, on: bool) -> None:
        await self.coordinator.async_update_channel(
            self.channel, **{self.entity_description.setting: on}
        )
