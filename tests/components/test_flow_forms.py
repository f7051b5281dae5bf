"""The forms themselves: every field described, errors where the form can show them, options
of an unloaded entry, dialogs that name their device."""

from __future__ import annotations

import json
from pathlib import Path

from homeassistant.config_entries import SOURCE_DHCP, SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.const import CONF_CHANNELS, DOMAIN
from simulator.hikvision import HikvisionCamera

from .helpers import CAMERA_MAC, DOOR_STATION, user_input

pytestmark = pytest.mark.usefixtures("socket_enabled")

STRINGS = json.loads(
    (
        Path(__file__).parents[2] / "custom_components" / "talkback" / "translations" / "en.json"
    ).read_text()
)


@pytest.mark.parametrize(
    ("section", "step"),
    [
        ("config", "user"),
        ("config", "discovery_confirm"),
        ("config", "reauth_confirm"),
        ("config", "reconfigure"),
        ("config", "relay"),
        ("options", "init"),
    ],
)
def test_every_field_is_described(section: str, step: str) -> None:
    """Each field of each step has a label and a description."""
    strings = STRINGS[section]["step"][step]
    assert strings["data"]
    assert set(strings["data_description"]) == set(strings["data"])


async def test_reauth_connection_error_is_on_the_form(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera
) -> None:
    """The reauth form has no host field: an unreachable device is the form's error."""
    result = await loaded_entry.start_reauth_flow(hass)
    assert result["description_placeholders"] == {"name": "Front door"}
    await camera.stop()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "x"}
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_reconfigure_wrong_password_is_on_the_form(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera
) -> None:
    """The reconfigure form has no password field: refused credentials are the form's."""
    result = await loaded_entry.start_reconfigure_flow(hass)
    assert result["description_placeholders"] == {"name": "Front door"}
    hass.config_entries.async_update_entry(
        loaded_entry, data={**loaded_entry.data, CONF_PASSWORD: "changed on the device"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {k: v for k, v in user_input(camera).items() if k not in (CONF_USERNAME, CONF_PASSWORD)},
    )
    assert result["errors"] == {"base": "invalid_auth"}


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
async def test_options_name_the_device_and_its_channels(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The options dialog names its device; channels read "Channel 1 (G.711ulaw)"."""
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["description_placeholders"] == {"name": "Gate"}
    selector = result["data_schema"].schema[CONF_CHANNELS].config
    assert selector["options"] == [
        {"value": "1", "label": "Channel 1 (G.711ulaw)"},
        {"value": "2", "label": "Channel 2 (G.711alaw)"},
    ]


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
async def test_options_of_an_unloaded_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The options open while the device is not loaded (offline, or disabled)."""
    hass.config_entries.async_update_entry(loaded_entry, options={CONF_CHANNELS: ["2"]})
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    selector = result["data_schema"].schema[CONF_CHANNELS].config
    assert selector["options"] == [{"value": "2", "label": "Channel 2"}]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"lead_ms": 150, "max_duration_s": 60, CONF_CHANNELS: ["2"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options["lead_ms"] == 150


@pytest.mark.usefixtures("media_dir")
async def test_adding_by_hand_ends_the_discovered_card(
    hass: HomeAssistant, camera: HikvisionCamera
) -> None:
    """A user who types the address of a discovered device adds it; the card goes."""
    await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_DHCP},
        data=DhcpServiceInfo(ip="127.0.0.1", hostname="", macaddress=CAMERA_MAC.replace(":", "")),
    )
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(camera))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert CONF_PORT in result["data"]
