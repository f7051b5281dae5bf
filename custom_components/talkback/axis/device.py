"""The Axis device itself in the device registry."""

from __future__ import annotations

from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo

from ..const import DOMAIN
from ..entry import TalkbackConfigEntry, device_url
from ..vapix.models import AxisDeviceInfo

MANUFACTURER = "Axis"


def device_info(entry: TalkbackConfigEntry, device: AxisDeviceInfo) -> DeviceInfo:
    """The speaker (or camera with audio out) itself."""
    info = DeviceInfo(
        identifiers={(DOMAIN, device.serial_number)},
        manufacturer=device.brand or MANUFACTURER,
        model=device.product_name or device.model,
        model_id=device.model or None,
        name=entry.title,
        serial_number=device.serial_number,
        sw_version=device.firmware_version,
        configuration_url=device_url(entry),
    )
    if device.mac_address:
        info["connections"] = {(CONNECTION_NETWORK_MAC, device.mac_address)}
    return info
