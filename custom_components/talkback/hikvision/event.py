"""The doorbell of a Hikvision door station, as an event entity (`ring`)."""

from __future__ import annotations

from homeassistant.components.event import EventDeviceClass, EventEntity
from homeassistant.core import callback

from ..entry import TalkbackConfigEntry
from ..vendor import VendorPlatform
from .data import HikvisionData
from .device import device_info
from .doorbell import Doorbell

EVENT_RING = "ring"


def add_entities(platform: VendorPlatform[HikvisionData]) -> None:
    """Add the doorbell of a door station."""
    if (doorbell := platform.data.doorbell) is not None:
        platform.add_entities([DoorbellEvent(platform.entry, platform.data, doorbell)])


class DoorbellEvent(EventEntity):
    """Fires `ring` once per press of the call button (the device, not a channel, rings)."""

    _attr_has_entity_name = True
    _attr_translation_key = "doorbell"
    _attr_device_class = EventDeviceClass.DOORBELL

    def __init__(self, entry: TalkbackConfigEntry, data: HikvisionData, doorbell: Doorbell) -> None:
        """Initialise the doorbell of the entry's door station."""
        self._doorbell = doorbell
        self._attr_event_types = [EVENT_RING]
        self._attr_unique_id = f"{data.device.serial_number}_doorbell"
        self._attr_device_info = device_info(entry, data.device)

    async def async_added_to_hass(self) -> None:
        """Follow the rings."""
        await super().async_added_to_hass()
        self.async_on_remove(self._doorbell.async_add_listener(self._rang))

    @callback
    def _rang(self) -> None:
        ring = self._doorbell.last_ring
        attributes: dict[str, str | int] = {"source": ring.source} if ring is not None else {}
        if ring is not None and ring.door is not None:
            attributes["door"] = ring.door
        self._trigger_event(EVENT_RING, attributes)
        self.async_write_ha_state()
