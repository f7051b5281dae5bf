"""Base entity for everything Talkback shows per two-way audio channel of a Hikvision device."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from homeassistant.core import callback
from homeassistant.helpers.device_registry import ChildDeviceInfo, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..const import DOMAIN
from ..entry import TalkbackConfigEntry
from ..isapi.models import TwoWayAudioCapabilities, TwoWayAudioChannel
from ..vendor import VendorPlatform
from .coordinator import ChannelCoordinator
from .data import HikvisionData
from .device import device_info
from .devices import has_channel_device
from .voice import has_audio_input

DEFAULT_SPEAKER_VOLUME_RANGE = (0, 100)


def channel_device_info(
    entry: TalkbackConfigEntry, data: HikvisionData, channel_id: str
) -> DeviceInfo | ChildDeviceInfo:
    """Where a channel's entities live: the device itself, or a device per channel.

    A camera has one talk channel and its entities sit on the camera. Recorders and door
    stations have several; each gets a device of its own, linked to the main one (so does
    a channel that appears on a device that had one at setup).
    """
    if not has_channel_device(data, channel_id):
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

    def _set_talking(self, is_open: bool) -> None:
        """Talkback opened or closed a session on the channel: tell the talk-session sensor."""
        talking_channels = self.device_data.talking_channels
        if is_open:
            talking_channels.add(self.channel_id)
        else:
            talking_channels.discard(self.channel_id)
        self.coordinator.async_update_listeners()

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
    def add_for_channels(
        cls,
        platform: VendorPlatform[HikvisionData],
        descriptions: Iterable[D],
        reported: Callable[[D, TwoWayAudioChannel], bool] = lambda _description, _channel: True,
    ) -> None:
        """One entity per channel and description that the channel reports, as channels appear."""
        add_channel_entities(
            platform,
            lambda channel: [
                cls(platform.entry, platform.data, channel.id, description)
                for description in descriptions
                if reported(description, channel)
            ],
        )


class ChannelSettingEntity[D: ChannelSettingDescription](DescribedChannelEntity[D]):
    """A channel setting that the entity writes to the device."""

    async def _async_write(self, value: object) -> None:
        """Write the setting, then read the channels back."""
        await self.coordinator.async_update_channel(
            self.channel, **{self.entity_description.setting: value}
        )


type ChannelEntityFactory = Callable[[TwoWayAudioChannel], Iterable[Entity]]


def add_channel_entities(
    platform: VendorPlatform[HikvisionData], create: ChannelEntityFactory
) -> None:
    """Add a channel's entities now, and when a channel appears (no reload needed).

    A recorder that gets a camera, or a door station that gets a sub-station, reports a new
    two-way audio channel at the next poll. A channel that goes takes its device and
    entities with it (devices.py); when it returns, it gets them again, with the unique
    ids and so the entity ids they had.
    """
    data = platform.data
    coordinator = data.coordinator
    known: set[str] = set()

    @callback
    def add_new_channels() -> None:
        if not coordinator.last_update_success:
            return
        known.difference_update(
            [
                channel_id
                for channel_id in known - coordinator.data.keys()
                if has_channel_device(data, channel_id)
            ]
        )
        new = [channel for key, channel in coordinator.data.items() if key not in known]
        known.update(channel.id for channel in new)
        entities = [entity for channel in new for entity in create(channel)]
        if entities:
            platform.add_entities(entities)

    add_new_channels()
    platform.entry.async_on_unload(coordinator.async_add_listener(add_new_channels))


def add_voice_entities(
    platform: VendorPlatform[HikvisionData], create: ChannelEntityFactory
) -> None:
    """Add the voice satellite entities of every channel with an audio input, as channels appear."""
    add_channel_entities(
        platform, lambda channel: create(channel) if has_audio_input(channel) else ()
    )
