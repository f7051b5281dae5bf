"""Diagnostics: what Talkback read from the device, with secrets and personal data removed."""

from __future__ import annotations

from dataclasses import asdict
import json
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .const import CONF_VENDOR, VENDOR_AXIS
from .coordinator import CameraConfigEntry
from .isapi.xml import serialize
from .relay_coordinator import SpeakerConfigEntry

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
    hass: HomeAssistant, entry: ConfigEntry
) -> dict[str, Any]:
    """Return the entry, the device, and what Talkback read from it."""
    if entry.data.get(CONF_VENDOR) == VENDOR_AXIS:
        return _speaker_diagnostics(entry)
    return _camera_diagnostics(entry)


def _speaker_diagnostics(entry: SpeakerConfigEntry) -> dict[str, Any]:
    """An Axis device: identity, and its relay network as last read."""
    data = entry.runtime_data
    relay = data.relay
    return _redacted(
        entry,
        data.device,
        {
            "relay": None
            if relay is None
            else {
                "capabilities": asdict(relay.capabilities),
                # Redaction walks dicts and lists, not the tuples asdict() keeps.
                "network": json.loads(json.dumps(asdict(relay.data.network))),
                "statuses": {peer: str(status) for peer, status in relay.data.statuses.items()},
                "sound": asdict(relay.data.sound),
                "is_leader": relay.data.is_leader,
                "last_update_success": relay.last_update_success,
            },
            "talking": data.talking,
        },
    )


def _camera_diagnostics(entry: CameraConfigEntry) -> dict[str, Any]:
    """A Hikvision device: every channel's settings and capabilities."""
    data = entry.runtime_data
    coordinator = data.coordinator
    return _redacted(
        entry,
        data.device,
        {
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
    )


def _redacted(entry: ConfigEntry, device: Any, sections: dict[str, Any]) -> dict[str, Any]:
    """The entry, the device (a dataclass) and what was read, secrets removed."""
    return async_redact_data(
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            "device": asdict(device),
            **sections,
        },
        TO_REDACT,
    )
