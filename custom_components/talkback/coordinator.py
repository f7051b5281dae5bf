"""Polling of the device's two-way audio channels."""

from __future__ import annotations

from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .const import CHANNEL_SCAN_INTERVAL, DOMAIN, LOGGER
from .errors import update_failed
from .isapi.client import IsapiClient
from .isapi.exceptions import IsapiError
from .isapi.models import DeviceInfo, TwoWayAudioCapabilities, TwoWayAudioChannel


@dataclass
class CameraData:
    """Everything one config entry keeps while it is loaded."""

    client: IsapiClient
    device: DeviceInfo
    coordinator: ChannelCoordinator
    main_device_id: str = ""
    """Device registry id of the device itself; channel devices of recorders hang off it."""
    talking_channels: set[str] = field(default_factory=set)
    """Channels on which Talkback itself has a talk session open right now."""


type CameraConfigEntry = ConfigEntry[CameraData]


class ChannelCoordinator(DataUpdateCoordinator[dict[str, TwoWayAudioChannel]]):
    """Reads the two-way audio channels and their settings every 30 seconds.

    Capabilities do not change while a device runs: they are read once, at setup.
    """

    config_entry: CameraConfigEntry

    def __init__(self, hass: HomeAssistant, entry: CameraConfigEntry, client: IsapiClient) -> None:
        """Create the coordinator for one device."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} channels {entry.title}",
            update_interval=CHANNEL_SCAN_INTERVAL,
        )
        self.client = client
        self.capabilities: dict[str, TwoWayAudioCapabilities] = {}

    async def _async_setup(self) -> None:
        """Read every channel's capabilities once."""
        channels = await self._fetch_channels()
        for channel_id in channels:
            try:
                self.capabilities[channel_id] = await self.client.two_way_audio_capabilities(
                    channel_id
                )
            except IsapiError as err:
                raise update_failed(err) from err

    async def _async_update_data(self) -> dict[str, TwoWayAudioChannel]:
        """Read the channel list with every channel's current settings."""
        return await self._fetch_channels()

    async def _fetch_channels(self) -> dict[str, TwoWayAudioChannel]:
        try:
            channels = await self.client.two_way_audio_channels()
        except IsapiError as err:
            raise update_failed(err) from err
        return {channel.id: channel for channel in channels}
