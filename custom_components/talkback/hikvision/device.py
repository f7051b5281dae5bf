"""The Hikvision device itself in the device registry."""

from __future__ import annotations

from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo

from ..const import DOMAIN
from ..entry import TalkbackConfigEntry, device_url
from ..isapi.models import DeviceInfo as IsapiDeviceInfo

MANUFACTURER = "Hikvision"

FACTORY_NAMES = frozenset(
    {
        "embedded net dvr",
        "ip camera",
        "ip dome",
        "ipcamera",
        "network video recorder",
        "outdoor station",
    }
)
"""`deviceName` as Hikvision ships it (seen in real devices' answers): not the owner's."""


def device_name(device: IsapiDeviceInfo) -> str:
    """The owner's name (`deviceName`), else the model and the end of the serial number."""
    name = (device.name or "").strip()
    if name and name.lower() not in FACTORY_NAMES:
        return name
    return f"{device.model} {device.serial_number[-6:]}".strip()


def device_info(entry: TalkbackConfigEntry, device: IsapiDeviceInfo) -> DeviceInfo:
    """The camera, door station or recorder itself."""
    return DeviceInfo(
        identifiers={(DOMAIN, device.serial_number)},
        connections={(CONNECTION_NETWORK_MAC, device.mac_address)},
        manufacturer=MANUFACTURER,
        model=device.model,
        name=device_name(device),
        serial_number=device.serial_number,
        sw_version=device.firmware_version,
        configuration_url=device_url(entry),
    )
