"""Basic authentication over plain HTTP: refused for new entries unless allowed, kept (with a
warning) for entries from before the option."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from homeassistant.config_entries import SOURCE_DHCP, SOURCE_USER, ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.const import (
    CONF_ALLOW_BASIC_OVER_HTTP,
    CONF_VENDOR,
    DOMAIN,
    VENDOR_HIKVISION,
)
from simulator.core.auth import AuthScheme
from simulator.hikvision import HikvisionCamera

from .audio_fixtures import write_tone
from .helpers import (
    BASIC_WARNING,
    CAMERA,
    assert_one_basic_warning,
    entry_data,
    heard,
    play,
    set_up,
    user_input,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")

BASIC_ONLY = dataclasses.replace(CAMERA, auth_scheme=AuthScheme.BASIC)
SPEAKER = "media_player.front_door"
CONNECTION = (CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL)


@pytest.mark.parametrize("camera_config", [BASIC_ONLY])
async def test_basic_only_device_is_refused_until_allowed(
    hass: HomeAssistant, camera: HikvisionCamera, media_dir: Path
) -> None:
    """The form says why and offers the choice; allowing it creates a working entry."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert CONF_ALLOW_BASIC_OVER_HTTP not in result["data_schema"].schema

    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(camera))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "basic_refused"}
    assert CONF_ALLOW_BASIC_OVER_HTTP in result["data_schema"].schema
    assert not camera.recorder.recordings

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(camera, **{CONF_ALLOW_BASIC_OVER_HTTP: True})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        **user_input(camera),
        CONF_ALLOW_BASIC_OVER_HTTP: True,
        CONF_VENDOR: VENDOR_HIKVISION,
    }
    await hass.async_block_till_done()
    assert result["result"].state is ConfigEntryState.LOADED

    write_tone(media_dir / "tone.wav", 0.3)
    await play(hass, SPEAKER, "media-source://media_source/local/tone.wav")
    [recording] = camera.recorder.recordings
    assert heard(recording) > 4000


async def test_digest_device_is_stored_without_basic(
    hass: HomeAssistant, camera: HikvisionCamera, caplog: pytest.LogCaptureFixture
) -> None:
    """A Digest device never sees the choice; its entry forbids Basic and logs no warning."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(camera))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_ALLOW_BASIC_OVER_HTTP] is False
    await hass.async_block_till_done()
    assert result["result"].state is ConfigEntryState.LOADED
    assert BASIC_WARNING not in caplog.text


@pytest.mark.parametrize("camera_config", [BASIC_ONLY])
async def test_entry_from_before_the_option_keeps_basic_and_warns(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    camera: HikvisionCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No key in the entry: Basic still works, and one warning names the device, not the secret."""
    assert CONF_ALLOW_BASIC_OVER_HTTP not in config_entry.data
    await set_up(hass, config_entry)
    assert config_entry.state is ConfigEntryState.LOADED
    assert_one_basic_warning(caplog, "Front door", CAMERA.password)


@pytest.mark.parametrize("camera_config", [BASIC_ONLY])
async def test_entry_that_forbids_basic_is_not_asked_to_sign_in_again(
    hass: HomeAssistant, camera: HikvisionCamera
) -> None:
    """Setup retries with the translated reason; no reauth (the password is not the problem)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=CAMERA.mac,
        data=entry_data(camera, **{CONF_ALLOW_BASIC_OVER_HTTP: False}),
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason is not None
    assert "Basic" in entry.reason
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


@pytest.mark.parametrize("camera_config", [BASIC_ONLY])
async def test_reconfigure_stores_the_choice_for_an_old_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, camera: HikvisionCamera
) -> None:
    """Reconfiguring an entry from before the option asks, and stores the answer."""
    await set_up(hass, config_entry)
    address = {key: value for key, value in user_input(camera).items() if key in CONNECTION}
    result = await config_entry.start_reconfigure_flow(hass)
    assert CONF_ALLOW_BASIC_OVER_HTTP not in result["data_schema"].schema
    result = await hass.config_entries.flow.async_configure(result["flow_id"], address)
    assert result["errors"] == {"base": "basic_refused"}
    assert CONF_ALLOW_BASIC_OVER_HTTP in result["data_schema"].schema

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**address, CONF_ALLOW_BASIC_OVER_HTTP: True}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data[CONF_ALLOW_BASIC_OVER_HTTP] is True
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize("camera_config", [BASIC_ONLY])
async def test_discovered_basic_only_device_offers_the_choice(
    hass: HomeAssistant, camera: HikvisionCamera, media_dir: Path
) -> None:
    """The DHCP card probes like the user step: refused, then allowed by the box."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_DHCP},
        data=DhcpServiceInfo(
            ip="127.0.0.1", hostname="", macaddress=CAMERA.mac.replace(":", "").lower()
        ),
    )
    assert result["step_id"] == "discovery_confirm"
    card = {
        CONF_USERNAME: CAMERA.username,
        CONF_PASSWORD: CAMERA.password,
        CONF_PORT: camera.port,
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], card)
    assert result["errors"] == {"base": "basic_refused"}
    assert CONF_ALLOW_BASIC_OVER_HTTP in result["data_schema"].schema

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**card, CONF_ALLOW_BASIC_OVER_HTTP: True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_ALLOW_BASIC_OVER_HTTP] is True
