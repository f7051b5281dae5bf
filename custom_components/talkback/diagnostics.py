"""Diagnostics: what Talkback read from the device, with secrets and personal data removed."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .axis.data import AxisData
from .axis.diagnostics import device_diagnostics as axis_diagnostics
from .entry import TalkbackConfigEntry
from .hikvision.diagnostics import device_diagnostics as hikvision_diagnostics

TO_REDACT = {
    CONF_HOST,
    CONF_PASSWORD,
    CONF_USERNAME,
    "mac_address",
    "serial_number",
    "device_id",  # on Hikvision a UUID spelled from the serial number
    "macAddress",
    "serialNumber",
    "mac",  # relay peers
    "ip_address",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: TalkbackConfigEntry
) -> dict[str, Any]:
    """Return the entry, the device, and what Talkback read from it."""
    data = entry.runtime_data
    sections = axis_diagnostics(data) if isinstance(data, AxisData) else hikvision_diagnostics(data)
    return async_redact_data(
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            "device": asdict(data.device),
            **sections,
        },
        TO_REDACT,
    )
