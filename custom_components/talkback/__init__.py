"""The Talkback integration: speakers of IP cameras, door stations and network speakers."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.helpers.typing import ConfigType

from .axis.data import AxisData
from .axis.peers import is_departed_peer_device
from .axis.setup import async_connect as async_connect_axis
from .coalescer import DATA_COALESCER, PlaybackCoalescer
from .const import CONF_VENDOR, DOMAIN, VENDOR_AXIS, VENDOR_HIKVISION
from .entry import TalkbackConfigEntry, TalkbackData
from .hikvision.devices import is_gone_channel_device
from .hikvision.setup import async_connect as async_connect_hikvision
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

type Connector = Callable[[HomeAssistant, TalkbackConfigEntry], Coroutine[Any, Any, TalkbackData]]

CONNECTORS: Mapping[str, Connector] = {
    VENDOR_HIKVISION: async_connect_hikvision,
    VENDOR_AXIS: async_connect_axis,
}
"""How each vendor's device is read at setup; the only use of the vendor in the entry data.

Everything after setup tells the vendors apart by the type of the entry's runtime data.
"""


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up what all Talkback devices share (nothing is configured in YAML)."""
    hass.data[DATA_COALESCER] = PlaybackCoalescer(hass)
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: TalkbackConfigEntry) -> bool:
    """Connect to the device, read what it offers and add its entities."""
    connect = CONNECTORS[entry.data.get(CONF_VENDOR, VENDOR_HIKVISION)]
    entry.runtime_data = await connect(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, entry.runtime_data.platforms)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: TalkbackConfigEntry) -> bool:
    """Unload a config entry; its repair issues go with it (setup raises them again)."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, entry.runtime_data.platforms)
    if unloaded:
        _withdraw_issues(hass, entry)
    return unloaded


def _withdraw_issues(hass: HomeAssistant, entry: TalkbackConfigEntry) -> None:
    """Issues are raised from what a loaded entry reads; without it nothing backs them."""
    raised = [
        issue.issue_id
        for issue in ir.async_get(hass).issues.values()
        if issue.domain == DOMAIN and (issue.data or {}).get("entry_id") == entry.entry_id
    ]
    for issue_id in raised:
        ir.async_delete_issue(hass, DOMAIN, issue_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: TalkbackConfigEntry, device: dr.AnyDeviceEntry
) -> bool:
    """A device that is gone may be deleted by hand: a relay peer that left the network, a
    channel the device no longer has. Nothing else, and nothing while the entry is not
    loaded (what is gone is not known then)."""
    if entry.state is not ConfigEntryState.LOADED:
        return False
    data = entry.runtime_data
    if isinstance(data, AxisData):
        return is_departed_peer_device(data, device)
    return is_gone_channel_device(data, device)
