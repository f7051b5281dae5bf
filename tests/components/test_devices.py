"""Channel devices follow the device: new channels without a reload, gone ones removed."""

from __future__ import annotations

from homeassistant.components.assist_satellite import AssistSatelliteEntityFeature
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_SUPPORTED_FEATURES,
    SERVICE_TURN_ON,
    STATE_ON,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.talkback.const import CONF_CHANNELS, DOMAIN
from simulator.hikvision import ChannelConfig, HikvisionCamera
from simulator.hikvision.channel import AudioChannel

from .helpers import CAMERA, DOOR_STATION, assert_nothing_added_twice, device_entities, live

pytestmark = pytest.mark.usefixtures("socket_enabled")


def channel_device(
    device_registry: dr.DeviceRegistry, entry: MockConfigEntry, channel: str
) -> dr.AnyDeviceEntry | None:
    """The child device of a talk channel."""
    return device_registry.async_get_child_device_by_identifier(
        (DOMAIN, f"{DOOR_STATION.serial}_{channel}"), entry.entry_id
    )


async def poll(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """What the 30 s timer does."""
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
async def test_channel_appears_without_reload(
    hass: HomeAssistant,
    camera: HikvisionCamera,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A sub-station added to the door station: its channel device and speaker appear."""
    data = loaded_entry.runtime_data
    assert hass.states.get("media_player.gate_channel_3") is None
    camera.channels[3] = AudioChannel(ChannelConfig(id=3))
    await poll(hass, loaded_entry)

    assert loaded_entry.runtime_data is data  # no reload
    device = channel_device(device_registry, loaded_entry, "3")
    assert device is not None
    assert hass.states.get("media_player.gate_channel_3") is not None
    assert hass.states.get("select.gate_channel_3_audio_codec").state == "G.711ulaw"
    assert "3" in data.outputs


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
async def test_gone_channel_device_is_removed(
    hass: HomeAssistant,
    camera: HikvisionCamera,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A channel the device no longer lists: its device and entities go."""
    device = channel_device(device_registry, loaded_entry, "2")
    assert device is not None
    assert er.async_entries_for_device(entity_registry, device.id)
    del camera.channels[2]
    await poll(hass, loaded_entry)

    assert channel_device(device_registry, loaded_entry, "2") is None
    assert not er.async_entries_for_device(entity_registry, device.id)
    assert hass.states.get("media_player.gate_channel_2") is None
    assert channel_device(device_registry, loaded_entry, "1") is not None


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
async def test_user_may_delete_only_gone_devices(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The device page's delete: refused for the station and a current channel."""
    assert await async_setup_component(hass, "config", {})
    current = channel_device(device_registry, loaded_entry, "1")
    assert await _remove(hass, hass_ws_client, loaded_entry, current) is False
    station = device_registry.async_get_device_by_identifier(
        (DOMAIN, DOOR_STATION.serial), loaded_entry.entry_id
    )
    assert await _remove(hass, hass_ws_client, loaded_entry, station) is False
    # A channel device the device does not have (left over from an earlier run).
    assert station is not None
    gone = device_registry.async_get_or_create_child(
        config_entry_id=loaded_entry.entry_id,
        identifiers={(DOMAIN, f"{DOOR_STATION.serial}_9")},
        parent_device_id=station.id,
        translation_key="channel",
        translation_placeholders={"channel": "9"},
    )
    assert await _remove(hass, hass_ws_client, loaded_entry, gone) is True
    assert channel_device(device_registry, loaded_entry, "9") is None


async def _remove(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    entry: MockConfigEntry,
    device: dr.AnyDeviceEntry | None,
) -> bool:
    """Delete a device from the device page; whether Talkback let it go."""
    assert device is not None
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": entry.entry_id,
            "device_id": device.id,
        }
    )
    response = await client.receive_json()
    if not response["success"]:  # refused by Talkback, not for another reason
        assert (
            response["error"]["message"] == "Failed to remove device entry, rejected by integration"
        )
    return bool(response["success"])


async def test_camera_keeps_its_entities_on_the_camera(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """A camera's single channel sits on the camera, which is never a gone channel."""
    camera_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, CAMERA.serial), loaded_entry.entry_id
    )
    assert camera_device is not None
    assert not dr.async_child_entries_for_config_entry(device_registry, loaded_entry.entry_id)


def voice_entities(channel: str) -> tuple[str, ...]:
    """The voice satellite of a door station's channel and its selects and switch."""
    return (
        f"assist_satellite.gate_channel_{channel}",
        f"select.gate_channel_{channel}_assistant",
        f"select.gate_channel_{channel}_finished_speaking_detection",
        f"switch.gate_channel_{channel}_broadcasts",
    )


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
@pytest.mark.parametrize(
    "substation",
    [
        ChannelConfig(id=3, input_type="MicIn"),
        ChannelConfig(id=3, input_type="LineIn"),
        ChannelConfig(id=3, input_type=None, microphone_volume=60),
    ],
    ids=["mic_in", "line_in", "microphone_volume"],
)
async def test_appearing_channel_with_audio_input_gets_its_satellite(
    hass: HomeAssistant,
    camera: HikvisionCamera,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    substation: ChannelConfig,
) -> None:
    """A sub-station with an audio input, added at runtime: a satellite without a reload.

    Its broadcast switch steers that satellite (they share the channel's voice settings);
    when the sub-station goes, its satellite, selects and switch go with it.
    """
    data = loaded_entry.runtime_data
    assert all(hass.states.get(entity_id) is None for entity_id in voice_entities("3"))
    camera.channels[3] = AudioChannel(substation)
    await poll(hass, loaded_entry)

    assert loaded_entry.runtime_data is data  # no reload
    satellite, pipeline, vad, broadcasts = voice_entities("3")
    for entity_id in voice_entities("3"):
        state = hass.states.get(entity_id)
        assert state is not None, entity_id
        assert state.state != STATE_UNAVAILABLE, entity_id
    assert hass.states.get(pipeline).state == "preferred"
    assert hass.states.get(vad).state == "default"
    assert not _features(hass, satellite) & AssistSatelliteEntityFeature.ANNOUNCE
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: broadcasts}, blocking=True
    )
    assert _features(hass, satellite) & AssistSatelliteEntityFeature.ANNOUNCE
    assert hass.states.get(voice_entities("2")[0]) is not None  # the others stay

    del camera.channels[3]
    await poll(hass, loaded_entry)

    for entity_id in voice_entities("3"):
        assert hass.states.get(entity_id) is None, entity_id
        assert entity_registry.async_get(entity_id) is None, entity_id
    assert hass.states.get(voice_entities("2")[0]) is not None


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
async def test_appearing_channel_without_audio_input_gets_no_satellite(
    hass: HomeAssistant, camera: HikvisionCamera, loaded_entry: MockConfigEntry
) -> None:
    """A sub-station with nothing to listen to: a speaker, but no satellite."""
    camera.channels[3] = AudioChannel(ChannelConfig(id=3, input_type=None))
    await poll(hass, loaded_entry)

    assert hass.states.get("media_player.gate_channel_3") is not None
    assert all(hass.states.get(entity_id) is None for entity_id in voice_entities("3"))


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
async def test_appearing_channel_not_chosen_as_speaker_gets_its_satellite(
    hass: HomeAssistant, camera: HikvisionCamera, config_entry: MockConfigEntry
) -> None:
    """Speakers chosen in the options: a new channel gets no speaker, but its satellite."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={CONF_CHANNELS: ["1", "2"]})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    camera.channels[3] = AudioChannel(ChannelConfig(id=3))
    await poll(hass, config_entry)

    assert hass.states.get("media_player.gate_channel_3") is None
    assert hass.states.get("assist_satellite.gate_channel_3") is not None
    assert "3" in config_entry.runtime_data.outputs  # what the satellite plays on


def _features(hass: HomeAssistant, entity_id: str) -> int:
    state = hass.states.get(entity_id)
    assert state is not None
    return int(state.attributes[ATTR_SUPPORTED_FEATURES])


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
@pytest.mark.parametrize("at_setup", [True, False], ids=["from_setup", "appeared_later"])
async def test_channel_that_returns_gets_its_entities_back(
    hass: HomeAssistant,
    camera: HikvisionCamera,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    at_setup: bool,
) -> None:
    """A sub-station unplugged and plugged back: the same entities again, no reload.

    Speaker, settings, sensors and its voice satellite come back with the unique ids and
    entity ids they had, live, and without a complaint about an entity that exists.
    """
    device_registry = dr.async_get(hass)
    data = loaded_entry.runtime_data
    channel = 2 if at_setup else 3
    if not at_setup:
        camera.channels[3] = AudioChannel(ChannelConfig(id=3))
        await poll(hass, loaded_entry)
    before = device_entities(hass, channel_device(device_registry, loaded_entry, str(channel)))
    assert {f"media_player.gate_channel_{channel}", *voice_entities(str(channel))} <= set(
        before.values()
    )
    live_before = live(hass, before.values())
    assert f"number.gate_channel_{channel}_speaker_volume" in live_before
    satellite, _pipeline, _vad, broadcasts = voice_entities(str(channel))
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: broadcasts}, blocking=True
    )

    substation = camera.channels.pop(channel)
    await poll(hass, loaded_entry)
    assert channel_device(device_registry, loaded_entry, str(channel)) is None
    assert all(hass.states.get(entity_id) is None for entity_id in before.values())

    camera.channels[channel] = substation
    await poll(hass, loaded_entry)

    assert loaded_entry.runtime_data is data  # no reload
    after = device_entities(hass, channel_device(device_registry, loaded_entry, str(channel)))
    assert after == before
    assert live(hass, after.values()) == live_before
    # The user's choice for the channel's satellite holds for its return.
    assert hass.states.get(broadcasts).state == STATE_ON
    assert _features(hass, satellite) & AssistSatelliteEntityFeature.ANNOUNCE
    assert_nothing_added_twice(caplog)


async def test_camera_channel_that_returns_keeps_its_entities(
    hass: HomeAssistant,
    camera: HikvisionCamera,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A camera's only channel sits on the camera: gone, its entities wait unavailable.

    When it returns, the same entities are live again; none is added a second time.
    """
    camera_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, CAMERA.serial), loaded_entry.entry_id
    )
    before = device_entities(hass, camera_device)
    live_before = live(hass, before.values())
    assert "media_player.front_door" in live_before
    (channel_id,) = camera.channels

    channel = camera.channels.pop(channel_id)
    await poll(hass, loaded_entry)
    assert device_entities(hass, camera_device) == before
    assert hass.states.get("media_player.front_door").state == STATE_UNAVAILABLE

    camera.channels[channel_id] = channel
    await poll(hass, loaded_entry)

    assert device_entities(hass, camera_device) == before
    assert live(hass, before.values()) == live_before
    assert_nothing_added_twice(caplog)


@pytest.mark.parametrize("camera_config", [DOOR_STATION])
async def test_other_substation_on_a_returning_channel_is_read_anew(
    hass: HomeAssistant, camera: HikvisionCamera, loaded_entry: MockConfigEntry
) -> None:
    """Another model plugged in where the old sub-station was: its own capabilities count."""
    volume = "number.gate_channel_2_speaker_volume"
    assert hass.states.get(volume).attributes["max"] == 100
    del camera.channels[2]
    await poll(hass, loaded_entry)

    camera.channels[2] = AudioChannel(ChannelConfig(id=2, speaker_volume=5, volume_max=10))
    await poll(hass, loaded_entry)

    state = hass.states.get(volume)
    assert (state.attributes["max"], state.state) == (10, "5")
