"""Offline speech for Talkback's development instance and end-to-end tests.

A small Home Assistant integration (domain `offline_speech`) with an entity-based TTS engine on
eSpeak NG, so `tts.speak` works without a network. `scripts/develop` and the end-to-end tests
link it into their configuration's `custom_components`; it is not part of Talkback.
"""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_IMPORT, ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

DOMAIN = "offline_speech"
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """`offline_speech:` in YAML creates the config entry once."""
    if DOMAIN in config and not hass.config_entries.async_entries(DOMAIN):
        hass.async_create_task(
            hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_IMPORT})
        )
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Add the TTS entity."""
    await hass.config_entries.async_forward_entry_setups(entry, [Platform.TTS])
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Remove the TTS entity."""
    return await hass.config_entries.async_unload_platforms(entry, [Platform.TTS])
