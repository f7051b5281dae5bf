"""The Talkback integration: speakers of IP cameras, door stations and network speakers."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .axis_entity import axis_device_info, is_departed_peer_device, remove_departed_peers
from .client import create_isapi_client, create_vapix_client
from .coalescer import DATA_COALESCER, PlaybackCoalescer
from .const import CONF_VENDOR, DOMAIN, LOGGER, VENDOR_AXIS
from .coordinator import CameraConfigEntry, CameraData, ChannelCoordinator
from .entity import main_device_info
from .errors import DEVICE_ERRORS, setup_failed
from .relay_coordinator import RelayCoordinator, SpeakerConfigEntry, SpeakerData
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.MEDIA_PLAYER,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SWITCH,
]
AXIS_PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.MEDIA_PLAYER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]


def platforms_for(entry: ConfigEntry) -> list[Platform]:
    """The platforms a vendor's devices use."""
    return AXIS_PLATFORMS if entry.data.get(CONF_VENDOR) == VENDOR_AXIS else PLATFORMS


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up what all Talkback devices share (nothing is configured in YAML)."""
    hass.data[DATA_COALESCER] = PlaybackCoalescer(hass)
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Connect to the device, read what it offers and add its entities."""
    if entry.data.get(CONF_VENDOR) == VENDOR_AXIS:
        await _async_setup_axis(hass, entry)
    else:
        await _async_setup_camera(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, platforms_for(entry))
    return True


async def _read_device[T](reading: Coroutine[Any, Any, T]) -> T:
    """The device's identity; a failure says whether to sign in again or retry later."""
    try:
        return await reading
    except DEVICE_ERRORS as err:
        raise setup_failed(err) from err


async def _async_setup_camera(hass: HomeAssistant, entry: CameraConfigEntry) -> None:
    client = create_isapi_client(hass, entry.data)
    device = await _read_device(client.device_info())

    coordinator = ChannelCoordinator(hass, entry, client)
    entry.runtime_data = CameraData(client=client, device=device, coordinator=coordinator)
    await coordinator.async_config_entry_first_refresh()

    # Channel devices of recorders and door stations hang off the main device.
    main_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **main_device_info(entry)
    )
    entry.runtime_data.main_device_id = main_device.id
    LOGGER.info(
        "Talkback loaded for %s (%s at %s, %d talk channel(s))",
        entry.title,
        device.model,
        entry.data[CONF_HOST],
        len(coordinator.data),
    )


async def _async_setup_axis(hass: HomeAssistant, entry: SpeakerConfigEntry) -> None:
    client = create_vapix_client(hass, entry.data)
    device = await _read_device(client.device_info())

    relay = RelayCoordinator(hass, entry, client, device) if device.relay_api_supported else None
    entry.runtime_data = SpeakerData(client=client, device=device, relay=relay)
    if relay is not None:
        await relay.async_config_entry_first_refresh()

    main_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **axis_device_info(entry)
    )
    entry.runtime_data.main_device_id = main_device.id
    if relay is not None:
        remove_departed_peers(hass, entry)
        entry.async_on_unload(relay.async_add_listener(lambda: remove_departed_peers(hass, entry)))
    LOGGER.info(
        "Talkback loaded for %s (%s at %s, relay API %s)",
        entry.title,
        device.model,
        entry.data[CONF_HOST],
        device.relay_api_version or "none",
    )


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Unload a config entry."""
    return await hass.config_entries.async_unload_platforms(entry, platforms_for(entry))


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: ConfigEntry, device: dr.DeviceEntry
) -> bool:
    """A relay peer's device may go once the peer has left the network; nothing else may."""
    if entry.data.get(CONF_VENDOR) != VENDOR_AXIS:
        return False
    return is_departed_peer_device(entry, device)
