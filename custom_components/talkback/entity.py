"""Base entity for everything Talkback shows per two-way audio channel."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL
from homeassistant.helpers.device_registry import (
    CONNECTION_NETWORK_MAC,
    ChildDeviceInfo,
    DeviceInfo,
)
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import CameraConfigEntry, ChannelCoordinator
from .isapi.models import TwoWayAudioCapabilities, TwoWayAudioChannel

MANUFACTURER = "Hikvision"


def device_url(entry: ConfigEntry[Any]) -> str:
    """The device's own web interface."""
    host = entry.data[CONF_HOST]
    if ":" in host:
        host = f"[{host}]"
    scheme = "https" if entry.data.get(CONF_SSL) else "http"
    return f"{scheme}://{host}:{entry.data[CONF_PORT]}/"


def main_device_info(entry: CameraConfigEntry) -> DeviceInfo:
    """The camera, door station or recorder itself."""
    device = entry.runtime_data.device
    return DeviceInfo(
        identifiers={(DOMAIN, device.serial_number)},
        connections={(CONNECTION_NETWORK_MAC, device.mac_address)},
        manufacturer=MANUFACTURER,
        model=device.model,
        name=device.name or device.model,
        serial_number=device.serial_number,
        sw_version=device.firmware_version,
        configuration_url=device_url(entry),
    )


def channel_device_info(entry: CameraConfigEntry, channel_id: str) -> DeviceInfo | ChildDeviceInfo:
    """Where a channel's entities live: the device itself, or a device per channel.

    A camera has one talk channel and its entities sit on the camera. Recorders and door
    stations have several; each gets a device of its own, linked to the main one.
    """
    if len(entry.runtime_data.coordinator.data) <= 1:
        return main_device_info(entry)
    device = entry.runtime_data.device
    return ChildDeviceInfo(
        identifiers={(DOMAIN, f"{device.serial_number}_{channel_id}")},
        parent_device_id=entry.runtime_data.main_device_id,
        translation_key="channel",
        translation_placeholders={"channel": channel_id},
    )


class TalkbackChannelEntity(CoordinatorEntity[ChannelCoordinator]):
    """An entity about one two-way audio channel."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: ChannelCoordinator, channel_id: str, key: str) -> None:
        """Initialise the entity for a channel; `key` makes its unique id."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self.channel_id = channel_id
        self._attr_unique_id = f"{entry.runtime_data.device.serial_number}_{channel_id}_{key}"
        self._attr_device_info = channel_device_info(entry, channel_id)

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
