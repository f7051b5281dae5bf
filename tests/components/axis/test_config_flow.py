"""Config flow paths of Axis devices: vendor detection, errors, reauth, reconfigure, options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
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
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.const import (
    CONF_ALLOW_BASIC_OVER_HTTP,
    CONF_LEAD,
    CONF_MAX_DURATION,
    CONF_VENDOR,
    DOMAIN,
    VENDOR_AXIS,
)
from custom_components.talkback.vapix.models import RelayPeer
from simulator.axis import AxisAuth, AxisRelayNetwork, AxisSpeaker
from simulator.core import Fault, FaultKind
from tests.components.helpers import user_input

from .helpers import PASSWORD, TEMPLATE, TITLE, poll, poll_until

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def start(hass: HomeAssistant) -> str:
    """Open the user step; return the flow id."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    return result["flow_id"]


@pytest.mark.usefixtures("media_dir")
async def test_axis_speaker_is_detected(
    hass: HomeAssistant, axis_network: AxisRelayNetwork
) -> None:
    """An Axis speaker answers VAPIX (not ISAPI): stored as Axis, under its MAC."""
    device = axis_network[0]
    result = await hass.config_entries.flow.async_configure(await start(hass), user_input(device))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "relay"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == TITLE
    assert result["result"].unique_id == "ac:cc:8e:5a:00:00"
    assert result["data"] == {
        **user_input(device),
        CONF_ALLOW_BASIC_OVER_HTTP: False,
        CONF_VENDOR: VENDOR_AXIS,
    }
    await hass.async_block_till_done()
    assert result["result"].state is ConfigEntryState.LOADED
    assert hass.states.get("media_player.axis_c1410_5a0000") is not None


@pytest.mark.usefixtures("media_dir")
@pytest.mark.parametrize(
    ("axis_template", "relay_step"),
    [
        (replace(TEMPLATE, relay_api_version=None), False),
        (replace(TEMPLATE, basic_device_info=False), True),
    ],
)
async def test_speaker_without_relay_api_or_basicdeviceinfo(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, relay_step: bool
) -> None:
    """AXIS OS 10.12 on (no relay API) and old firmware are accepted: audio output is enough.

    Only a device with the relay API gets the network step.
    """
    result = await hass.config_entries.flow.async_configure(
        await start(hass), user_input(axis_network[0])
    )
    assert (result.get("step_id") == "relay") is relay_step
    if relay_step:
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_VENDOR] == VENDOR_AXIS


@pytest.mark.parametrize("axis_template", [replace(TEMPLATE, audio_output=False)])
async def test_camera_without_audio_output(
    hass: HomeAssistant, axis_network: AxisRelayNetwork
) -> None:
    """An Axis device that cannot play audio is refused with its own reason."""
    result = await hass.config_entries.flow.async_configure(
        await start(hass), user_input(axis_network[0])
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_audio_output"}


def _wrong_password(device: AxisSpeaker) -> dict[str, Any]:
    return {CONF_PASSWORD: "wrong"}


def _no_param_cgi(device: AxisSpeaker) -> dict[str, Any]:
    device.faults.add(Fault(FaultKind.STATUS, status=404, path="/axis-cgi/param.cgi"))
    return {}


def _param_cgi_fails(device: AxisSpeaker) -> dict[str, Any]:
    device.faults.add(Fault(FaultKind.STATUS, status=500, path="/axis-cgi/param.cgi"))
    return {}


def _param_cgi_refuses(device: AxisSpeaker) -> dict[str, Any]:
    device.faults.add(Fault(FaultKind.HTML_401, path="/axis-cgi/param.cgi"))
    return {}


def _param_cgi_drops(device: AxisSpeaker) -> dict[str, Any]:
    device.faults.add(Fault(FaultKind.DROP_AFTER_SENT, nbytes=0, path="/axis-cgi/param.cgi"))
    return {}


@pytest.mark.parametrize(
    ("breakage", "errors"),
    [
        (_wrong_password, {CONF_PASSWORD: "invalid_auth"}),
        # No ISAPI (404 once signed in) and no VAPIX either: not a device for Talkback.
        (_no_param_cgi, {"base": "not_supported"}),
        (_param_cgi_fails, {"base": "unknown"}),
        (_param_cgi_refuses, {CONF_PASSWORD: "invalid_auth"}),
        (_param_cgi_drops, {CONF_HOST: "cannot_connect"}),
    ],
)
@pytest.mark.usefixtures("media_dir")
async def test_errors_then_recovers(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    breakage: Callable[[AxisSpeaker], dict[str, Any]],
    errors: dict[str, str],
) -> None:
    """An error on the VAPIX side shows on its field; correcting it creates the entry."""
    device = axis_network[0]
    flow_id = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(device, **breakage(device))
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors

    device.faults.clear()
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(device))
    assert result["step_id"] == "relay"


async def test_reauth_and_reconfigure(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, leader_entry: MockConfigEntry
) -> None:
    """New credentials and a new address are checked against the same Axis device."""
    result = await leader_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: "nope"}
    )
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: PASSWORD}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()

    other = axis_network[1]
    result = await leader_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: other.port, CONF_SSL: False, CONF_VERIFY_SSL: True},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"


async def test_options_have_no_channels(hass: HomeAssistant, leader_entry: MockConfigEntry) -> None:
    """An Axis device has one audio output: the options are prebuffer and play time."""
    result = await hass.config_entries.options.async_init(leader_entry.entry_id)
    assert "speaker_channels" not in result["data_schema"].schema
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_LEAD: 200, CONF_MAX_DURATION: 30}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert leader_entry.options == {CONF_LEAD: 200, CONF_MAX_DURATION: 30}
    assert leader_entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize("axis_template", [replace(TEMPLATE, auth=AxisAuth.NONE)])
async def test_device_answering_neither_protocol(
    hass: HomeAssistant, axis_network: AxisRelayNetwork
) -> None:
    """A device that answers 404 to both ISAPI and VAPIX is not one Talkback can use."""
    device = axis_network[0]
    _no_param_cgi(device)
    result = await hass.config_entries.flow.async_configure(await start(hass), user_input(device))
    assert result["errors"] == {"base": "not_supported"}


async def add_with_relay_step(
    hass: HomeAssistant, device: AxisSpeaker, choice: dict[str, Any]
) -> dict[str, Any]:
    """Run the user step for a device, then the relay step with `choice`."""
    result = await hass.config_entries.flow.async_configure(await start(hass), user_input(device))
    assert result["step_id"] == "relay"
    return dict(await hass.config_entries.flow.async_configure(result["flow_id"], choice))


@pytest.mark.usefixtures("media_dir")
async def test_relay_step_builds_a_network(
    hass: HomeAssistant, axis_network: AxisRelayNetwork
) -> None:
    """The new device leads; a discovered device follows with the credentials typed in."""
    leader, follower = axis_network[0], axis_network[1]
    result = await hass.config_entries.flow.async_configure(await start(hass), user_input(leader))
    schema = result["data_schema"].schema
    followers = schema["followers"].config["options"]
    assert [option["value"] for option in followers] == [follower.mac.lower(), "ac:cc:8e:5a:00:02"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "leader": leader.mac.lower(),
            "followers": [follower.mac.lower()],
            "multicast": True,
            "peer_username": "root",
            "peer_password": PASSWORD,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry = result["result"]
    network = entry.runtime_data.relay.data.network
    assert [peer.leader for peer in network.peers] == [True, False]
    assert network.configuration.multicast_enabled is True
    await poll_until(hass, entry, network.peers[1].id, "online", "sensor")
    await poll(hass, entry)
    assert hass.states.get("sensor.192_0_2_11_connection_status").state == "online"


@pytest.mark.usefixtures("media_dir")
async def test_relay_step_joins_a_configured_leader(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, leader_entry: MockConfigEntry
) -> None:
    """A device already in Talkback that leads a network: the new device is added to it."""
    hall = axis_network[0].mac.lower()
    await leader_entry.runtime_data.client.set_audio_peer_configurations(
        [RelayPeer(name="Hall", mac=hall, leader=True)]
    )
    result = await add_with_relay_step(
        hass, axis_network[1], {"leader": hall, "followers": [], "multicast": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await poll_until(hass, leader_entry, "sensor.axis_c1410_5a0001_connection_status", "online")
    network = leader_entry.runtime_data.relay.data.network
    assert [peer.configuration.name for peer in network.peers] == ["Hall", "AXIS C1410 5A0001"]
    assert network.configuration.multicast_enabled is True


@pytest.mark.usefixtures("media_dir")
async def test_relay_step_refusal_then_recovers(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, leader_entry: MockConfigEntry
) -> None:
    """A network the device would refuse is explained on the form; a valid one is written."""
    hall = axis_network[0].mac.lower()
    result = await hass.config_entries.flow.async_configure(
        await start(hass), user_input(axis_network[1])
    )
    flow_id = result["flow_id"]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"leader": hall, "followers": [hall]}
    )
    assert result["errors"] == {"base": "invalid_network"}
    assert "Hall" in result["description_placeholders"]["error"]

    axis_network[0].faults.add(Fault(FaultKind.DROP_AFTER_SENT, nbytes=0, path="/vapix/audiorelay"))
    result = await hass.config_entries.flow.async_configure(flow_id, {"leader": hall})
    assert result["errors"] == {"base": "cannot_connect"}  # the relay form has no host field

    axis_network[0].faults.clear()
    result = await hass.config_entries.flow.async_configure(flow_id, {"leader": hall})
    assert result["type"] is FlowResultType.CREATE_ENTRY
