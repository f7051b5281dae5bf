"""Every path of the config flow, against the simulated camera."""

from __future__ import annotations

from collections.abc import Callable
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
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.const import (
    CONF_ALLOW_BASIC_OVER_HTTP,
    CONF_CHANNELS,
    CONF_LEAD,
    CONF_MAX_DURATION,
    CONF_VENDOR,
    DOMAIN,
    VENDOR_HIKVISION,
)
from simulator.core import Fault, FaultKind
from simulator.hikvision import CameraConfig, HikvisionCamera

from .helpers import CAMERA, CAMERA_MAC, entry_data, user_input

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def test_user_step_creates_entry(hass: HomeAssistant, camera: HikvisionCamera) -> None:
    """The happy path: the device is probed and stored under its MAC."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(camera, **{CONF_HOST: " 127.0.0.1 "})
    )
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


def _wrong_password(camera: HikvisionCamera) -> dict[str, Any]:
    return {CONF_PASSWORD: "wrong"}


def _closed_port(camera: HikvisionCamera) -> dict[str, Any]:
    return {CONF_PORT: 9}  # discard: nothing listens there


def _html_401(camera: HikvisionCamera) -> dict[str, Any]:
    camera.faults.add(Fault(FaultKind.HTML_401))
    return {}


def _malformed(camera: HikvisionCamera) -> dict[str, Any]:
    camera.faults.add(Fault(FaultKind.MALFORMED, path="/ISAPI/System/deviceInfo"))
    return {}


def _server_error(camera: HikvisionCamera) -> dict[str, Any]:
    camera.faults.add(Fault(FaultKind.STATUS, status=500, path="/ISAPI/*"))
    return {}


@pytest.mark.parametrize(
    ("breakage", "errors"),
    [
        (_wrong_password, {CONF_PASSWORD: "invalid_auth"}),
        (_html_401, {CONF_PASSWORD: "invalid_auth"}),
        (_closed_port, {CONF_HOST: "cannot_connect"}),
        (_malformed, {"base": "unknown"}),
        (_server_error, {"base": "unknown"}),
    ],
)
async def test_user_step_errors_then_recovers(
    hass: HomeAssistant,
    camera: HikvisionCamera,
    breakage: Callable[[HikvisionCamera], dict[str, Any]],
    errors: dict[str, str],
) -> None:
    """An error is shown on the field it concerns; correcting it creates the entry."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(camera, **breakage(camera))
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors

    camera.faults.clear()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(camera))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    "camera_config",
    [
        CameraConfig(mac=CAMERA_MAC, two_way_audio=False),
        CameraConfig(mac=CAMERA_MAC, list_channels=False),
    ],
    ids=["no two-way audio", "empty channel list"],
)
async def test_device_without_talk_channel(hass: HomeAssistant, camera: HikvisionCamera) -> None:
    """A device without two-way audio (404 notSupport) is refused with a clear reason."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(camera))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "not_supported"}


async def test_already_configured_updates_host(
    hass: HomeAssistant, camera: HikvisionCamera
) -> None:
    """The same device cannot be added twice; its stored address follows the new one."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=CAMERA_MAC, data=entry_data(camera, **{CONF_HOST: "10.0.0.9"})
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(camera))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.0.1"


async def test_reauth(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera
) -> None:
    """New credentials are checked against the same device, stored, and the entry reloads."""
    result = await loaded_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "still wrong"}
    )
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: CAMERA.password}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert loaded_entry.data[CONF_PASSWORD] == CAMERA.password


async def test_reauth_other_device_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera
) -> None:
    """Credentials that open a different device (same address, other MAC) are refused."""
    async with HikvisionCamera(CameraConfig(mac="00:11:22:33:44:55", password="pw")) as other:
        hass.config_entries.async_update_entry(
            loaded_entry, data={**loaded_entry.data, CONF_PORT: other.port}
        )
        result = await loaded_entry.start_reauth_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "pw"}
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"


async def test_reconfigure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera
) -> None:
    """The device moved to another port: the entry follows; another device is refused."""
    async with (
        HikvisionCamera(CAMERA) as moved,
        HikvisionCamera(
            CameraConfig(mac="00:11:22:33:44:55", password=CAMERA.password)
        ) as stranger,
    ):
        result = await loaded_entry.start_reconfigure_flow(hass)
        assert result["step_id"] == "reconfigure"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_HOST: "127.0.0.1", CONF_PORT: 9, CONF_SSL: False, CONF_VERIFY_SSL: True},
        )
        assert result["errors"] == {CONF_HOST: "cannot_connect"}
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_HOST: "127.0.0.1",
                CONF_PORT: stranger.port,
                CONF_SSL: False,
                CONF_VERIFY_SSL: True,
            },
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "wrong_device"

        result = await loaded_entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_HOST: "127.0.0.1", CONF_PORT: moved.port, CONF_SSL: False, CONF_VERIFY_SSL: True},
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reconfigure_successful"
        assert loaded_entry.data[CONF_PORT] == moved.port
        assert loaded_entry.data[CONF_PASSWORD] == CAMERA.password
        await hass.async_block_till_done()
        assert await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_options_flow(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Options are stored and the entry reloads with them."""
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_LEAD: 200, CONF_MAX_DURATION: 30, CONF_CHANNELS: []}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options == {CONF_LEAD: 200, CONF_MAX_DURATION: 30, CONF_CHANNELS: []}
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert hass.states.get("media_player.front_door") is None
    assert er.async_get(hass).async_get("media_player.front_door") is None
    assert hass.states.get("number.front_door_speaker_volume") is not None
