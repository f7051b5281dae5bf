"""Channel devices that are gone: removed by themselves, or by the user from the device page.

A recorder that loses a camera, or a door station that loses a sub-station, stops listing
its two-way audio channel; the channel's device (and so its entities) goes with it.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from ..const import DOMAIN
from ..entry import TalkbackConfigEntry
from .data import HikvisionData


def channel_identifier(data: HikvisionData, channel_id: str) -> str:
    """The identifier of a channel's own device."""
    return f"{data.device.serial_number}_{channel_id}"


def has_channel_device(data: HikvisionData, channel_id: str) -> bool:
    """Whether a channel's entities sit on a device of its own, and so go when it does.

    A device with one channel at setup shows it on the device itself (camera layout).
    """
    return channel_id != data.camera_channel


def is_gone_channel_device(data: HikvisionData, device: dr.AnyDeviceEntry) -> bool:
    """Whether a device of the entry is a channel the device no longer has."""
    if device.id == data.main_device_id:
        return False
    current = {
        channel_identifier(data, channel_id)
        for channel_id in data.coordinator.data
        if has_channel_device(data, channel_id)
    }
    return not any(
        domain == DOMAIN and identifier in current for domain, identifier in device.identifiers
    )


@callback
def remove_gone_channels(
    hass: HomeAssistant, entry: TalkbackConfigEntry, data: HikvisionData
) -> None:
    """Remove the devices of channels the device no longer lists (after a good read)."""
    if not data.coordinator.last_update_success:
        return
    registry = dr.async_get(hass)
    for device in dr.async_child_entries_for_config_entry(registry, entry.entry_id):
        if is_gone_channel_device(data, device):
            registry.async_remove_device(device.id)
