"""Setting up Axis entries, and what happens when that fails."""

from __future__ import annotations

from dataclasses import replace

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback import async_remove_config_entry_device
from custom_components.talkback.const import DOMAIN
from simulator.axis import AxisRelayNetwork
from simulator.core import Fault, FaultKind

from .helpers import HALL, KITCHEN, TEMPLATE, axis_entry, axis_entry_data, join

pytestmark = pytest.mark.usefixtures("socket_enabled", "media_dir")


async def test_loads_and_unloads(
    hass: HomeAssistant, leader_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """An Axis entry sets up, says what it found, and unloads cleanly."""
    setup_log = "\n".join(record.getMessage() for record in caplog.get_records("setup"))
    assert "Talkback loaded for Hall (C1410 at 127.0.0.1, relay API 1.2)" in setup_log
    assert await hass.config_entries.async_unload(leader_entry.entry_id)
    assert leader_entry.state is ConfigEntryState.NOT_LOADED


@pytest.mark.parametrize(
    ("changes", "state"),
    [
        ({CONF_PASSWORD: "old"}, ConfigEntryState.SETUP_ERROR),
        ({CONF_PORT: 9}, ConfigEntryState.SETUP_RETRY),
    ],
)
async def test_setup_failures(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    changes: dict[str, object],
    state: ConfigEntryState,
) -> None:
    """Refused credentials ask to sign in again; an unreachable device is retried."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=axis_network[0].mac.lower(),
        data=axis_entry_data(axis_network[0], **changes),
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is state
    reauth = [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
    ]
    assert bool(reauth) is (state is ConfigEntryState.SETUP_ERROR)


async def test_capabilities_unreadable_retries(
    hass: HomeAssistant, axis_network: AxisRelayNetwork
) -> None:
    """The relay capabilities are read at setup; a device failing that is retried."""
    axis_network[0].faults.add(Fault(FaultKind.STATUS, status=500, path="/vapix/audiorelay"))
    entry = axis_entry(axis_network[0], "Hall")
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY


@pytest.mark.parametrize("axis_template", [replace(TEMPLATE, relay_api_version=None)])
async def test_no_grouping_without_relay_api(
    hass: HomeAssistant,
    leader_entry: MockConfigEntry,
    follower_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A speaker without relay API offers no grouping; its device cannot be removed."""
    with pytest.raises(ServiceValidationError) as caught:
        await join(hass, HALL, KITCHEN)
    assert caught.value.translation_key == "service_not_supported"
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, "ACCC8E5A0000"), leader_entry.entry_id
    )
    assert device is not None
    assert not await async_remove_config_entry_device(hass, leader_entry, device)


async def test_camera_devices_are_not_removable(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """A camera's devices belong to the camera: none can be removed by hand."""
    [device] = dr.async_entries_for_config_entry(device_registry, loaded_entry.entry_id)
    assert not await async_remove_config_entry_device(hass, loaded_entry, device)
