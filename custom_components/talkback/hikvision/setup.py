"""Setting up a Hikvision entry: read the device and its talk channels, register the device."""

from __future__ import annotations

from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from ..client import create_isapi_client, read_device, warn_if_basic_over_http
from ..const import LOGGER
from ..entry import TalkbackConfigEntry
from .coordinator import ChannelCoordinator
from .data import HikvisionData
from .device import device_info
from .devices import remove_gone_channels
from .doorbell import Doorbell, is_door_station


async def async_connect(hass: HomeAssistant, entry: TalkbackConfigEntry) -> HikvisionData:
    """Read the device and its channels; register the device itself."""
    client = create_isapi_client(hass, entry.data)
    # Talk sessions stopped at unload close in tasks the client owns: wait for them.
    entry.async_on_unload(client.close)
    device = await read_device(client.device_info())
    warn_if_basic_over_http(entry.data, entry.title, basic_worked=client.basic_worked)
    coordinator = ChannelCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    data = HikvisionData(
        device=device,
        coordinator=coordinator,
        outputs={},
        camera_channel=next(iter(coordinator.data)) if len(coordinator.data) == 1 else None,
    )
    for channel_id in coordinator.data:
        data.output(hass, entry, channel_id)
    # Channel devices of recorders and door stations hang off the main device.
    data.main_device_id = (
        dr.async_get(hass)
        .async_get_or_create(config_entry_id=entry.entry_id, **device_info(entry, device))
        .id
    )
    remove_gone_channels(hass, entry, data)
    entry.async_on_unload(
        coordinator.async_add_listener(lambda: remove_gone_channels(hass, entry, data))
    )
    if is_door_station(device.device_type):
        data.doorbell = Doorbell(client)
        data.doorbell.async_start(hass, entry)
    LOGGER.info(
        "Talkback loaded for %s (%s at %s, %d talk channel(s))",
        entry.title,
        device.model,
        entry.data[CONF_HOST],
        len(coordinator.data),
    )
    return data
