"""The Axis device itself in the device registry."""

from __future__ import annotations

from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo

from ..const import DOMAIN
from ..entry import TalkbackConfigEntry, device_url
from ..vapix.discovery import owner_name
from ..vapix.models import AxisDeviceInfo

MANUFACTURER = "Axis"


def device_name(device: AxisDeviceInfo, friendly_name: str | None) -> str:
    """The owner's name (`Network.Bonjour.FriendlyName`), else model and end of the serial.

    basicdeviceinfo carries no name of the owner's; the friendly name is what the device
    announces over Bonjour and UPnP, "AXIS <model> - <serial>" until the owner changes it.
    """
    name = owner_name(friendly_name, device.serial_number)
    if name is not None:
        return name
    model = device.model or device.product_name or MANUFACTURER
    return f"{device.brand or 'AXIS'} {model} {device.serial_number[-6:]}"


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
