"""The config entry type of Talkback: its runtime data is one of the vendors' data."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL

from .axis.data import AxisData
from .hikvision.data import HikvisionData

type TalkbackData = HikvisionData | AxisData
"""Code that depends on the vendor tests this type, never a string in the entry data."""

type TalkbackConfigEntry = ConfigEntry[TalkbackData]


def device_url(entry: TalkbackConfigEntry) -> str:
    """The device's own web interface."""
    host = entry.data[CONF_HOST]
    if ":" in host:
        host = f"[{host}]"
    scheme = "https" if entry.data.get(CONF_SSL) else "http"
    return f"{scheme}://{host}:{entry.data[CONF_PORT]}/"
