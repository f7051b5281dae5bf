"""Finding loaded Axis entries: for the config flow, the actions and grouping."""

from __future__ import annotations

from typing import NamedTuple

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er

from ..const import DOMAIN
from ..entry import TalkbackConfigEntry
from ..vapix.models import RelayPeer
from .data import AxisData

SPEAKER_KEY = "speaker"


class AxisEntry(NamedTuple):
    """A loaded Axis entry with its runtime data."""

    entry: TalkbackConfigEntry
    data: AxisData


def speaker_unique_id(serial: str) -> str:
    """The unique id of an Axis device's speaker."""
    return f"{serial}_{SPEAKER_KEY}"


def loaded_axis_entries(hass: HomeAssistant) -> list[AxisEntry]:
    """Every loaded Axis entry of Talkback."""
    entries: list[TalkbackConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    return [
        AxisEntry(entry, entry.runtime_data)
        for entry in entries
        if isinstance(entry.runtime_data, AxisData)
    ]


def relay_entries(hass: HomeAssistant) -> dict[str, AxisEntry]:
    """Axis devices already in Talkback that have the relay API, by MAC."""
    return {
        mac: axis
        for axis in loaded_axis_entries(hass)
        if axis.data.relay is not None and (mac := axis.data.device.mac_address) is not None
    }


def speaker_entry(hass: HomeAssistant, entity_id: str) -> AxisEntry:
    """The loaded Axis entry behind a speaker entity; ServiceValidationError for others."""
    registered = er.async_get(hass).async_get(entity_id)
    found = next(
        (
            axis
            for axis in loaded_axis_entries(hass)
            if registered is not None
            and registered.config_entry_id == axis.entry.entry_id
            and registered.unique_id == speaker_unique_id(axis.data.device.serial_number)
        ),
        None,
    )
    if found is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_an_axis_speaker",
            translation_placeholders={"entity_id": entity_id},
        )
    return found


def follower_configuration(axis: AxisEntry) -> RelayPeer:
    """How a leader reaches a device that has its own Talkback entry: MAC and credentials."""
    return RelayPeer(
        name=axis.entry.title,
        mac=axis.data.device.mac_address,
        leader=False,
        username=axis.entry.data[CONF_USERNAME],
        password=axis.entry.data[CONF_PASSWORD],
    )
