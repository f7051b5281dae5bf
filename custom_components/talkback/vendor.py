"""Platform setups hand an entry to its vendor's adapter, told apart by its runtime data."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .axis.data import AxisData
from .entry import TalkbackConfigEntry, TalkbackData
from .hikvision.data import HikvisionData

type AddVendorEntities[D: TalkbackData] = Callable[
    [HomeAssistant, TalkbackConfigEntry, D, AddConfigEntryEntitiesCallback], None
]


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
    if isinstance(data, HikvisionData) and hikvision is not None:
        hikvision(hass, entry, data, async_add_entities)
    elif isinstance(data, AxisData) and axis is not None:
        axis(hass, entry, data, async_add_entities)
