"""The per-channel entities: what they show, what they write, and how they follow the device."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_OPTION,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.talkback.const import DOMAIN
from custom_components.talkback.hikvision.data import HikvisionData
from simulator.core import Fault, FaultKind
from simulator.hikvision import HikvisionCamera

from .helpers import CAMERA, DOOR_STATION, set_up

pytestmark = pytest.mark.usefixtures("socket_enabled")

VOLUME = "number.front_door_speaker_volume"
CODEC = "select.front_door_audio_codec"
INPUT = "select.front_door_audio_input"
NOISE = "switch.front_door_noise_reduction"
TALKING = "binary_sensor.front_door_talk_session"


async def poll(entry: MockConfigEntry) -> None:
    """What the 30 s timer does (a frozen clock would expire the client's own timeouts)."""
    await entry.runtime_data.coordinator.async_refresh()
    await entry.runtime_data.coordinator.hass.async_block_till_done()


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "media_dir")
@pytest.mark.parametrize(
    "platform",
    [
        Platform.ASSIST_SATELLITE,
        Platform.BINARY_SENSOR,
        Platform.MEDIA_PLAYER,
        Platform.NUMBER,
        Platform.SELECT,
        Platform.SWITCH,
    ],
)
async def test_entities(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Every entity of every platform, as registered and as shown."""
    with patch.object(HikvisionData, "platforms", (platform,)):
        await set_up(hass, config_entry)
    await snapshot_platform(hass, entity_registry, snapshot, config_entry.entry_id)


async def test_camera_device(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    camera: HikvisionCamera,
) -> None:
    """A camera is one device, known by its serial number and MAC."""
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, CAMERA.serial), loaded_entry.entry_id
    )
    assert device is not None
    assert device.connections == {(dr.CONNECTION_NETWORK_MAC, CAMERA.mac)}
    assert device.manufacturer == "Hikvision"
    assert device.model == CAMERA.model
    assert device.name == "Front door"
    assert device.configuration_url == f"http://127.0.0.1:{camera.port}/"
    assert device.sw_version == CAMERA.firmware_version


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
async def test_door_station_gets_a_device_per_channel(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A station with two talk channels: the station, and a child device per channel."""
    station = device_registry.async_get_device_by_identifier(
        (DOMAIN, DOOR_STATION.serial), loaded_entry.entry_id
    )
    assert station is not None
    for channel in ("1", "2"):
        device = device_registry.async_get_child_device_by_identifier(
            (DOMAIN, f"{DOOR_STATION.serial}_{channel}"), loaded_entry.entry_id
        )
        assert device is not None
        assert device.parent_device_id == station.id
        speakers = [
            entry.entity_id
            for entry in er.async_entries_for_device(entity_registry, device.id)
            if entry.domain == "media_player"
        ]
        assert len(speakers) == 1
    assert hass.states.get("select.gate_channel_2_audio_codec").state == "G.711alaw"


@pytest.mark.usefixtures("loaded_entry")
async def test_speaker_volume_is_written(hass: HomeAssistant, camera: HikvisionCamera) -> None:
    """The number writes the volume to the device, then shows what the device reports."""
    assert hass.states.get(VOLUME).attributes["min"] == 0
    assert hass.states.get(VOLUME).attributes["max"] == 100
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: VOLUME, "value": 80}, blocking=True
    )
    assert camera.channels[1].speaker_volume == 80
    assert hass.states.get(VOLUME).state == "80"


@pytest.mark.usefixtures("loaded_entry")
async def test_codec_is_written(hass: HomeAssistant, camera: HikvisionCamera) -> None:
    """The codec select offers the device's options and writes the choice."""
    assert hass.states.get(CODEC).attributes["options"] == [
        "G.711ulaw",
        "G.711alaw",
        "G.726",
        "AAC",
    ]
    await hass.services.async_call(
        "select", "select_option", {ATTR_ENTITY_ID: CODEC, ATTR_OPTION: "G.711alaw"}, blocking=True
    )
    assert camera.channels[1].codec == "G.711alaw"
    assert hass.states.get(CODEC).state == "G.711alaw"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "loaded_entry")
async def test_input_type_is_written(hass: HomeAssistant, camera: HikvisionCamera) -> None:
    """The audio input select (disabled by default: rarely changed) writes the choice."""
    await hass.services.async_call(
        "select", "select_option", {ATTR_ENTITY_ID: INPUT, ATTR_OPTION: "LineIn"}, blocking=True
    )
    assert camera.channels[1].input_type == "LineIn"


@pytest.mark.usefixtures("loaded_entry")
async def test_noise_reduction_is_switched(hass: HomeAssistant, camera: HikvisionCamera) -> None:
    """The switch turns noise reduction on and off on the device."""
    assert hass.states.get(NOISE).state == STATE_OFF
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: NOISE}, blocking=True)
    assert camera.channels[1].noise_reduce is True
    assert hass.states.get(NOISE).state == STATE_ON
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: NOISE}, blocking=True)
    assert camera.channels[1].noise_reduce is False


@pytest.mark.usefixtures("loaded_entry")
async def test_write_refused_by_device(hass: HomeAssistant, camera: HikvisionCamera) -> None:
    """A write the device refuses raises a translated error; the value stays as it was."""
    camera.faults.add(Fault(FaultKind.STATUS, status=500, method="PUT"))
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "number", "set_value", {ATTR_ENTITY_ID: VOLUME, "value": 10}, blocking=True
        )
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "device_error"
    assert camera.channels[1].speaker_volume == 50


async def test_session_of_another_app_shows(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera
) -> None:
    """`enabled` reads true while any session is open: the sensor shows other apps talking."""
    assert hass.states.get(TALKING).state == STATE_OFF
    camera.leave_stale_session()
    await poll(loaded_entry)
    assert hass.states.get(TALKING).state == STATE_ON


async def test_availability_follows_the_device(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    camera: HikvisionCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Entities go unavailable when the device stops answering and come back with it."""
    camera.faults.add(Fault(FaultKind.STATUS, status=503))
    await poll(loaded_entry)
    await poll(loaded_entry)
    assert hass.states.get(VOLUME).state == STATE_UNAVAILABLE
    assert hass.states.get("media_player.front_door").state == STATE_UNAVAILABLE
    assert caplog.text.count("Error fetching talkback channels") == 1  # said once, not per poll

    camera.faults.clear()
    await poll(loaded_entry)
    assert hass.states.get(VOLUME).state == "50"
    assert "Fetching talkback channels Front door data recovered" in caplog.text


async def test_refused_credentials_while_polling_start_reauth(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    camera: HikvisionCamera,
) -> None:
    """A password changed on the device asks the user to sign in again."""
    camera.faults.add(Fault(FaultKind.HTML_401))
    await poll(loaded_entry)
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
