"""What a Hikvision channel needs to be a voice satellite, and its settings kept in Home Assistant."""

from __future__ import annotations

from dataclasses import dataclass, field

from homeassistant.core import CALLBACK_TYPE, callback

from ..isapi.models import TwoWayAudioChannel


def has_audio_input(channel: TwoWayAudioChannel) -> bool:
    """Whether the channel reports an audio input (a microphone or line in) to listen to.

    Channels of devices with a microphone report `audioInputType` (MicIn, LineIn), some also
    a `microphoneVolume`; a channel reporting neither has nothing to listen to.
    """
    return channel.audio_input_type is not None or channel.microphone_volume is not None


@dataclass
class VoiceSettings:
    """A satellite's settings that live in Home Assistant, not on the device."""

    broadcasts: bool = False
    """Whether Home Assistant's broadcasts reach the satellite (off: it is left out)."""
    _listeners: list[CALLBACK_TYPE] = field(default_factory=list)

    @callback
    def async_add_listener(self, changed: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `changed` when a setting changes; returns the removal."""
        self._listeners.append(changed)
        return lambda: self._listeners.remove(changed)

    @callback
    def set_broadcasts(self, broadcasts: bool) -> None:
        """Opt in or out of broadcasts."""
        self.broadcasts = broadcasts
        for changed in list(self._listeners):
            changed()
