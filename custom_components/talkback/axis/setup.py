"""Setting up an Axis entry: read the device and its relay network, register its devices."""

from __future__ import annotations

from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from ..client import create_vapix_client, read_device
from ..const import LOGGER
from ..entry import TalkbackConfigEntry
from ..output import SpeakerOutput
from .availability import DeviceCoordinator
from .coordinator import RelayCoordinator
from .data import AxisData
from .device import device_info
from .peers import remove_departed_peers
from .relay_issue import update_relay_issue


async def async_connect(hass: HomeAssistant, entry: TalkbackConfigEntry) -> AxisData:
    """Read the device and, with the relay API, its network; register the device itself."""
    client = create_vapix_client(hass, entry.data)
    device = await read_device(client.device_info())
    relay = RelayCoordinator(hass, entry, client, device) if device.relay_api_supported else None
    if relay is not None:
        await relay.async_config_entry_first_refresh()
    data = AxisData(
        client=client, device=device, relay=relay, output=SpeakerOutput(hass, entry, entry.title)
    )
    if relay is None:
        # What setup just read is the first poll's answer: no second request.
        data.availability = DeviceCoordinator(hass, entry, client)
        data.availability.async_set_updated_data(await client.parameters())
    data.main_device_id = (
        dr.async_get(hass)
        .async_get_or_create(config_entry_id=entry.entry_id, **device_info(entry, device))
        .id
    )
    update_relay_issue(hass, entry, data)
    if relay is not None:
        remove_departed_peers(hass, entry, data)
        entry.async_on_unload(
            relay.async_add_listener(lambda: remove_departed_peers(hass, entry, data))
        )
    LOGGER.info(
        "Talkback loaded for %s (%s at %s, relay API %s)",
        entry.title,
        device.model,
        entry.data[CONF_HOST],
        device.relay_api_version or "none",
    )
    return data
