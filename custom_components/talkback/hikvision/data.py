"""What a loaded Hikvision entry keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from ..isapi.models import DeviceInfo
from ..output import SpeakerOutput
from .coordinator import ChannelCoordinator
from .doorbell import Doorbell
from .voice import VoiceSettings


@dataclass
class HikvisionData:
    """A Hikvision camera, door station or recorder while its entry is loaded."""

    platforms: ClassVar[tuple[Platform, ...]] = (
        Platform.ASSIST_SATELLITE,
        Platform.BINARY_SENSOR,
        Platform.EVENT,
        Platform.MEDIA_PLAYER,
        Platform.NUMBER,
        Platform.SELECT,
        Platform.SWITCH,
    )
    device: DeviceInfo
    coordinator: ChannelCoordinator
    outputs: dict[str, SpeakerOutput]
    """What plays on each talk channel (one session per channel), by channel id."""
    talking_channels: set[str] = field(default_factory=set)
    """Channels on which Talkback itself has a talk session open right now."""
    main_device_id: str = ""
    """Device registry id of the device itself; channel devices of recorders hang off it."""
    camera_channel: str | None = None
    """The only channel of a device that had one at setup: its entities sit on the device."""
    voice: dict[str, VoiceSettings] = field(default_factory=dict)
    """Settings of the voice satellites, by channel id (channels with an audio input)."""
    doorbell: Doorbell | None = None
    """The rings of a door station; None for other devices."""

    def output(self, hass: HomeAssistant, entry: ConfigEntry, channel_id: str) -> SpeakerOutput:
        """What plays on a channel, created with the channel (also one that appears later)."""
        if (output := self.outputs.get(channel_id)) is None:
            output = self.outputs[channel_id] = SpeakerOutput(
                hass, entry, f"{entry.title} channel {channel_id}"
            )
        return output

    def voice_settings(self, channel_id: str) -> VoiceSettings:
        """A channel satellite's settings, shared by its entities (also on a later channel)."""
        if (settings := self.voice.get(channel_id)) is None:
            settings = self.voice[channel_id] = VoiceSettings()
        return settings
