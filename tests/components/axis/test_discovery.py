"""Discovery of Axis devices: zeroconf, DHCP and relay peers; only devices that play audio."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import replace
from ipaddress import ip_address
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_DHCP,
    SOURCE_INTEGRATION_DISCOVERY,
    SOURCE_ZEROCONF,
    ConfigEntryState,
)
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.const import (
    CONF_ALLOW_BASIC_OVER_HTTP,
    CONF_VENDOR,
    DOMAIN,
    VENDOR_AXIS,
)
from simulator.axis import AxisRelayNetwork, AxisSpeaker, AxisSpeakerConfig
from tests.components.helpers import user_input

from .helpers import PASSWORD, TEMPLATE, axis_entry_data

pytestmark = pytest.mark.usefixtures("socket_enabled")

HALL = replace(TEMPLATE, friendly_name="Hall")
CAMERA = replace(
    TEMPLATE,
    model="M1065-LW",
    product_name="AXIS M1065-LW Network Camera",
    product_type="Network Camera",
    relay_api_version=None,
)


@pytest.fixture
async def speaker(request: pytest.FixtureRequest) -> AsyncGenerator[AxisSpeaker]:
    """One simulated Axis device (the parametrised configuration, Hall by default)."""
    config: AxisSpeakerConfig = getattr(request, "param", HALL)
    async with AxisSpeaker(config) as device:
        yield device


def zeroconf(device: AxisSpeaker, *, name: str | None = None) -> ZeroconfServiceInfo:
    """The `_axis-video._tcp` announcement of a device: its friendly name and MAC."""
    service = "_axis-video._tcp.local."
    return ZeroconfServiceInfo(
        ip_address=ip_address("127.0.0.1"),
        ip_addresses=[ip_address("127.0.0.1")],
        hostname=f"axis-{device.serial.lower()}.local.",
        name=f"{name or device.config.announced_name}.{service}",
        port=device.port,
        type=service,
        properties={"macaddress": device.serial},
    )


def credentials() -> dict[str, Any]:
    """What the user types on the card."""
    return {CONF_USERNAME: TEMPLATE.username, CONF_PASSWORD: PASSWORD}


async def discover(hass: HomeAssistant, source: str, data: Any) -> dict[str, Any]:
    """Start a discovery flow."""
    return dict(
        await hass.config_entries.flow.async_init(DOMAIN, context={"source": source}, data=data)
    )


@pytest.mark.usefixtures("media_dir")
async def test_zeroconf_speaker_card_named_by_its_owner(
    hass: HomeAssistant, speaker: AxisSpeaker
) -> None:
    """An announced speaker: a card titled with its name, model and address; then an entry."""
    result = await discover(hass, SOURCE_ZEROCONF, zeroconf(speaker))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    label = "Hall (AXIS C1410, 127.0.0.1)"
    assert result["description_placeholders"] == {"name": label}
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["title_placeholders"] == {"name": label}
    # Only the unrestricted properties were read, without credentials.
    assert speaker.server is not None
    assert [r.auth for r in speaker.server.requests] == ["anonymous"]

    result = await hass.config_entries.flow.async_configure(result["flow_id"], credentials())
    assert result["step_id"] == "relay"  # it has the relay API
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Hall"
    assert result["data"] == {
        **user_input(speaker),
        CONF_ALLOW_BASIC_OVER_HTTP: False,
        CONF_VENDOR: VENDOR_AXIS,
    }
    await hass.async_block_till_done()
    assert hass.states.get("media_player.hall") is not None


@pytest.mark.parametrize("speaker", [CAMERA], indirect=True)
async def test_zeroconf_camera_without_speaker_is_left_alone(
    hass: HomeAssistant, speaker: AxisSpeaker
) -> None:
    """Core's axis integration takes cameras: no card, a quiet abort."""
    result = await discover(hass, SOURCE_ZEROCONF, zeroconf(speaker))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_audio_device"
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_zeroconf_of_other_vendor_or_link_local_aborts(
    hass: HomeAssistant, speaker: AxisSpeaker
) -> None:
    """DoorBird shares the service type; a link-local address is not one to keep."""
    doorbird = zeroconf(speaker)
    doorbird = replace(doorbird, properties={"macaddress": "1CCAE3123456"})
    result = await discover(hass, SOURCE_ZEROCONF, doorbird)
    assert result["reason"] == "not_axis_device"
    link_local = replace(zeroconf(speaker), ip_address=ip_address("169.254.3.4"))
    result = await discover(hass, SOURCE_ZEROCONF, link_local)
    assert result["reason"] == "link_local_address"


async def test_zeroconf_unreachable_aborts(hass: HomeAssistant, speaker: AxisSpeaker) -> None:
    """An announcement of a device that does not answer: no card."""
    await speaker.stop()
    result = await discover(hass, SOURCE_ZEROCONF, zeroconf(speaker))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cannot_connect"


async def test_zeroconf_default_name_card(hass: HomeAssistant, speaker: AxisSpeaker) -> None:
    """A device still announcing its factory name: model and address only."""
    result = await discover(
        hass, SOURCE_ZEROCONF, zeroconf(speaker, name=f"AXIS C1410 - {speaker.serial}")
    )
    assert result["description_placeholders"] == {"name": "AXIS C1410 (127.0.0.1)"}


@pytest.mark.usefixtures("media_dir")
async def test_zeroconf_of_configured_device_updates_address_and_reloads(
    hass: HomeAssistant, speaker: AxisSpeaker
) -> None:
    """A known device announced at another port: the entry follows and loads; no card."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Hall",
        unique_id=speaker.mac.lower(),
        data=axis_entry_data(speaker, **{CONF_PORT: 1}),  # where it no longer answers
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY

    result = await discover(hass, SOURCE_ZEROCONF, zeroconf(speaker))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_PORT] == speaker.port
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


@pytest.mark.usefixtures("media_dir")
async def test_dhcp_axis_speaker_card_asks_port(hass: HomeAssistant, speaker: AxisSpeaker) -> None:
    """DHCP knows no port: the probe goes to port 80 and the card asks for the port."""
    info = DhcpServiceInfo(ip="127.0.0.1", hostname="hall", macaddress=speaker.serial.lower())
    with patch("custom_components.talkback.config_flow.DEFAULT_HTTP_PORT", speaker.port):
        result = await discover(hass, SOURCE_DHCP, info)
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {"name": "hall (AXIS C1410, 127.0.0.1)"}
    assert CONF_PORT in result["data_schema"].schema
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**credentials(), CONF_PORT: speaker.port}
    )
    assert result["step_id"] == "relay"


async def test_dhcp_axis_camera_or_nothing_on_port_80_aborts(
    hass: HomeAssistant, speaker: AxisSpeaker
) -> None:
    """Without an answer on port 80 there is nothing to show."""
    info = DhcpServiceInfo(
        ip="127.0.0.1", hostname="axis-accc8e5a0000", macaddress=speaker.serial.lower()
    )
    result = await discover(hass, SOURCE_DHCP, info)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cannot_connect"


@pytest.mark.usefixtures("media_dir")
async def test_relay_peers_without_entry_are_discovered(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, leader_entry: MockConfigEntry
) -> None:
    """The devices a leader found get a card each, with the leader's credentials prefilled."""
    await hass.async_block_till_done()
    flows = {
        flow["context"]["unique_id"]: flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    }
    assert set(flows) == {axis_network[1].mac.lower(), axis_network[2].mac.lower()}
    flow = flows[axis_network[2].mac.lower()]
    assert flow["context"]["source"] == SOURCE_INTEGRATION_DISCOVERY
    assert flow["context"]["title_placeholders"] == {"name": f"C1410 ({axis_network[2].address})"}
    result = await hass.config_entries.flow.async_configure(flow["flow_id"])
    schema = result["data_schema"].schema
    suggested = {
        str(key): key.description["suggested_value"]
        for key in schema
        if key.description and "suggested_value" in key.description
    }
    # The leader's user is suggested; its password stays on the server (empty = use it).
    assert suggested == {CONF_USERNAME: leader_entry.data[CONF_USERNAME]}
    assert isinstance(next(key for key in schema if str(key) == CONF_PASSWORD), vol.Optional)

    # Polling again announces nobody twice.
    await leader_entry.runtime_data.relay.async_refresh()
    await hass.async_block_till_done()
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 2


@pytest.mark.usefixtures("media_dir")
async def test_relay_peer_signs_in_with_the_leaders_password(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, leader_entry: MockConfigEntry
) -> None:
    """An empty password on a relay peer's card means the leader's (same account).

    (The leader's own announcement carries the simulated LAN address, which only the
    simulated peers reach: this card is started with the loopback address instead.)
    """
    await hass.async_block_till_done()
    for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN):
        hass.config_entries.flow.async_abort(flow["flow_id"])
    peer = axis_network[2]
    with patch("custom_components.talkback.config_flow.DEFAULT_HTTP_PORT", peer.port):
        result = await discover(
            hass,
            SOURCE_INTEGRATION_DISCOVERY,
            {
                CONF_HOST: "127.0.0.1",
                "mac": peer.mac,
                "name": "Porch",
                "model": "C1410",
                "leader_entry_id": leader_entry.entry_id,
            },
        )
    assert result["description_placeholders"] == {"name": "Porch (C1410, 127.0.0.1)"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: TEMPLATE.username}
    )
    assert result["step_id"] == "relay"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PASSWORD] == leader_entry.data[CONF_PASSWORD]
