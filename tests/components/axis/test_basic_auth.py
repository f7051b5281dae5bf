"""An Axis speaker on old firmware (Basic only) over plain HTTP: refused until allowed, kept
(with a warning) for entries from before the option."""

from __future__ import annotations

from dataclasses import replace
import logging

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.talkback.const import CONF_ALLOW_BASIC_OVER_HTTP, DOMAIN
from simulator.axis import AxisAuth, AxisRelayNetwork
from tests.components.helpers import assert_one_basic_warning, set_up, user_input

from .helpers import PASSWORD, TEMPLATE, axis_entry

pytestmark = pytest.mark.usefixtures("socket_enabled")

BASIC_ONLY = replace(TEMPLATE, auth=AxisAuth.BASIC, relay_api_version=None)


@pytest.mark.usefixtures("media_dir")
@pytest.mark.parametrize("axis_template", [BASIC_ONLY])
async def test_basic_only_speaker_is_refused_until_allowed(
    hass: HomeAssistant, axis_network: AxisRelayNetwork
) -> None:
    """The VAPIX refusal reaches the form as `basic_refused` with the choice to allow it."""
    device = axis_network[0]
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(device))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "basic_refused"}
    assert CONF_ALLOW_BASIC_OVER_HTTP in result["data_schema"].schema

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(device, **{CONF_ALLOW_BASIC_OVER_HTTP: True})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_ALLOW_BASIC_OVER_HTTP] is True
    await hass.async_block_till_done()
    assert result["result"].state is ConfigEntryState.LOADED


@pytest.mark.usefixtures("media_dir")
@pytest.mark.parametrize("axis_template", [BASIC_ONLY])
async def test_entry_from_before_the_option_keeps_basic_and_warns(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, caplog: pytest.LogCaptureFixture
) -> None:
    """No key in the entry: Basic still works, and one warning names the device, not the secret."""
    caplog.set_level(logging.DEBUG)  # no line at any level holds the password
    entry = axis_entry(axis_network[0], "Hall")
    assert CONF_ALLOW_BASIC_OVER_HTTP not in entry.data
    await set_up(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert_one_basic_warning(caplog, "Hall", PASSWORD)
