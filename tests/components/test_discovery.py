"""DHCP discovery of Hikvision devices: a card asking for credentials, updates of known ones."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_DHCP, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.loader import async_get_integration
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.const import (
    CONF_ALLOW_BASIC_OVER_HTTP,
    CONF_VENDOR,
    DOMAIN,
    VENDOR_HIKVISION,
)
from simulator.hikvision import CameraConfig, HikvisionCamera

from .helpers import CAMERA_MAC, CAMERA_SERIAL, entry_data, user_input

pytestmark = pytest.mark.usefixtures("socket_enabled")


def dhcp(mac: str = CAMERA_MAC, ip: str = "127.0.0.1") -> DhcpServiceInfo:
    """What Home Assistant's dhcp integration hands over (MAC without colons)."""
    return DhcpServiceInfo(ip=ip, hostname="", macaddress=mac.replace(":", "").lower())


def credentials(camera: HikvisionCamera) -> dict[str, object]:
    """What the user types on the discovered card."""
    return {
        CONF_USERNAME: camera.config.username,
        CONF_PASSWORD: camera.config.password,
        CONF_PORT: camera.port,
    }


async def test_manifest_matches_hikvision_ouis(hass: HomeAssistant) -> None:
    """The 67 Hikvision OUIs confirmed in the IEEE registry, Axis's four, and known devices."""
    integration = await async_get_integration(hass, DOMAIN)
    matchers = integration.dhcp or []
    ouis = {m["macaddress"].removesuffix("*") for m in matchers if "macaddress" in m}
    assert {"registered_devices": True} in matchers
    assert len(ouis) == 67 + 4
    assert {"C056E3", "240F9B", "00408C", "ACCC8E"} <= ouis
    # Ezviz (consumer line, not ISAPI) is left out.
    assert not {"20BBBC", "54D60D", "588FCF"} & ouis


@pytest.mark.usefixtures("media_dir")
async def test_dhcp_hikvision_asks_credentials_then_adds(
    hass: HomeAssistant, camera: HikvisionCamera
) -> None:
    """A Hikvision MAC: a card named by model and address; credentials make the entry."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp()
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {"name": "Hikvision (127.0.0.1)"}
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flows[0]["context"]["title_placeholders"] == {"name": "Hikvision (127.0.0.1)"}

    wrong = {**credentials(camera), CONF_PASSWORD: "wrong"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], wrong)
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], credentials(camera))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Front door"
    assert result["result"].unique_id == CAMERA_MAC
    assert result["data"] == {
        **user_input(camera),
        CONF_ALLOW_BASIC_OVER_HTTP: False,
        CONF_VENDOR: VENDOR_HIKVISION,
    }
    await hass.async_block_till_done()
    assert result["result"].state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    "camera_config", [CameraConfig(mac=CAMERA_MAC, two_way_audio=False, password="pw")]
)
async def test_dhcp_hikvision_without_two_way_audio_aborts(
    hass: HomeAssistant, camera: HikvisionCamera
) -> None:
    """A recorder or camera without a talk channel ends the card, with a reason."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp()
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], credentials(camera))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_supported"
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_dhcp_unreachable_port_is_an_error_on_the_form(
    hass: HomeAssistant, camera: HikvisionCamera
) -> None:
    """The card has no host field: an unreachable device is an error of the form."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp()
    )
    closed = {**credentials(camera), CONF_PORT: 1}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], closed)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


async def test_dhcp_of_configured_device_updates_host(
    hass: HomeAssistant, camera: HikvisionCamera
) -> None:
    """A known MAC at a new address: the entry follows it; no card.

    (The reload that follows is shown with an Axis device, whose zeroconf announcement
    also carries the port: only the loopback is reachable in tests.)
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Front door",
        unique_id=CAMERA_MAC,
        data=entry_data(camera, **{CONF_HOST: "192.0.2.99"}),
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp()
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_dhcp_of_configured_device_at_same_address_changes_nothing(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The same MAC at the same address (a lease renewal): no reload, no card."""
    before = loaded_entry.runtime_data
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp()
    )
    assert result["reason"] == "already_configured"
    await hass.async_block_till_done()
    assert loaded_entry.runtime_data is before


@pytest.mark.usefixtures("media_dir")
@pytest.mark.parametrize(
    "camera_config",
    [CameraConfig(mac=CAMERA_MAC, device_name="IP CAMERA", serial=CAMERA_SERIAL, password="pw")],
)
async def test_factory_name_gives_model_and_serial(
    hass: HomeAssistant, camera: HikvisionCamera
) -> None:
    """A device still called "IP CAMERA" is named by its model and the end of its serial."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp()
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], credentials(camera))
    assert result["title"] == f"{camera.config.model} {CAMERA_SERIAL[-6:]}"
