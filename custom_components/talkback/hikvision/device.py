"""The Hikvision device itself in the device registry."""

from __future__ import annotations

from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo

from ..const import DOMAIN
from ..entry import TalkbackConfigEntry, device_url
from ..isapi.models import DeviceInfo as IsapiDeviceInfo

MANUFACTURER = "Hikvision"


def device_info(entry: TalkbackConfigEntry, device: IsapiDeviceInfo) -> DeviceInfo:
    """The camera, door station or recorder itself."""
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
