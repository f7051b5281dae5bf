"""Polling of an Axis device without the relay API: is it there, and did the API come back?

A device with the relay API is polled by its relay coordinator; one without has nothing
else to read, so its speaker would never notice the device going away. One param.cgi list of
`root.Properties` every 30 s is the lightest authenticated request VAPIX has, and it also
carries the relay API version, so a firmware that brings the API back reloads the entry.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from ..const import DOMAIN, LOGGER
from ..errors import update_failed
from ..vapix.client import VapixClient
from ..vapix.exceptions import VapixError
from ..vapix.models import AxisParameters, relay_api_supported

DEVICE_CHECK_INTERVAL: Final = timedelta(seconds=30)
"""As often as Hikvision channels are read: a device gone is shown within half a minute."""


class DeviceCoordinator(DataUpdateCoordinator[AxisParameters]):
    """Reads the device's properties every 30 seconds; its entities follow the result."""

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, client: VapixClient) -> None:
        """Create the coordinator for one device."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} device {entry.title}",
            update_interval=DEVICE_CHECK_INTERVAL,
        )
        self.client = client

    async def _async_update_data(self) -> AxisParameters:
        try:
            parameters = await self.client.parameters(refresh=True)
        except VapixError as err:
            raise update_failed(err) from err
        if relay_api_supported(parameters.relay_api_version):
            LOGGER.info(
                "%s has the audio relay API again (version %s); reloading",
                self.config_entry.title,
                parameters.relay_api_version,
            )
            self.hass.config_entries.async_schedule_reload(self.config_entry.entry_id)
        return parameters
