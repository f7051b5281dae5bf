"""The repair issue of an Axis device whose audio relay API went away in a firmware upgrade.

Axis deprecated the API in AXIS OS 10.12; firmware from then on may come without it.

A device that had the API left relay entities (multicast, each peer's status, gain and
leader) and follower devices in the registry. Without the API they can never be read again;
the speaker itself plays on. The issue stands while such leftovers exist and the API is
missing, and goes when the API is back (a firmware downgrade) or the leftovers are removed.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir

from ..const import DOMAIN, REPAIRS_DOCUMENTATION
from ..entry import TalkbackConfigEntry
from ..vapix.const import RELAY_DEPRECATED_FROM_OS
from .data import AxisData

ISSUE_RELAY_API_REMOVED = "relay_api_removed"
"""Translation key of the issue; with the entry id, its issue id."""

_NETWORK_KEYS = ("multicast", "multicast_group")
"""Keys of the entities of the network a device leads (axis/switch.py, axis/sensor.py)."""


def relay_issue_id(entry_id: str) -> str:
    """One issue per entry."""
    return f"{ISSUE_RELAY_API_REMOVED}_{entry_id}"


def _is_relay_unique_id(serial: str, unique_id: str) -> bool:
    """Unique ids of RelayEntity (serial_key) and RelayPeerEntity (serial_peer_...)."""
    return unique_id in {f"{serial}_{key}" for key in _NETWORK_KEYS} or unique_id.startswith(
        f"{serial}_peer_"
    )


def stale_relay_entities(
    hass: HomeAssistant, entry: TalkbackConfigEntry, data: AxisData
) -> list[er.RegistryEntry]:
    """The entry's registered relay entities, and the peer entities of its network that a
    follower's own entry shows (their unique ids still name this device as the leader)."""
    serial = data.device.serial_number
    registry = er.async_get(hass)
    return [
        *(
            registered
            for registered in er.async_entries_for_config_entry(registry, entry.entry_id)
            if _is_relay_unique_id(serial, registered.unique_id)
        ),
        *(
            registered
            for registered in registry.entities.values()
            if registered.platform == DOMAIN
            and registered.config_entry_id != entry.entry_id
            and registered.unique_id.startswith(f"{serial}_peer_")
        ),
    ]


def stale_peer_devices(
    hass: HomeAssistant, entry: TalkbackConfigEntry, data: AxisData
) -> list[dr.DeviceEntry]:
    """The entry's devices other than the device itself that hold nothing but relay entities."""
    serial = data.device.serial_number
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    return [
        device
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
        if device.id != data.main_device_id
        and all(
            _is_relay_unique_id(serial, registered.unique_id)
            for registered in entities
            if registered.device_id == device.id
        )
    ]


@callback
def update_relay_issue(hass: HomeAssistant, entry: TalkbackConfigEntry, data: AxisData) -> None:
    """Raise the issue when the API is gone and left something behind; withdraw it otherwise."""
    issue_id = relay_issue_id(entry.entry_id)
    if data.relay is not None or not (
        stale_relay_entities(hass, entry, data) or stale_peer_devices(hass, entry, data)
    ):
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=True,
        severity=ir.IssueSeverity.WARNING,
        learn_more_url=REPAIRS_DOCUMENTATION,
        translation_key=ISSUE_RELAY_API_REMOVED,
        translation_placeholders={
            "device": entry.title,
            "firmware": data.device.firmware_version or "?",
            "removed_in": RELAY_DEPRECATED_FROM_OS,
        },
        data={"entry_id": entry.entry_id},
    )


@callback
def remove_relay_leftovers(hass: HomeAssistant, entry: TalkbackConfigEntry, data: AxisData) -> int:
    """Remove the relay entities and follower devices; return how many were removed."""
    entities = stale_relay_entities(hass, entry, data)
    devices = stale_peer_devices(hass, entry, data)
    entity_registry = er.async_get(hass)
    for registered in entities:
        entity_registry.async_remove(registered.entity_id)
    device_registry = dr.async_get(hass)
    for device in devices:
        device_registry.async_remove_device(device.id)
    return len(entities) + len(devices)
