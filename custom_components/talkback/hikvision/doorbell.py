"""A door station's rings for Home Assistant: the watcher runs while the entry is loaded."""

from __future__ import annotations

from contextlib import aclosing

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from ..const import DOMAIN
from ..isapi.client import IsapiClient
from ..isapi.doorbell import DoorbellRing, DoorbellWatcher


class Doorbell:
    """Watches a door station for rings and tells whoever listens (the event entity)."""

    def __init__(self, client: IsapiClient) -> None:
        """Watch the device of `client`."""
        self.watcher = DoorbellWatcher(client)
        self.last_ring: DoorbellRing | None = None
        self._listeners: list[CALLBACK_TYPE] = []

    @callback
    def async_add_listener(self, rang: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `rang` on every ring; returns the removal."""
        self._listeners.append(rang)
        return lambda: self._listeners.remove(rang)

    @callback
    def async_start(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Watch until the entry unloads (a config-entry background task is cancelled then)."""
        entry.async_create_background_task(hass, self._watch(), f"{DOMAIN} doorbell {entry.title}")

    async def _watch(self) -> None:
        async with aclosing(self.watcher.rings()) as rings:
            async for ring in rings:
                self.last_ring = ring
                for rang in list(self._listeners):
                    rang()


def is_door_station(device_type: str | None) -> bool:
    """Video intercoms (door stations, villa door stations) call themselves `VIS`."""
    return (device_type or "").upper() == "VIS"
