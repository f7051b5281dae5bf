"""Setting up and unloading a Talkback config entry, and what happens when that fails."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.const import DOMAIN
from simulator.hikvision import HikvisionCamera

from .helpers import entry_data


async def test_entry_loads_and_unloads(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """A config entry sets up, says so once in the log, and unloads cleanly."""
    assert loaded_entry.state is ConfigEntryState.LOADED
    setup_log = "\n".join(record.getMessage() for record in caplog.get_records("setup"))
    assert (
        "Talkback loaded for Front door (DS-2CD2386G2-IU at 127.0.0.1, 1 talk channel(s))"
        in setup_log
    )

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED


async def test_wrong_password_starts_reauth(hass: HomeAssistant, camera: HikvisionCamera) -> None:
    """Refused credentials put the entry in error and ask the user to sign in again."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=camera.config.mac,
        data=entry_data(camera, **{CONF_PASSWORD: "old"}),
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    [flow] = hass.config_entries.flow.async_progress()
    assert flow["context"]["source"] == SOURCE_REAUTH


async def test_unreachable_device_retries(hass: HomeAssistant, camera: HikvisionCamera) -> None:
    """An unreachable device is retried later, with a translated reason."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=camera.config.mac, data=entry_data(camera, **{CONF_PORT: 9})
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason is not None
    assert "Could not reach the device" in entry.reason


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
