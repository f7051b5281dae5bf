"""Switches of a talk channel: noise reduction; broadcasts of its voice satellite."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory

from ..isapi.models import TwoWayAudioChannel
from ..vendor import VendorPlatform
from .data import HikvisionData
from .entity import ChannelSettingDescription, ChannelSettingEntity
from .voice_switch import add_broadcast_switches


@dataclass(frozen=True, kw_only=True)
class ChannelSwitchDescription(SwitchEntityDescription, ChannelSettingDescription):
    """An on/off channel setting."""

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


def add_entities(platform: VendorPlatform[HikvisionData]) -> None:
    """Add a switch per on/off setting the device reports."""
    ChannelSwitch.add_for_channels(
        platform,
        SWITCHES,
        lambda description, channel: description.value_fn(channel) is not None,
    )
    add_broadcast_switches(platform)


class ChannelSwitch(ChannelSettingEntity[ChannelSwitchDescription], SwitchEntity):
    """An on/off channel setting, written to the device."""

    entity_description: ChannelSwitchDescription

    @property
    def is_on(self) -> bool | None:
        """The setting as last read."""
        return self.entity_description.value_fn(self.channel)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch the setting on."""
        await self._async_write(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the setting off."""
        await self._async_write(False)
