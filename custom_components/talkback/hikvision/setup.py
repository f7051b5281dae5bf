"""Setting up a Hikvision entry: read the device and its talk channels, register the device."""

from __future__ import annotations

from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from ..client import create_isapi_client, read_device
from ..const import LOGGER
from ..entry import TalkbackConfigEntry
from ..output import SpeakerOutput
from .coordinator import ChannelCoordinator
from .data import HikvisionData
from .device import device_info
from .doorbell import Doorbell, is_door_station
from .voice import VoiceSettings, has_audio_input


async def async_connect(hass: HomeAssistant, entry: TalkbackConfigEntry) -> HikvisionData:
    """Read the device and its channels; register the device itself."""
    client = create_isapi_client(hass, entry.data)
    device = await read_device(client.device_info())
    coordinator = ChannelCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    data = HikvisionData(
        device=device,
        coordinator=coordinator,
        outputs={
            channel_id: SpeakerOutput(hass, entry, f"{entry.title} channel {channel_id}")
            for channel_id in coordinator.data
        },
        voice={
            channel_id: VoiceSettings()
            for channel_id, channel in coordinator.data.items()
            if has_audio_input(channel)
        },
    )
    # Channel devices of recorders and door stations hang off the main device.
    data.main_device_id = (
        dr.async_get(hass)
        .async_get_or_create(config_entry_id=entry.entry_id, **device_info(entry, device))
        .id
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
