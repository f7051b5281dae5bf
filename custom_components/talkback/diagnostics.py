"""Diagnostics: what Talkback read from the device, with secrets and personal data removed."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .coordinator import CameraConfigEntry
from .isapi.xml import serialize

TO_REDACT = {
    CONF_HOST,
    CONF_PASSWORD,
    CONF_USERNAME,
    "mac_address",
    "serial_number",
    "device_id",  # on Hikvision a UUID spelled from the serial number
    "macAddress",
    "serialNumber",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: CameraConfigEntry
) -> dict[str, Any]:
    """Return the entry, the device, and every channel's settings and capabilities."""
    data = entry.runtime_data
    coordinator = data.coordinator
    return async_redact_data(
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            "device": asdict(data.device),
            "channels": {
                channel_id: {
                    "settings": {
                        name: getattr(channel, name)
                        for name in channel.__dataclass_fields__
                        if name != "element"
                    },
                    "raw": serialize(channel.element).decode(errors="replace"),
                    "capabilities": asdict(caps)
                    if (caps := coordinator.capabilities.get(channel_id))
                    else None,
                }
                for channel_id, channel in coordinator.data.items()
            },
            "talking_channels": sorted(data.talking_channels),
            "last_update_success": coordinator.last_update_success,
        },
        TO_REDACT,
    )
