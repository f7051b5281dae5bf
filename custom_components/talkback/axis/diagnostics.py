"""Diagnostics of an Axis device: its relay network as last read."""

from __future__ import annotations

from dataclasses import asdict
import json
from typing import Any

from .data import AxisData


def device_diagnostics(data: AxisData) -> dict[str, Any]:
    """What Talkback read from the device's relay network (redacted by the caller)."""
    relay = data.relay
    return {
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
    }
