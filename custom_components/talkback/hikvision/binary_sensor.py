"""Binary sensors of a talk channel: someone talking on it (Talkback or another app)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass

from ..isapi.models import TwoWayAudioChannel
from ..vendor import VendorPlatform
from .data import HikvisionData
from .entity import DescribedChannelEntity


@dataclass(frozen=True, kw_only=True)
class ChannelBinarySensorDescription(BinarySensorEntityDescription):
    """A channel status shown as on/off."""

    value_fn: Callable[[HikvisionData, TwoWayAudioChannel], bool]


BINARY_SENSORS: tuple[ChannelBinarySensorDescription, ...] = (
    ChannelBinarySensorDescription(
        key="talk_session",
        translation_key="talk_session",
        device_class=BinarySensorDeviceClass.RUNNING,
        # Many devices read `enabled` true only while a session is open: that is another
        # app's (or an intercom's) session when Talkback has none of its own.
        value_fn=lambda data, channel: channel.enabled or channel.id in data.talking_channels,
    ),
)


def add_entities(platform: VendorPlatform[HikvisionData]) -> None:
    """Add the status sensors of every channel."""
    ChannelBinarySensor.add_for_channels(platform, BINARY_SENSORS)


class ChannelBinarySensor(
    DescribedChannelEntity[ChannelBinarySensorDescription], BinarySensorEntity
):
    """A channel status."""

    entity_description: ChannelBinarySensorDescription

    @property
    def is_on(self) -> bool:
        """Whether the status holds, as last read (or as Talkback knows it)."""
        return self.entity_description.value_fn(self.device_data, self.channel)
