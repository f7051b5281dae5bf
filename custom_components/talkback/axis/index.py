"""The domain-wide view of relay networks: which leader lists a device, which devices
show their own relay entities.

A follower that has a Talkback entry of its own shows its relay status, output gain and
leader flag on its own device (Home Assistant 2026.8 gives a device one config entry). Its
entities read the leader's coordinator, found here by the follower's MAC, and follow it
across reloads: every relay coordinator update and every claim is announced on one signal.
"""

from __future__ import annotations

from typing import Final
from weakref import WeakSet

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.entity import Entity
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from ..vapix.models import normalize_mac
from .coordinator import RelayCoordinator
from .data import AxisData
from .entries import loaded_axis_entries

SIGNAL_RELAY_UPDATED: Final = f"{DOMAIN}_relay_updated"
"""Sent when any relay network was read, and when a device claims or releases itself."""

DATA_CLAIMED: HassKey[dict[str, str]] = HassKey(f"{DOMAIN}_relay_claimed")
"""MAC -> entry id of the Axis entries (set up or being set up) that show their own peer
entities; a leader leaves those peers to them."""


def own_mac(data: AxisData) -> str:
    """The device's MAC as relay networks name their peers."""
    return normalize_mac(data.device.mac_address or data.device.serial_number) or ""


@callback
def relay_updated(hass: HomeAssistant) -> None:
    """Tell every peer entity and leader to look at the networks again."""
    async_dispatcher_send(hass, SIGNAL_RELAY_UPDATED)


def claimed(hass: HomeAssistant) -> dict[str, str]:
    """The devices that show their own peer entities, by MAC."""
    return hass.data.setdefault(DATA_CLAIMED, {})


@callback
def claim(hass: HomeAssistant, mac: str, entry_id: str) -> None:
    """A device's own entry shows its peer entities from now on."""
    claimed(hass)[mac] = entry_id


@callback
def release(hass: HomeAssistant, mac: str, entry_id: str) -> None:
    """The device's entry goes: its leader shows it again."""
    if claimed(hass).get(mac) == entry_id:
        del claimed(hass)[mac]
    relay_updated(hass)


def leader_relay(hass: HomeAssistant, mac: str) -> RelayCoordinator | None:
    """The coordinator of the loaded leader whose network has `mac` as a follower."""
    for axis in loaded_axis_entries(hass):
        relay = axis.data.relay
        if (
            relay is not None
            and relay.last_update_success
            and relay.data.is_leader
            and mac in relay.data.followers
        ):
            return relay
    return None


_WITHDRAWN: WeakSet[Entity] = WeakSet()
"""Leader-side peer entities a follower's entry took before they were added."""


def withdraw(entity: Entity) -> None:
    """The entity leaves as soon as it is added (its peer's own entry shows it)."""
    _WITHDRAWN.add(entity)


def is_withdrawn(entity: Entity) -> bool:
    """Whether the entity was taken by its peer's own entry before it was added."""
    return entity in _WITHDRAWN
