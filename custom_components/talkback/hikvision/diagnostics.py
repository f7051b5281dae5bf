"""Diagnostics of a Hikvision device: every channel's settings and capabilities."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..isapi.xml import serialize
from .data import HikvisionData


def device_diagnostics(data: HikvisionData) -> dict[str, Any]:
    """What Talkback read from the device's channels (redacted by the caller)."""
    coordinator = data.coordinator
    return {
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
    }
