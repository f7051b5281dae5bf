"""Loading and unloading a Talkback config entry."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.const import DOMAIN


async def test_entry_loads_and_unloads(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A config entry sets up and unloads cleanly, together with its dependencies."""
    entry = MockConfigEntry(domain=DOMAIN, title="Front door")
    entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert "Talkback loaded for Front door" in caplog.text

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED


async def test_dependencies_set_up(hass: HomeAssistant) -> None:
    """Every integration Talkback depends on sets up: their requirements are installed.

    PHACC cannot install packages, so a dependency whose requirement is missing from
    requirements_test.txt (ha-ffmpeg for ffmpeg, mutagen for tts) fails here.
    """
    integration = await async_get_integration(hass, DOMAIN)
    assert {"ffmpeg", "tts"} <= set(integration.dependencies)
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    for dependency in integration.dependencies:
        assert dependency in hass.config.components, dependency


async def test_yaml_configuration_is_rejected(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Talkback is configured from the UI only; YAML keys are reported, not used."""
    assert await async_setup_component(hass, DOMAIN, {DOMAIN: {"host": "127.0.0.1"}})
    assert "talkback integration does not support YAML setup" in caplog.text
