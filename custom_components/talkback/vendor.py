"""Platform setups hand an entry to its vendor's adapter, told apart by its runtime data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .axis.data import AxisData
from .entry import TalkbackConfigEntry
from .hikvision.data import HikvisionData


@dataclass(frozen=True, slots=True)
class VendorPlatform[D: (HikvisionData, AxisData)]:
    """One platform being set up for one entry, as the entry's vendor adapter sees it."""

    hass: HomeAssistant
    entry: TalkbackConfigEntry
    data: D
    add_entities: AddConfigEntryEntitiesCallback


type AddVendorEntities[D: (HikvisionData, AxisData)] = Callable[[VendorPlatform[D]], None]


def add_vendor_entities(
    hass: HomeAssistant,
    entry: TalkbackConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    *,
    hikvision: AddVendorEntities[HikvisionData] | None = None,
    axis: AddVendorEntities[AxisData] | None = None,
) -> None:
    """Add a platform's entities for the entry's vendor (none when the vendor has none)."""
    data = entry.runtime_data
    if isinstance(data, HikvisionData):
        if hikvision is not None:
            hikvision(VendorPlatform(hass, entry, data, async_add_entities))
    elif axis is not None:
        axis(VendorPlatform(hass, entry, data, async_add_entities))
