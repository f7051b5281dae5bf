"""The Talkback integration: speakers of IP cameras, door stations and network speakers."""

from __future__ import annotations

from homeassistant.const import CONF_HOST, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .client import create_isapi_client
from .coalescer import DATA_COALESCER, PlaybackCoalescer
from .const import DOMAIN, LOGGER
from .coordinator import CameraConfigEntry, CameraData, ChannelCoordinator
from .entity import main_device_info
from .errors import translation_key_for
from .isapi.exceptions import IsapiAuthenticationError, IsapiError

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.MEDIA_PLAYER,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SWITCH,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up what all Talkback devices share (nothing is configured in YAML)."""
    hass.data[DATA_COALESCER] = PlaybackCoalescer(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: CameraConfigEntry) -> bool:
    """Connect to the device, read its channels and add its entities."""
    client = create_isapi_client(hass, entry.data)
    try:
        device = await client.device_info()
    except IsapiAuthenticationError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except IsapiError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key=translation_key_for(err),
            translation_placeholders={"error": str(err)},
        ) from err

    coordinator = ChannelCoordinator(hass, entry, client)
    entry.runtime_data = CameraData(client=client, device=device, coordinator=coordinator)
    await coordinator.async_config_entry_first_refresh()

    # Channel devices of recorders and door stations hang off the main device.
    main_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **main_device_info(entry)
    )
    entry.runtime_data.main_device_id = main_device.id
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    LOGGER.info(
        "Talkback loaded for %s (%s at %s, %d talk channel(s))",
        entry.title,
        device.model,
        entry.data[CONF_HOST],
        len(coordinator.data),
    )
    return True


async def async_unload_entry(hass: HomeAssistant, entry: CameraConfigEntry) -> bool:
    """Unload a config entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
