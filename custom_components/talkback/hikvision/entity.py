"""Base entity for everything Talkback shows per two-way audio channel of a Hikvision device."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Self

from homeassistant.helpers.device_registry import ChildDeviceInfo, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..const import DOMAIN
from ..entry import TalkbackConfigEntry
from ..isapi.models import TwoWayAudioCapabilities, TwoWayAudioChannel
from ..vendor import VendorPlatform
from .coordinator import ChannelCoordinator
from .data import HikvisionData
from .device import device_info

DEFAULT_SPEAKER_VOLUME_RANGE = (0, 100)


def channel_device_info(
    entry: TalkbackConfigEntry, data: HikvisionData, channel_id: str
) -> DeviceInfo | ChildDeviceInfo:
    """Where a channel's entities live: the device itself, or a device per channel.

    A camera has one talk channel and its entities sit on the camera. Recorders and door
    stations have several; each gets a device of its own, linked to the main one.
    """
    if len(data.coordinator.data) <= 1:
        return device_info(entry, data.device)
    return ChildDeviceInfo(
        identifiers={(DOMAIN, f"{data.device.serial_number}_{channel_id}")},
        parent_device_id=data.main_device_id,
        translation_key="channel",
        translation_placeholders={"channel": channel_id},
    )


class ChannelEntity(CoordinatorEntity[ChannelCoordinator]):
    """An entity about one two-way audio channel."""

    _attr_has_entity_name = True

    def __init__(
        self, entry: TalkbackConfigEntry, data: HikvisionData, channel_id: str, key: str
    ) -> None:
        """Initialise the entity for a channel; `key` makes its unique id."""
        super().__init__(data.coordinator)
        self.device_data = data
        self.channel_id = channel_id
        self._attr_unique_id = f"{data.device.serial_number}_{channel_id}_{key}"
        self._attr_device_info = channel_device_info(entry, data, channel_id)

    @property
    def available(self) -> bool:
        """Available while the device answers and still has this channel."""
        return super().available and self.channel_id in self.coordinator.data

    @property
    def channel(self) -> TwoWayAudioChannel:
        """The channel's settings as last read."""
        return self.coordinator.data[self.channel_id]

    @property
    def capabilities(self) -> TwoWayAudioCapabilities | None:
        """What the channel accepts, read at setup."""
        return self.coordinator.capabilities.get(self.channel_id)

    @property
    def speaker_volume_range(self) -> tuple[int, int]:
        """The speaker volume range the capabilities state, when it is a range at all.

        An inverted or empty range from the device is not used: 0-100, the range of every
        Hikvision device that states a sane one, is a better guess than a broken slider.
        """
        caps = self.capabilities
        if caps is not None and (stated := caps.speaker_volume_range) is not None:
            low, high = stated
            if high > low:
                return low, high
        return DEFAULT_SPEAKER_VOLUME_RANGE


@dataclass(frozen=True, kw_only=True)
class ChannelSettingDescription(EntityDescription):
    """A channel setting that Talkback writes."""

    setting: str
    """The keyword of `IsapiClient.update_two_way_audio_channel` that writes it."""


class DescribedChannelEntity[D: EntityDescription](ChannelEntity):
    """A channel entity declared by an entity description; `key` makes its unique id."""

    entity_description: D

    def __init__(
        self, entry: TalkbackConfigEntry, data: HikvisionData, channel_id: str, description: D
    ) -> None:
        """Initialise the entity of a channel."""
        super().__init__(entry, data, channel_id, description.key)
        self.entity_description = description

    @classmethod
    def for_channels(
        cls,
        platform: VendorPlatform[HikvisionData],
        descriptions: Iterable[D],
        reported: Callable[[D, TwoWayAudioChannel], bool] = lambda _description, _channel: True,
    ) -> list[Self]:
        """One entity per channel and description that the channel reports."""
        return [
            cls(platform.entry, platform.data, channel_id, description)
            for channel_id, channel in platform.data.coordinator.data.items()
            for description in descriptions
            if reported(description, channel)
        ]


class ChannelSettingEntity[D: ChannelSettingDescription](DescribedChannelEntity[D]):
    """A channel setting that the entity writes to the device."""

    async def _async_write(self, value: object) -> None:
        """Write the setting, then read the channels back."""
        await self.coordinator.async_update_channel(
            self.channel, **{self.entity_description.setting: value}
        )
